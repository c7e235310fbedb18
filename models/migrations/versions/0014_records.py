"""Records where the company works: Jira issues of action items and incidents, Confluence review pages,
outgoing webhook deliveries.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jira_issue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("action_item_id", sa.Integer(), sa.ForeignKey("action_item.id"), nullable=True),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("action_item_id"),
    )
    op.create_index("ix_jira_issue_incident_id", "jira_issue", ["incident_id"])
    op.create_index("ix_jira_issue_key", "jira_issue", ["key"])
    op.create_table(
        "confluence_page",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("page_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident_id"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("fact_id", sa.Integer(), sa.ForeignKey("timeline_event.id"), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("destination", "fact_id", name="uq_webhook_delivery_fact"),
    )
    op.create_index("ix_webhook_delivery_queue", "webhook_delivery", ["destination", "incident_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_queue", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("confluence_page")
    op.drop_index("ix_jira_issue_key", table_name="jira_issue")
    op.drop_index("ix_jira_issue_incident_id", table_name="jira_issue")
    op.drop_table("jira_issue")
