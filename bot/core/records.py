"""Row helpers every state change shares: load the incident (locked for a change), refuse a closed
one, add a member, and the Change a service hands back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import InvalidTransition, NotFound
from models import Incident, IncidentMember


@dataclass(frozen=True)
class Change:
    incident: Incident
    changed: bool


async def get(session: AsyncSession, incident_id: int, *, for_update: bool = False) -> Incident:
    """`for_update` locks the row until commit (PostgreSQL; SQLite serialises writers anyway), so
    two changes to one incident apply one after the other instead of overwriting each other. The lock is
    FOR NO KEY UPDATE: a transaction that only adds rows pointing at the incident (a job, a fact: the
    foreign key's KEY SHARE lock) does not wait for it, e.g. the intake storing the next click."""
    inc = await session.get(Incident, incident_id, with_for_update={"key_share": True} if for_update else None)
    if inc is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return inc


def require_open(inc: Incident) -> None:
    if inc.status == "closed":
        raise InvalidTransition(f"{inc.key} is closed; its review is done and it can no longer change.")


async def add_member(session: AsyncSession, incident_id: int, user_id: str) -> None:
    """Idempotent, even when two requests (a retried Slack event, two replicas) add the same member at once."""
    await session.flush()  # the incident row first, when it is new in this transaction
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IncidentMember.__table__)
    await session.execute(insert.values(incident_id=incident_id, user_id=user_id).on_conflict_do_nothing())
