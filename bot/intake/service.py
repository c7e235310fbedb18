"""What the intake accepts, checked before it is stored, and how the worker applies it.

A request that can be refused by its text alone (a bad severity, a title too long) is refused here, in
the ack. What only the incident's state can refuse (it is closed, the person may not change it) is
refused when the worker applies it, and the person hears it privately (bot/intake/effects.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import utc
from bot.core.errors import InvalidInput
from bot.incidents import service as incidents
from bot.intake.writer import Entry
from bot.policy import Policy

# The services a stored request may name: name -> service (called with the request's arguments).
SERVICES: dict[str, Callable[..., Awaitable[Any]]] = {
    "declare": incidents.declare,
    "change_severity": incidents.change_severity,
}


def declaration(policy: Policy, *, title: str, severity: int | None, declared_by: str, now: datetime,
                reply: dict[str, str], announce_channel: str | None, via: str) -> Entry:
    """`/incident declare sev title`, checked as the service will check it."""
    title = incidents.check_title(title)
    incidents.check_severity(severity, policy)
    return Entry("declare", dict(title=title, severity=severity, declared_by=declared_by, reply=reply,
                                 announce_channel=announce_channel, via=via),
                 at=utc(now), reply=reply, numbered=True)


def severity_change(policy: Policy, *, incident_id: int, severity: int | None, actor: str, now: datetime,
                    reply: dict[str, str], via: str) -> Entry:
    if severity is None or severity not in policy.levels:
        raise InvalidInput("Choose a severity.", field="severity")
    return Entry("change_severity", dict(incident_id=incident_id, severity=severity, actor=actor, via=via),
                 at=utc(now), reply=reply, incident_id=incident_id)


class At:
    """The clock of a stored request: it is applied as of the time it came in, so its facts and timers
    count from when the person acted, however late the worker gets to it."""

    def __init__(self, when: datetime) -> None:
        self.when = utc(when)

    def now(self) -> datetime:
        return self.when

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - services never sleep
        raise RuntimeError("a stored request is applied without waiting")


async def apply(*, session: AsyncSession, policy: Policy, settings: Settings | None, at: datetime,
                payload: dict[str, Any]) -> Any:
    """Apply one stored request in the caller's transaction."""
    service = SERVICES.get(payload.get("service", ""))
    if service is None:
        raise InvalidInput("This request is of a kind I no longer apply.")
    given = {"session": session, "clock": At(at), "policy": policy, "settings": settings}
    wants = inspect.signature(service).parameters
    return await service(**{k: v for k, v in given.items() if k in wants}, **payload["args"])
