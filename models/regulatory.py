"""Payment impact and regulatory reporting: the incident's structured impact as it stands now (its
history is the timeline's `impact_changed` facts), each classification under a regime, and each report
a regime asks for with its deadline and submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

REPORT_STATES = ("waiting", "pending", "submitted", "cancelled")  # waiting: its clock has not started


class IncidentImpact(SQLModel, table=True):
    """The current impact fields of an incident (bot/impact/fields.py names them)."""

    __tablename__ = "incident_impact"
    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime
    updated_by: str = Field(max_length=32)


class ClassificationBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    regime: str = Field(max_length=40)
    major: bool
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    met: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # the criteria met
    classified_by: str = Field(max_length=32)
    classified_at: datetime


class Classification(ClassificationBase, table=True):
    """One decision; the newest per (incident, regime) is the one in force, the others its history."""

    __tablename__ = "regulatory_classification"
    id: int | None = Field(default=None, primary_key=True)


class RegulatoryReportBase(SQLModel):
    incident_id: int = Field(foreign_key="incident.id", index=True)
    regime: str = Field(max_length=40)
    report: str = Field(max_length=40)  # the regime's report key: initial, intermediate, final…
    state: str = Field(default="waiting", max_length=20)
    started_at: datetime | None = None  # when its clock started
    due_at: datetime | None = None
    missed_at: datetime | None = None
    reference: str | None = Field(default=None, max_length=200)  # the regulator's reference number
    submitted_at: datetime | None = None
    submitted_by: str | None = Field(default=None, max_length=32)
    submissions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class RegulatoryReport(RegulatoryReportBase, table=True):
    __tablename__ = "regulatory_report"
    __table_args__ = (UniqueConstraint("incident_id", "regime", "report", name="uq_regulatory_report"),)
    id: int | None = Field(default=None, primary_key=True)
