"""Slack user groups the policy names (the incident admins), as far as the bot last read them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class GroupMember(SQLModel, table=True):
    """One member of a user group; the worker rereads the group (bot/incidents/effects.py sync_admins)."""

    __tablename__ = "group_member"
    group_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    synced_at: datetime
