"""Communications tables: the customer messages published about an incident, and each incident's
communications state (its Atlassian Statuspage incident, the resolved message the bot asks for).

Only what the Communications Manager published lives here; internal updates stay on the timeline.
The public status page and the Statuspage connector read nothing else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

PUBLIC_STATUSES = ("investigating", "identified", "monitoring", "resolved")  # Statuspage's incident statuses
COMPONENT_STATES = ("operational", "degraded_performance", "partial_outage", "major_outage")  # worst last
PUBLIC_LABELS = {"investigating": "Investigating", "identified": "Identified", "monitoring": "Monitoring",
                 "resolved": "Resolved"}
STATE_LABELS = {"operational": "Operational", "degraded_performance": "Degraded performance",
                "partial_outage": "Partial outage", "major_outage": "Major outage"}


class ExternalMessageBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id")
    kind: str = Field(max_length=20)  # one of PUBLIC_STATUSES
    title: str = Field(max_length=150)  # the public name of the incident
    components: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # key -> state
    text: str = Field(sa_column=Column(Text, nullable=False))
    template: str | None = Field(default=None, max_length=40)
    author: str = Field(max_length=32)
    published_at: datetime


class ExternalMessage(ExternalMessageBase, table=True):
    """A customer-facing message, as published: the status page and Statuspage show exactly these."""

    __tablename__ = "external_message"
    __table_args__ = (Index("ix_external_message_incident", "incident_id", "published_at"),
                      Index("ix_external_message_published_at", "published_at"))
    id: int | None = Field(default=None, primary_key=True)


class IncidentCommsBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    # waiting: resolved, the resolved message is asked for; published | skipped: the question is answered
    resolved_notice: str | None = Field(default=None, max_length=10)
    statuspage_incident_id: str | None = Field(default=None, max_length=64)
    statuspage_synced_id: int | None = None  # the last ExternalMessage id sent to Statuspage
    statuspage_lease_until: datetime | None = None  # one worker at a time sends this incident's messages
    # the status page's name for the incident: random, so numbers never reveal private incidents or drills
    public_ref: str | None = Field(default=None, max_length=16, unique=True)


class IncidentComms(IncidentCommsBase, table=True):
    __tablename__ = "incident_comms"
