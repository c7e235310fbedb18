"""What every handler needs, handed to it through Bolt's context as `context["deps"]`, and the one way
a handler reaches the database: it names a service and its arguments, and `deps` runs it.

    await deps.run(incidents.change_severity, incident_id=7, severity=1, actor=user, via="card")
    await deps.in_channel(channel_id, incidents.change_severity, severity=1, actor=user, via="command")
    await deps.read(incidents.list_open, viewer=user)
    number = await deps.accept(intake.declaration(deps.policy, title=…, severity=2, …))

`run` opens one transaction and commits it when the service returns; `in_channel` does the same after
finding the incident of a channel, in that same transaction (its id goes in as `incident_id`; with
`write=False` it only reads); `read` opens a session that writes nothing. Each injects what the
service's signature asks for among `session`, `clock`, `policy` and `settings`, so a handler never
holds a session or a clock. `accept` stores a checked request through the group-commit intake
(bot/intake): it returns once the request is durable, and the worker applies it; for the ack paths
that must carry the volume of a bare ack. `run_grouped` is `run` in a group commit, for a service whose
answer the request needs (an alert webhook).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.text import storable
from bot.incidents.service import for_channel
from bot.intake.writer import Entry, Grouped, Intake
from bot.jobs.table import Notifier
from bot.policy import Policy
from models.db import Sessionmaker

T = TypeVar("T")
_INJECTED = ("session", "clock", "policy", "settings")


def _storable(value: Any) -> Any:
    """What a handler hands a service, with every string storable (no NUL, no lone surrogate): the one
    place text from Slack enters the services."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    return value


@functools.cache
def _wants(service: Callable[..., Any]) -> frozenset[str]:
    return frozenset(name for name in inspect.signature(service).parameters if name in _INJECTED)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    policy: Policy
    sessionmaker: Sessionmaker
    clock: Clock
    notifier: Notifier
    intake: Intake = field(default=None)  # type: ignore[assignment]  # made from the sessionmaker when not given
    grouped: Grouped = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.intake is None:
            object.__setattr__(self, "intake", Intake(self.sessionmaker))
        if self.grouped is None:
            object.__setattr__(self, "grouped", Grouped(self.sessionmaker))

    def _inject(self, service: Callable[..., Any], session: AsyncSession, kwargs: dict[str, Any]) -> dict[str, Any]:
        given = {"session": session, "clock": self.clock, "policy": self.policy, "settings": self.settings}
        return {**{name: given[name] for name in _wants(service)}, **{k: _storable(v) for k, v in kwargs.items()}}

    async def run(self, service: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
        """The service in one transaction, committed before this returns."""
        async with self.sessionmaker() as session, session.begin():
            return await service(**self._inject(service, session, kwargs))

    async def run_grouped(self, service: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
        """As `run`, but in a group commit with the other requests waiting (bot/intake/writer.py Grouped):
        committed before this returns; a refusal is this request's alone."""
        return await self.grouped.run(lambda session: service(**self._inject(service, session, kwargs)))

    async def in_channel(self, channel_id: str | None, service: Callable[..., Awaitable[T]], /, *,
                         write: bool = True, **kwargs: Any) -> T:
        """The service on the incident of `channel_id` (NotInIncidentChannel elsewhere), in one transaction
        (`write=False`: in a session that commits nothing)."""
        async with self.sessionmaker() as session:
            if write:
                await session.begin()
            inc = await for_channel(session, channel_id)
            result = await service(**self._inject(service, session, {"incident_id": inc.id, **kwargs}))
            if write:
                await session.commit()
            return result

    async def read(self, service: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
        """The service in a session that commits nothing."""
        async with self.sessionmaker() as session:
            return await service(**self._inject(service, session, kwargs))

    async def accept(self, entry: Entry) -> int | None:
        """Store a checked request (bot/intake/service.py) in the next group commit; returns when it is
        durable, with the incident number it took (a declaration), else None."""
        entry.args = _storable(entry.args)
        entry.reply = _storable(entry.reply)
        return await self.intake.store(entry)
