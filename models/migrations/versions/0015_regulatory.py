"""Payment impact and regulatory reporting: the incident's structured impact, its earliest evidence,
classifications under a regime, and the reports a regime asks for with their deadlines and submissions.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "incident_impact",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )
    op.create_table(
        "regulatory_classification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("regime", sa.String(length=40), nullable=False),
        sa.Column("major", sa.Boolean(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("met", sa.JSON(), nullable=False),
        sa.Column("classified_by", sa.String(length=32), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_regulatory_classification_incident_id", "regulatory_classification", ["incident_id"])
    op.create_table(
        "regulatory_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("regime", sa.String(length=40), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(length=32), nullable=True),
        sa.Column("submissions", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "regime", "report", name="uq_regulatory_report"),
    )
    op.create_index("ix_regulatory_report_incident_id", "regulatory_report", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_regulatory_report_incident_id", table_name="regulatory_report")
    op.drop_table("regulatory_report")
    op.drop_index("ix_regulatory_classification_incident_id", table_name="regulatory_classification")
    op.drop_table("regulatory_classification")
    op.drop_table("incident_impact")
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("detected_at")
