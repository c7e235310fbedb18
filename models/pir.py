"""Post-incident reviews: one review per incident, every save as a revision, and the action items.

The review keeps the merged answers as they are now; each save also writes a revision with its author,
time and the whole set of answers after it, so nothing anyone typed is ever lost.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

PIR_STATES = ("open", "complete", "skipped")
ACTION_KINDS: dict[str, str] = {
    "prevent": "Prevent",
    "detect": "Detect",
    "mitigate": "Mitigate",
    "process": "Process",
    "documentation": "Documentation",
}
ACTION_STATUSES = ("open", "done")
MAX_ACTION = 300  # characters of an action item


class PirBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True, unique=True)
    owner_id: str = Field(max_length=32)
    required: bool = True  # False: the policy makes the review optional for this severity
    due_at: datetime | None = None
    state: str = Field(default="open", max_length=10)  # open | complete | skipped
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    revision: int = 0  # the number of the latest revision; 0 before the first save
    card_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    completed_by: str | None = Field(default=None, max_length=32)


class Pir(PirBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class PirRevisionBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id")
    number: int
    author: str = Field(max_length=32)
    saved_at: datetime
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    merged: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class PirRevision(PirRevisionBase, table=True):
    """One save of the form: the answers after it, which fields it changed, and which of those it
    merged with someone else's edit made after the form was opened."""

    __tablename__ = "pir_revision"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_pir_revision_number"),)
    id: int | None = Field(default=None, primary_key=True)


class ActionItemBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    description: str = Field(sa_column=Column(Text, nullable=False))
    owner_id: str = Field(max_length=32)
    due_date: date
    kind: str = Field(default="prevent", max_length=20)
    status: str = Field(default="open", max_length=10)  # open | done
    created_by: str = Field(max_length=32)
    created_at: datetime
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=32)


class ActionItem(ActionItemBase, table=True):
    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_owner", "owner_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
