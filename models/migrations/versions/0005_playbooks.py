"""Playbooks and drills: the incident's type, its checklists, and the drill flag that keeps game days
out of the metrics.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("incident", sa.Column("incident_type", sa.String(length=40), nullable=True))
    op.add_column("incident", sa.Column("drill", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("incident", sa.Column("clock_speed", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "checklist",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("playbook", sa.String(length=40), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "kind", name="uq_checklist_incident_kind"),
    )


def downgrade() -> None:
    op.drop_table("checklist")
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("clock_speed")
        batch.drop_column("drill")
        batch.drop_column("incident_type")
