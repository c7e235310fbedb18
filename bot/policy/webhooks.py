"""`[[webhooks]]`: where incidents are sent as signed JSON events (bot/records/webhooks.py).

    [[webhooks]]
    name = "dashboard"                     # optional; defaults to webhook-<n>
    url = "https://hooks.example.com/incidents"
    secret = "env:DASHBOARD_WEBHOOK_SECRET"  # the HMAC key: literal, or env:<NAME> to read it from the environment
    events = ["incident.declared", "incident.resolved"]   # default: every event
    private_safe = false                   # true: private incidents are sent here too
"""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

EVENTS = ("incident.declared", "incident.severity_changed", "incident.status_changed", "incident.role_assigned",
          "incident.update_posted", "incident.resolved", "incident.closed", "review.completed",
          "action_item.changed")
_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    secret: str
    events: tuple[str, ...] = EVENTS
    private_safe: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError(f"{v!r}: a webhook's name is lowercase letters, digits, - and _ (at most 64)")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")) or len(v) > 2000:
            raise ValueError(f"{v[:100]!r} is not an http(s) URL")
        return v

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: str) -> str:
        if v.startswith("env:"):
            name = v[4:]
            v = os.environ.get(name, "")
            if not v:
                raise ValueError(f"secret = \"env:{name}\" but {name} is not set")
        if len(v) < 16:
            raise ValueError("a webhook secret must be at least 16 characters")
        return v

    @field_validator("events")
    @classmethod
    def _events(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for event in v:
            if event not in EVENTS:
                raise ValueError(f"{event!r} is not an event (one of {', '.join(EVENTS)})")
        return v


def parse_webhooks(raw: Any) -> tuple[Webhook, ...]:
    """The `[[webhooks]]` array; each entry validated, names unique. ValueError names `<n>.<field>`."""
    if not isinstance(raw, list):
        raise ValueError("must be an array of tables written [[webhooks]]")
    out: list[Webhook] = []
    for n, entry in enumerate(raw):
        if isinstance(entry, Webhook):
            out.append(entry)
            continue
        if not isinstance(entry, dict):
            raise ValueError(f"{n}: must be a table")
        out.append(Webhook.model_validate({"name": f"webhook-{n + 1}", **entry}))
    names = [w.name for w in out]
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise ValueError(f"two webhooks are named {dupes[0]!r}")
    return tuple(out)
