"""Pages: the one page an incident sends to PagerDuty or Opsgenie, and the pager's webhook events
already taken (so a redelivery changes nothing).

    Page        per incident: where it went (pager, route, service), its key there (PagerDuty's dedup_key,
                Opsgenie's alias), its state as the pager last told, who is on call, and the pager's error
    PagerEvent  (pager, event id) of every webhook event received: its primary key makes a redelivery,
                to any replica, a no-op
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

PAGERS = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie"}
# pending: queued; triggered: the pager took it; acknowledged / resolved: as either side said; failed: refused
PAGE_STATES = ("pending", "triggered", "acknowledged", "resolved", "failed")


class PageBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    pager: str = Field(max_length=20)  # a key of PAGERS
    route: str = Field(max_length=60)  # the policy's [paging.routes.<name>]
    service: str = Field(max_length=150)  # what the card calls it: "Paged: <service>"
    dedup_key: str = Field(max_length=100, index=True)  # the incident's key: PagerDuty dedup_key, Opsgenie alias
    status: str = Field(default="pending", max_length=20)
    triggers: int = 1  # how many times it was (re-)triggered: a reopening pages again
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the pager's refusal
    remote_id: str | None = Field(default=None, max_length=64)  # PagerDuty's incident id, Opsgenie's alert id
    escalation_level: int = 1
    triggered_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=200)  # the pager's name for the person
    resolved_at: datetime | None = None
    oncall_name: str | None = Field(default=None, max_length=200)
    oncall_email: str | None = Field(default=None, max_length=320)
    oncall_pager_id: str | None = Field(default=None, max_length=64)  # the person's id in the pager
    oncall_user: str | None = Field(default=None, max_length=32)  # their Slack user, by email
    created_at: datetime
    updated_at: datetime


class Page(PageBase, table=True):
    __tablename__ = "page"


class PagerEvent(SQLModel, table=True):
    __tablename__ = "pager_event"
    pager: str = Field(primary_key=True, max_length=20)
    event_id: str = Field(primary_key=True, max_length=200)
    received_at: datetime
    incident_id: int | None = None  # None: the pager spoke of an incident the bot does not know
