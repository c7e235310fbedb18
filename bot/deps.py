"""What every handler needs, handed to it through Bolt's context as `context["deps"]`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.jobs import Notifier
from bot.policy import Policy
from models.db import Sessionmaker


@dataclass(frozen=True)
class Deps:
    settings: Settings
    policy: Policy
    sessionmaker: Sessionmaker
    clock: Clock
    notifier: Notifier
