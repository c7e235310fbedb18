"""The `[comms]` section of the policy: stakeholder routes, status-page components, customer templates.

    [comms]
    page_title = "Acme Payments status"
    history_days = 90
    resolved_reminder = "30m"          # default: the severity's update cadence
    [comms.routes.executives]          # where structured updates go, by severity
    channel = "C0EXEC"
    severities = ["SEV-1"]
    private_safe = false               # true: private incidents' updates may go there too
    drills = false                     # true: drills' updates go there too
    [comms.components.card_payments]   # listing components replaces the default list
    name = "Card payments"
    statuspage_id = "8kbf7d35c070"     # the Atlassian Statuspage component, when the connector is on
    [comms.templates.gateway_down]     # added to (or replacing one of) the built-in templates (default.toml)
    name = "Payment gateway down"
    match = ["gateway", "acquirer"]    # words in the incident's title or surface that pick this template
    components = ["card_payments"]
    title = "Card payments unavailable"
    investigating = "We are investigating failed payments on {components} since {started}. ..."

Template texts may use only the placeholders in PLACEHOLDERS; a typo stops startup with the key named.
"""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.durations import parse_duration
from bot.policy.defaults import defaults
from bot.policy.ids import channel_id
from bot.policy.matching import best_match
from models.comms import COMPONENT_STATES

PLACEHOLDERS = {
    "components": "the affected components, e.g. “Card payments and API”",
    "started": "when the incident started, e.g. “09:05 UTC”",
    "next_update": "when the next update is due, e.g. “09:35 UTC”",
    "title": "the message's public title (in a template's own title: the incident's title in Slack)",
}
MAX_TEMPLATE_TEXT = 3000


def placeholders_in(text: str) -> list[str]:
    """The `{name}` fields of a template text; ValueError for a malformed one."""
    names = []
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{field}}} (known: {known}; write {{{{ and }}}} for braces)")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} takes no format or conversion")
        names.append(field)
    return names


class Component(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    statuspage_id: str | None = None


class Route(BaseModel):
    """A stakeholder channel and the severities whose updates it receives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(min_length=1)
    severities: tuple[str, ...]
    private_safe: bool = False
    drills: bool = False  # drills' updates go here too (a game-day stakeholder channel)

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        return channel_id(v) or v


class Template(BaseModel):
    """A customer message for one kind of incident: a public title and a text per public status."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=75)
    match: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    title: str = Field(min_length=1, max_length=150)
    investigating: str = Field(min_length=1, max_length=MAX_TEMPLATE_TEXT)
    identified: str = Field(min_length=1, max_length=MAX_TEMPLATE_TEXT)
    monitoring: str = Field(min_length=1, max_length=MAX_TEMPLATE_TEXT)
    resolved: str = Field(min_length=1, max_length=MAX_TEMPLATE_TEXT)

    @field_validator("title", "investigating", "identified", "monitoring", "resolved")
    @classmethod
    def _placeholders(cls, v: str) -> str:
        placeholders_in(v)
        return v

    def text_for(self, status: str) -> str:
        return str(getattr(self, status))


_BUILTIN = defaults("comms")
DEFAULT_COMPONENTS: dict[str, dict[str, Any]] = _BUILTIN["components"]
DEFAULT_TEMPLATES: dict[str, dict[str, Any]] = _BUILTIN["templates"]
FALLBACK_TEMPLATE = "general"
DEFAULT_IMPACT: dict[str, str] = _BUILTIN["impact"]


class Comms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    page_title: str = Field(default=_BUILTIN["page_title"], min_length=1, max_length=100)
    history_days: int = Field(default=_BUILTIN["history_days"], ge=1, le=366)
    resolved_reminder: timedelta | None = None  # None: the severity's update cadence
    components: dict[str, Component] = Field(
        default_factory=lambda: {k: Component(**v) for k, v in DEFAULT_COMPONENTS.items()}, min_length=1)
    routes: dict[str, Route] = {}
    templates: dict[str, Template] = Field(
        default_factory=lambda: {k: Template(**v) for k, v in DEFAULT_TEMPLATES.items()})
    impact: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_IMPACT))  # severity -> component state

    @field_validator("resolved_reminder", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> timedelta | None:
        return parse_duration(v)

    @model_validator(mode="before")
    @classmethod
    def _merge_templates(cls, data: Any) -> Any:
        """Templates named in the file add to the defaults or replace one of them, key by key. The
        defaults keep only the components the page has, so listing your own components keeps them usable."""
        if not isinstance(data, dict) or not isinstance(data.get("templates", {}), dict):
            return data
        given = data.get("components")
        known = set(given) if isinstance(given, dict) else set(DEFAULT_COMPONENTS)
        merged: dict[str, Any] = {k: {**t, "components": [c for c in t["components"] if c in known]}
                                  for k, t in DEFAULT_TEMPLATES.items()}
        for key, t in data.get("templates", {}).items():
            merged[key] = {**merged[key], **t} if isinstance(t, dict) and key in merged else t
        return {**data, "templates": merged}

    @model_validator(mode="after")
    def _consistent(self) -> Comms:
        for key, t in self.templates.items():
            for c in t.components:
                if c not in self.components:
                    raise ValueError(f"templates.{key}.components: no component {c!r} "
                                     f"(known: {', '.join(self.components)})")
        for sev, state in self.impact.items():
            if state not in COMPONENT_STATES[1:]:
                raise ValueError(f"impact.{sev}: {state!r} is not one of {', '.join(COMPONENT_STATES[1:])}")
        if FALLBACK_TEMPLATE not in self.templates:
            raise ValueError(f"templates: the {FALLBACK_TEMPLATE!r} template is needed as the fallback")
        return self

    def template_for(self, title: str, surface: str | None, incident_type: str | None = None) -> str:
        """The template named like the incident's type (its playbook), else the one whose `match` words
        appear in the incident's title or surface; else the fallback."""
        if incident_type in self.templates:
            return incident_type  # type: ignore[return-value]
        return best_match({k: t.match for k, t in self.templates.items()}, title, surface) or FALLBACK_TEMPLATE

    def check_severities(self, names: set[str]) -> None:
        """Routes and impacts may name only severities the policy has (checked by the policy loader)."""
        for key, route in self.routes.items():
            for sev in route.severities:
                if sev not in names:
                    raise ValueError(f"routes.{key}.severities: no severity {sev!r}")
        for sev in self.impact:
            if sev not in names:
                raise ValueError(f"impact.{sev}: no such severity")
