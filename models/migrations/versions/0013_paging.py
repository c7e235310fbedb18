"""Paging: the page each incident sends to PagerDuty or Opsgenie, and the pager webhook events taken.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("pager", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=60), nullable=False),
        sa.Column("service", sa.String(length=150), nullable=False),
        sa.Column("dedup_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("triggers", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("remote_id", sa.String(length=64), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("oncall_name", sa.String(length=200), nullable=True),
        sa.Column("oncall_email", sa.String(length=320), nullable=True),
        sa.Column("oncall_pager_id", sa.String(length=64), nullable=True),
        sa.Column("oncall_user", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )
    op.create_index("ix_page_dedup_key", "page", ["dedup_key"])
    op.create_table(
        "pager_event",
        sa.Column("pager", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("pager", "event_id"),
    )


def downgrade() -> None:
    op.drop_table("pager_event")
    op.drop_index("ix_page_dedup_key", table_name="page")
    op.drop_table("page")
