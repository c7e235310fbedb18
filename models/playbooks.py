"""Checklists posted in incident channels: the playbook's immediate actions, ticked by people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class ChecklistBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id")
    kind: str = Field(default="mitigation", max_length=20)
    playbook: str = Field(max_length=40)
    # [{"label": ..., "done_by": user id or None, "done_at": ISO time or None}, ...] in the playbook's order
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime


class Checklist(ChecklistBase, table=True):
    __table_args__ = (UniqueConstraint("incident_id", "kind", name="uq_checklist_incident_kind"),)
    id: int | None = Field(default=None, primary_key=True)
