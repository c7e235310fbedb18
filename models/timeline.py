"""The timeline: one row per fact, a kind and its values (bot/timeline/facts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class TimelineEventBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    at: datetime
    actor: str = Field(max_length=32)  # a Slack user id, "bot", or the alert rules' pseudo-user
    kind: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # the values
    via: str = Field(default="system", max_length=20)  # command | card | modal | system


class TimelineEvent(TimelineEventBase, table=True):
    __tablename__ = "timeline_event"
    id: int | None = Field(default=None, primary_key=True)
