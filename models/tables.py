"""Tables: incidents, their members and timeline, the durable jobs, and the number counter.

Data models (XBase) hold the fields; table models (X, table=True) add keys and indexes.
Timestamps are aware UTC datetimes (SQLModel's UTCDateTime): TIMESTAMP WITH TIME ZONE on PostgreSQL,
UTC text on SQLite.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

OPEN_STATUSES = ("investigating", "identified", "mitigated")  # the clocks run while an incident is here
STATUSES = (*OPEN_STATUSES, "resolved", "closed")

# role key -> (column on Incident, display name)
ROLES: dict[str, tuple[str, str]] = {
    "ic": ("commander_id", "Incident Commander"),
    "tl": ("tech_lead_id", "Technical Lead"),
    "comms": ("comms_id", "Communications Manager"),
    "oncall": ("oncall_id", "On-call Engineer"),
    "support": ("support_id", "Support"),
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
    # The clocks (bot.services.clocks): acknowledgement, update cadence, and what was missed.
    ack_started_at: datetime | None = None  # declaration, or the alert's start
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=32)
    ack_seconds: int | None = None  # time to acknowledge, kept for the metrics
    ack_breached_at: datetime | None = None
    update_due_at: datetime | None = None  # when the next update is due; None: no cadence or closed
    update_overdue_since: datetime | None = None  # the first missed due time of the current streak
    update_escalated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    escalated_for: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # leadership

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


class TimelineEventBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    at: datetime
    actor: str = Field(max_length=32)  # a Slack user id, or "bot"
    kind: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    via: str = Field(default="system", max_length=20)  # command | card | modal | system


class TimelineEvent(TimelineEventBase, table=True):
    __tablename__ = "timeline_event"
    id: int | None = Field(default=None, primary_key=True)


class JobBase(SQLModel):
    kind: str = Field(max_length=40)
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime
    state: str = Field(default="pending", max_length=10)  # pending | done | failed
    attempts: int = 0
    max_attempts: int = 8
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime
    finished_at: datetime | None = None


class Job(JobBase, table=True):
    """The outbox and the schedule: a Slack effect to perform, now or at due_at."""

    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_job_dedupe_key"),
        Index("ix_job_due", "state", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)


class Counter(SQLModel, table=True):
    """Gapless, never-reused sequences (incident numbers): one row per name."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0
