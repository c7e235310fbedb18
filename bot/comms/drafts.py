"""A customer message's draft: the Draft a modal shows, and the template's placeholders filled in
from the incident. Pure: the service reads what it needs and hands it in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import utc
from bot.policy import Policy
from models import Incident


@dataclass(frozen=True)
class Draft:
    incident_id: int
    key: str
    template: str
    status: str
    title: str
    components: tuple[str, ...]
    impact: str
    text: str
    publisher: str | None


def _when(dt: datetime, now: datetime) -> str:
    dt, now = utc(dt), utc(now)
    return f"{dt:%H:%M} UTC" if dt.date() == now.date() else f"{dt:%d %b %H:%M} UTC"


def component_names(policy: Policy, keys: list[str] | tuple[str, ...]) -> str:
    names = [policy.comms.components[k].name for k in keys if k in policy.comms.components]
    if not names:
        return "some of our services"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def placeholder_values(policy: Policy, inc: Incident, components: tuple[str, ...], now: datetime,
                       title: str) -> dict[str, str]:
    cadence = policy.severity(inc.severity).update_cadence
    due = inc.update_due_at or (utc(now) + cadence if cadence else None)
    return {
        "components": component_names(policy, components),
        "started": _when(inc.ack_started_at or inc.created_at, now),
        "next_update": _when(due, now) if due else "as soon as we know more",
        "title": title,
    }
