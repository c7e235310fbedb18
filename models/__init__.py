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
from models.alerts import ALERT_ACTOR, ALERT_SOURCES, Alert, AlertChannel, AlertGroup, AlertStream
from models.comms import (
    COMPONENT_STATES,
    PUBLIC_STATUSES,
    ExternalMessage,
    ExternalMessageBase,
    IncidentComms,
    IncidentCommsBase,
)
from models.pir import ACTION_KINDS, ACTION_STATUSES, PIR_STATES, ActionItem, Pir, PirRevision
from models.playbooks import Checklist

__all__ = [
    "ALERT_ACTOR", "ALERT_SOURCES", "Alert", "AlertChannel", "AlertGroup", "AlertStream",
    "COMPONENT_STATES", "PUBLIC_STATUSES", "ExternalMessage", "ExternalMessageBase", "IncidentComms",
    "IncidentCommsBase",
    "ACTION_KINDS", "ACTION_STATUSES", "PIR_STATES", "ActionItem", "Pir", "PirRevision",
    "Checklist",
    "OPEN_STATUSES", "ROLES", "STATUSES", "Counter", "Incident", "IncidentBase", "IncidentMember", "Job", "JobBase",
    "TimelineEvent", "TimelineEventBase",
]
