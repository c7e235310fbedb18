"""Alert intake: received alerts and their groups.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_group",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.Column("suggested_severity", sa.Integer(), nullable=True),
        sa.Column("detection_source", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("refires", sa.Integer(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("first_seen", TIMESTAMP, nullable=False),
        sa.Column("last_seen", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", TIMESTAMP, nullable=True),
        sa.Column("dismissed_by", sa.String(length=32), nullable=True),
        sa.Column("dismissed_at", TIMESTAMP, nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("attached_by", sa.String(length=32), nullable=True),
        sa.Column("attached_at", TIMESTAMP, nullable=True),
        sa.Column("reported_count", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("refresh_queued", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("dirty", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("shown_at", TIMESTAMP, nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_group_incident_id", "alert_group", ["incident_id"], unique=False)
    op.create_index("ix_alert_group_stream", "alert_group", ["source", "fingerprint"], unique=False)

    op.create_table(
        "alert",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["alert_group.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_group_id", "alert", ["group_id"], unique=False)

    op.create_table(
        "alert_stream",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["alert_group.id"]),
        sa.PrimaryKeyConstraint("source", "fingerprint"),
    )

    op.create_table(
        "alert_channel",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("next_post_at", TIMESTAMP, nullable=False),
        sa.Column("last_post_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("channel_id"),
    )


def downgrade() -> None:
    op.drop_table("alert_channel")
    op.drop_table("alert_stream")
    op.drop_table("alert")
    op.drop_table("alert_group")
