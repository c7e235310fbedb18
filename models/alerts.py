"""Alert intake tables: every alert as received, the groups they fold into, and the two small
rows that serialise the intake (one per alert stream, one per channel the bot posts triage in).

    AlertGroup   one triage message: alerts of one stream (source + fingerprint) within a window
    Alert        one alert notification exactly as a source sent it, pointing at its group
    AlertStream  (source, fingerprint) -> its current group; its row lock makes grouping race-free
    AlertChannel the next free posting slot in a channel, so new triage messages keep Slack's pace
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, false
from sqlmodel import Field, SQLModel

ALERT_SOURCES = ("alertmanager", "datadog", "grafana", "newrelic", "splunk", "generic")
# how each source is named to people
ALERT_SOURCE_NAMES = {"alertmanager": "Alertmanager", "datadog": "Datadog", "grafana": "Grafana",
                      "newrelic": "New Relic", "splunk": "Splunk", "generic": "Webhook"}
# The actor of what an alert rule does by itself (an auto-declared incident's declarer).
ALERT_ACTOR = "alerts"


class AlertGroupBase(SQLModel):
    source: str = Field(max_length=20)
    fingerprint: str = Field(max_length=200)
    title: str = Field(max_length=300)
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    severity: str | None = Field(default=None, max_length=40)  # as the source wrote it
    suggested_severity: int | None = None  # the policy's mapping of it
    detection_source: str = Field(default="monitoring", max_length=40)
    labels: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    link: str | None = Field(default=None, max_length=2000)
    status: str = Field(default="firing", max_length=10)  # firing | resolved
    count: int = 0  # firing notifications folded in
    refires: int = 0  # times it fired again after a resolution
    started_at: datetime  # the first alert's own start time
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=32)
    acknowledged_at: datetime | None = None
    dismissed_by: str | None = Field(default=None, max_length=32)
    dismissed_at: datetime | None = None
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    attached_by: str | None = Field(default=None, max_length=32)
    attached_at: datetime | None = None
    reported_count: int = 0  # firings already told to the attached incident's channel
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    # The triage message is refreshed by at most one queued job at a time, at most once per interval.
    refresh_queued: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    dirty: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    shown_at: datetime | None = None
    # A source's own group (Alertmanager's groupKey) holds several alerts: each one's latest state.
    members: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    truncated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # alerts the source left out
    links: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # label -> URL


class AlertGroup(AlertGroupBase, table=True):
    __tablename__ = "alert_group"
    __table_args__ = (Index("ix_alert_group_stream", "source", "fingerprint"),)
    id: int | None = Field(default=None, primary_key=True)


class AlertBase(SQLModel):
    source: str = Field(max_length=20)
    fingerprint: str = Field(max_length=200)
    status: str = Field(max_length=10)  # firing | resolved
    title: str = Field(max_length=300)
    severity: str | None = Field(default=None, max_length=40)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    received_at: datetime
    group_id: int | None = Field(default=None, foreign_key="alert_group.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Alert(AlertBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class AlertStream(SQLModel, table=True):
    __tablename__ = "alert_stream"
    source: str = Field(primary_key=True, max_length=20)
    fingerprint: str = Field(primary_key=True, max_length=200)
    group_id: int | None = Field(default=None, foreign_key="alert_group.id")


class AlertChannel(SQLModel, table=True):
    __tablename__ = "alert_channel"
    channel_id: str = Field(primary_key=True, max_length=32)
    next_post_at: datetime
    last_post_at: datetime | None = None  # when a triage message last went out here


class SeenSignature(SQLModel, table=True):
    """A timestamped alert signature already taken: the same one again within its window is a replay."""

    __tablename__ = "seen_signature"
    __table_args__ = (Index("ix_seen_signature_seen_at", "seen_at"),)
    source: str = Field(primary_key=True, max_length=20)
    signature: str = Field(primary_key=True, max_length=128)
    seen_at: datetime
