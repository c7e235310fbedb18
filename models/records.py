"""Records kept where the company works: the Jira issue of each action item (and optionally of the
incident), the Confluence page of each review, and the outgoing webhook deliveries (bot/records/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

DELIVERY_STATES = ("pending", "delivered", "failed", "skipped")


class JiraIssueBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    action_item_id: int | None = Field(default=None, foreign_key="action_item.id", unique=True)  # None: the incident
    issue_id: str = Field(max_length=32)
    key: str = Field(max_length=64, index=True)
    url: str = Field(max_length=500)
    done: bool = False  # as far as the bot knows, the issue is in a "done" status category
    created_at: datetime
    updated_at: datetime


class JiraIssue(JiraIssueBase, table=True):
    """One Jira issue per action item, and at most one per incident (action_item_id None)."""

    __tablename__ = "jira_issue"
    id: int | None = Field(default=None, primary_key=True)


class ConfluencePageBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", unique=True)
    page_id: str = Field(max_length=32)
    version: int = 1
    url: str = Field(max_length=500)
    created_at: datetime
    updated_at: datetime


class ConfluencePage(ConfluencePageBase, table=True):
    """The review's page: a second export updates it (a new version), never a duplicate."""

    __tablename__ = "confluence_page"
    id: int | None = Field(default=None, primary_key=True)


class WebhookDeliveryBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id")
    destination: str = Field(max_length=64)  # the [[webhooks]] entry's name
    event_id: str = Field(max_length=40, unique=True)
    event: str = Field(max_length=40)  # e.g. incident.declared
    fact_id: int = Field(foreign_key="timeline_event.id")
    state: str = Field(default="pending", max_length=10)  # pending | delivered | failed | skipped
    attempts: int = 0
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WebhookDelivery(WebhookDeliveryBase, table=True):
    """One event for one destination; an incident's deliveries to one destination go out in id order."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_queue", "destination", "incident_id", "state"),
                      UniqueConstraint("destination", "fact_id", name="uq_webhook_delivery_fact"))
    id: int | None = Field(default=None, primary_key=True)
