"""The durable jobs: the outbox of effects to perform and the schedule of timers (bot/jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


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
