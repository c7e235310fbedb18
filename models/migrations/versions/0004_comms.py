"""Communications: published messages and status-page state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "external_message",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("author", sa.String(length=32), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_external_message_incident", "external_message", ["incident_id", "published_at"],
                    unique=False)
    op.create_index("ix_external_message_published_at", "external_message", ["published_at"], unique=False)

    op.create_table(
        "incident_comms",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("resolved_notice", sa.String(length=10), nullable=True),
        sa.Column("statuspage_incident_id", sa.String(length=64), nullable=True),
        sa.Column("statuspage_synced_id", sa.Integer(), nullable=True),
        sa.Column("statuspage_lease_until", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )


def downgrade() -> None:
    op.drop_table("incident_comms")
    op.drop_table("external_message")
