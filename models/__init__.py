"""The SQLModel tables, the async engine and sessions, and the Alembic migrations."""

from models.tables import (
    OPEN_STATUSES,
    ROLES,
    STATUSES,
    Counter,
    Incident,
    IncidentBase,
    IncidentMember,
    Job,
    JobBase,
    TimelineEvent,
    TimelineEventBase,
)

__all__ = [
    "OPEN_STATUSES", "ROLES", "STATUSES", "Counter", "Incident", "IncidentBase", "IncidentMember", "Job", "JobBase",
    "TimelineEvent", "TimelineEventBase",
]
