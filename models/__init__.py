"""The SQLModel tables, the async engine and sessions, and the Alembic migrations."""

from models.tables import (
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
    "ROLES", "STATUSES", "Counter", "Incident", "IncidentBase", "IncidentMember", "Job", "JobBase",
    "TimelineEvent", "TimelineEventBase",
]
