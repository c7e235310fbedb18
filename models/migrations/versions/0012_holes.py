"""Closing the holes: failed effects counted on the incident, a review skipped, the public status page's
own references, alert groups as their sources group them, refused replays of signed alerts, and the
incident-admins group's members.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("failed_effects", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("review_skipped", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("incident_comms") as batch:
        batch.add_column(sa.Column("public_ref", sa.String(length=16), nullable=True))
        batch.create_unique_constraint("uq_incident_comms_public_ref", ["public_ref"])
    comms = sa.table("incident_comms", sa.column("incident_id", sa.Integer), sa.column("public_ref", sa.String))
    conn = op.get_bind()
    for (incident_id,) in conn.execute(sa.select(comms.c.incident_id)).all():
        conn.execute(comms.update().where(comms.c.incident_id == incident_id).values(public_ref=secrets.token_hex(5)))
    with op.batch_alter_table("alert_group") as batch:
        batch.add_column(sa.Column("members", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("truncated", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))
    groups = sa.table("alert_group", sa.column("members", sa.JSON), sa.column("links", sa.JSON))
    op.get_bind().execute(groups.update().values(members={}, links={}))
    with op.batch_alter_table("alert_group") as batch:  # JSON columns get no server default on PostgreSQL
        batch.alter_column("members", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("links", existing_type=sa.JSON(), nullable=False)
    op.create_table(
        "seen_signature",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "signature"),
    )
    op.create_index("ix_seen_signature_seen_at", "seen_signature", ["seen_at"])
    op.create_table(
        "group_member",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("group_member")
    op.drop_index("ix_seen_signature_seen_at", table_name="seen_signature")
    op.drop_table("seen_signature")
    with op.batch_alter_table("alert_group") as batch:
        batch.drop_column("links")
        batch.drop_column("truncated")
        batch.drop_column("members")
    with op.batch_alter_table("incident_comms") as batch:
        batch.drop_constraint("uq_incident_comms_public_ref", type_="unique")
        batch.drop_column("public_ref")
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("review_skipped")
        batch.drop_column("failed_effects")
