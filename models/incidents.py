"""Incidents, who is in their channels, and the never-reused number counter.

Timestamps are aware UTC datetimes (SQLModel's UTCDateTime): TIMESTAMP WITH TIME ZONE on PostgreSQL,
UTC text on SQLite."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, false
from sqlmodel import Field, SQLModel

OPEN_STATUSES = ("investigating", "identified", "mitigated")  # the clocks run while an incident is here
STATUSES = (*OPEN_STATUSES, "resolved", "closed")
SETTABLE_STATUSES = (*OPEN_STATUSES, "resolved")  # closed comes with the review
MAX_TITLE = 150
MAX_SURFACE = 150
MAX_UPDATE = 3000

# role key -> (column on Incident, display name)
ROLES: dict[str, tuple[str, str]] = {
    "ic": ("commander_id", "Incident Commander"),
    "tl": ("tech_lead_id", "Technical Lead"),
    "comms": ("comms_id", "Communications Manager"),
    "oncall": ("oncall_id", "On-call Engineer"),
    "support": ("support_id", "Support"),
}
# how an incident was detected -> how people call it
SOURCES: dict[str, str] = {
    "monitoring": "Monitoring alert",
    "synthetic": "Synthetic payment test",
    "customer": "Customer report",
    "merchant": "Merchant complaint",
    "internal": "Internal QA / engineering",
}


class IncidentBase(SQLModel):
    number: int = Field(index=True, unique=True)
    title: str = Field(max_length=150)
    severity: int
    status: str = Field(default="investigating", max_length=20)
    source: str = Field(default="internal", max_length=40)
    surface: str | None = Field(default=None, max_length=150)
    private: bool = False
    declared_by: str = Field(max_length=32)
    commander_id: str | None = Field(default=None, max_length=32)
    tech_lead_id: str | None = Field(default=None, max_length=32)
    comms_id: str | None = Field(default=None, max_length=32)
    oncall_id: str | None = Field(default=None, max_length=32)
    support_id: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32, index=True)
    channel_name: str | None = Field(default=None, max_length=80)
    card_ts: str | None = Field(default=None, max_length=32)
    announce_channel: str | None = Field(default=None, max_length=32)
    announce_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime
    last_update_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None  # the post-incident review is done
    incident_type: str | None = Field(default=None, max_length=40)  # a playbook key from the policy
    drill: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # a game day: never in metrics
    clock_speed: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # a drill's compressed clocks
    regulatory: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The clocks (bot.clocks): acknowledgement, update cadence, and what was missed.
    ack_started_at: datetime | None = None  # declaration, or the alert's start
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=32)
    ack_seconds: int | None = None  # time to acknowledge, kept for the metrics
    ack_breached_at: datetime | None = None
    update_due_at: datetime | None = None  # when the next update is due; None: no cadence or closed
    update_overdue_since: datetime | None = None  # the first missed due time of the current streak
    update_escalated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    escalated_for: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # leadership
    failed_effects: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # jobs that failed for good
    review_skipped: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # closed without one
    detected_at: datetime | None = None  # the earliest evidence: an alert's start, a reported message's time

    @property
    def key(self) -> str:
        return f"INC-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def role_holder(self, role: str) -> str | None:
        return getattr(self, ROLES[role][0])


class Incident(IncidentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class IncidentMember(SQLModel, table=True):
    """Who is in an incident's channel, as far as the bot knows: it decides who sees a private incident."""

    __tablename__ = "incident_member"
    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=32)


class Counter(SQLModel, table=True):
    """Gapless, never-reused sequences (incident numbers): one row per name."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0
