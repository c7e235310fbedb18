"""What every state change shares: loading the incident, refusing a closed one, the timeline row,
and the effects every visible change has (the card in place, the topic, a line in the channel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidTransition, NotFound
from bot.jobs import enqueue
from models import Incident, IncidentMember, TimelineEvent


@dataclass(frozen=True)
class Change:
    incident: Incident
    changed: bool


async def get(session: AsyncSession, incident_id: int, *, for_update: bool = False) -> Incident:
    """`for_update` locks the row until commit (PostgreSQL; SQLite serialises writers anyway), so
    two changes to one incident apply one after the other instead of overwriting each other."""
    inc = await session.get(Incident, incident_id, with_for_update=for_update or None)
    if inc is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return inc


def require_open(inc: Incident) -> None:
    if inc.status == "closed":
        raise InvalidTransition(f"{inc.key} is closed; its review is done and it can no longer change.")


async def add_member(session: AsyncSession, incident_id: int, user_id: str) -> None:
    if await session.get(IncidentMember, (incident_id, user_id)) is None:
        session.add(IncidentMember(incident_id=incident_id, user_id=user_id))


def event(inc: Incident, now: datetime, actor: str, kind: str, text: str, via: str,
          data: dict[str, Any] | None = None) -> TimelineEvent:
    assert inc.id is not None
    return TimelineEvent(incident_id=inc.id, at=now, actor=actor, kind=kind, text=text, data=data or {}, via=via)


async def announce_change(session: AsyncSession, inc: Incident, now: datetime, line: str, *, topic: bool) -> None:
    enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)
    if topic:
        enqueue(session, kind="set_topic", incident_id=inc.id, now=now)
    enqueue(session, kind="post_channel", incident_id=inc.id, now=now, payload={"text": line})
