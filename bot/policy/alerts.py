"""The `[alerts]` section of the incident policy: where triage goes, how alerts group, how an
alert's severity maps to a SEV level, which alerts declare an incident at once, and which
detection source a channel's messages count as. Every key has a default (default.toml); the loader checks
the levels against the policy's severities and names the key when one is wrong.

    [alerts]
    channel = "C0ALERTS"              # triage messages (default: INCIDENT_ANNOUNCE_CHANNEL)
    grouping = true                   # fold alerts with one fingerprint into one triage message
    window = "1h"                     # ...when they arrive within this of the group's last alert
    update_interval = "30s"           # refresh a triage message at most this often
    post_interval = "1s"              # new triage messages per channel: Slack's chat.postMessage pace
    default_severity = 3              # suggestion when an alert's severity is unknown
    message_source = "customer"       # detection source of "Declare incident from message"
    [alerts.severity]                 # alert severity / priority (lowercase) -> SEV level
    critical = 1
    [alerts.channel_sources]          # channel id or name -> detection source
    merchant-escalations = "merchant"
    [[alerts.auto_declare]]           # declare at once when every label matches
    labels = { severity = "critical", service = "payment-gateway" }
    severity = 1
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.durations import parse_duration
from bot.policy.defaults import defaults
from bot.policy.ids import channel_id
from models import ALERT_SOURCES, SOURCES

_BUILTIN = defaults("alerts")
DEFAULT_SEVERITY_MAP: dict[str, int] = _BUILTIN["severity"]


def _source(v: str) -> str:
    if v not in SOURCES:
        raise ValueError(f"{v!r} is not a detection source (one of {', '.join(SOURCES)})")
    return v


class AutoDeclareRule(BaseModel):
    """Declare an incident as soon as a firing alert carries every one of `labels`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    labels: dict[str, str]
    source: str | None = None  # only alerts from this webhook (a key of bot.alerts.sources.PARSERS)
    severity: int | None = None  # None: the alert's mapped severity
    commander: str | None = None  # a Slack user id to make Incident Commander

    @field_validator("labels")
    @classmethod
    def _some_labels(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ValueError("give at least one label to match, e.g. labels = { severity = \"critical\" }")
        return v

    @field_validator("source")
    @classmethod
    def _known_source(cls, v: str | None) -> str | None:
        if v is not None and v not in ALERT_SOURCES:
            raise ValueError(f"{v!r} is not an alert source (one of {', '.join(ALERT_SOURCES)})")
        return v

    def matches(self, source: str, labels: dict[str, str]) -> bool:
        if self.source and self.source != source:
            return False
        return all(labels.get(k, "").lower() == str(v).lower() for k, v in self.labels.items())

    @property
    def title(self) -> str:
        return self.name or ", ".join(f"{k}={v}" for k, v in self.labels.items())


class AlertPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    grouping: bool = _BUILTIN["grouping"]
    window: timedelta = parse_duration(_BUILTIN["window"])  # type: ignore[assignment]
    update_interval: timedelta = parse_duration(_BUILTIN["update_interval"])  # type: ignore[assignment]
    post_interval: timedelta = parse_duration(_BUILTIN["post_interval"])  # type: ignore[assignment]
    default_severity: int = _BUILTIN["default_severity"]
    message_source: str = _BUILTIN["message_source"]
    severity: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_SEVERITY_MAP))
    channel_sources: dict[str, str] = {}
    auto_declare: tuple[AutoDeclareRule, ...] = ()

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return channel_id(v)

    @field_validator("window", "update_interval", "post_interval", mode="before")
    @classmethod
    def _durations(cls, v: Any) -> timedelta:
        td = parse_duration(v)
        if td is None:
            raise ValueError("give a duration such as 30s, 15m or 1h")
        return td

    @field_validator("severity", mode="before")
    @classmethod
    def _merge_defaults(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {**DEFAULT_SEVERITY_MAP, **{str(k).strip().lower(): level for k, level in v.items()}}

    @field_validator("message_source")
    @classmethod
    def _message_source(cls, v: str) -> str:
        return _source(v)

    @field_validator("channel_sources")
    @classmethod
    def _channel_sources(cls, v: dict[str, str]) -> dict[str, str]:
        for source in v.values():
            _source(source)
        return {k.lstrip("#"): s for k, s in v.items()}

    @model_validator(mode="after")
    def _positive(self) -> AlertPolicy:
        if self.window <= timedelta(0):
            raise ValueError("window must be longer than 0s")
        return self

    def levels_used(self) -> list[tuple[str, int]]:
        """(key, level) for every level this section names, for checking against the severities."""
        used = [("default_severity", self.default_severity)]
        used += [(f"severity.{k}", lvl) for k, lvl in self.severity.items()]
        used += [(f"auto_declare.{i}.severity", r.severity) for i, r in enumerate(self.auto_declare)
                 if r.severity is not None]
        return used

    def suggest(self, severity: str | None) -> int:
        if severity:
            key = severity.strip().lower()
            if key in self.severity:
                return self.severity[key]
        return self.default_severity

    def source_for_channel(self, channel_id: str | None, channel_name: str | None) -> str:
        for key in (channel_id, channel_name):
            if key and key in self.channel_sources:
                return self.channel_sources[key]
        return self.message_source
