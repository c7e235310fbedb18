"""What the Home tab shows one person, gathered by bot/home/service.py and drawn by bot/home/blocks.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.metrics.figures import Metrics
from models import ActionItem, Incident

PERIODS = (30, 90)


@dataclass(frozen=True)
class HomeData:
    viewer: str
    now: datetime
    open_incidents: list[Incident]  # the ones the viewer may see
    mine: list[Incident]  # open or recently resolved, where the viewer holds a role or declared it
    actions: list[tuple[ActionItem, Incident]]  # the viewer's open action items
    panels: list[Metrics]  # one per period of PERIODS
