"""The SQLModel tables, the async engine and sessions, and the Alembic migrations."""

from models.alerts import (
    ALERT_ACTOR,
    ALERT_SOURCE_NAMES,
    ALERT_SOURCES,
    Alert,
    AlertChannel,
    AlertGroup,
    AlertStream,
    SeenSignature,
)
from models.comms import (
    COMPONENT_STATES,
    PUBLIC_LABELS,
    PUBLIC_STATUSES,
    STATE_LABELS,
    ExternalMessage,
    ExternalMessageBase,
    IncidentComms,
    IncidentCommsBase,
)
from models.groups import GroupMember
from models.incidents import (
    MAX_SURFACE,
    MAX_TITLE,
    MAX_UPDATE,
    OPEN_STATUSES,
    ROLES,
    SETTABLE_STATUSES,
    SOURCES,
    STATUSES,
    Counter,
    Incident,
    IncidentBase,
    IncidentMember,
)
from models.jobs import Job, JobBase
from models.paging import PAGE_STATES, PAGERS, Page, PageBase, PagerEvent
from models.pir import ACTION_KINDS, ACTION_STATUSES, MAX_ACTION, PIR_STATES, ActionItem, Pir, PirRevision
from models.playbooks import Checklist
from models.records import DELIVERY_STATES, ConfluencePage, JiraIssue, WebhookDelivery
from models.regulatory import (
    REPORT_STATES,
    Classification,
    IncidentImpact,
    RegulatoryReport,
)
from models.timeline import TimelineEvent, TimelineEventBase

__all__ = [
    "ALERT_ACTOR", "ALERT_SOURCE_NAMES", "ALERT_SOURCES", "Alert", "AlertChannel", "AlertGroup", "AlertStream",
    "SeenSignature",
    "COMPONENT_STATES", "PUBLIC_LABELS", "PUBLIC_STATUSES", "STATE_LABELS", "ExternalMessage", "ExternalMessageBase",
    "IncidentComms", "IncidentCommsBase",
    "ACTION_KINDS", "ACTION_STATUSES", "MAX_ACTION", "PIR_STATES", "ActionItem", "Pir", "PirRevision",
    "Checklist",
    "PAGE_STATES", "PAGERS", "Page", "PageBase", "PagerEvent",
    "REPORT_STATES", "Classification", "IncidentImpact", "RegulatoryReport",
    "MAX_SURFACE", "MAX_TITLE", "MAX_UPDATE", "OPEN_STATUSES", "ROLES", "SETTABLE_STATUSES", "SOURCES", "STATUSES",
    "Counter", "Incident", "IncidentBase", "IncidentMember",
    "GroupMember", "Job", "JobBase",
    "TimelineEvent", "TimelineEventBase",
    "DELIVERY_STATES", "ConfluencePage", "JiraIssue", "WebhookDelivery",
]
