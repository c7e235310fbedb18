"""Playbooks, the resolution checklist and drill scenarios: the policy's [playbooks.*], [resolution]
and [drills.*] tables.

    [playbooks.gateway_down]           # added to (or replacing one of) the default playbooks
    name = "Payment gateway down"
    match = ["gateway", "acquirer"]    # words in the title or surface that pick it when nobody chose
    actions = ["Roll back the last gateway deploy", "Fail over to the backup acquirer"]

    [resolution]
    checks = ["Permanent fix in place or scheduled", "Validated with test transactions"]

    [drills.gateway]
    name = "SEV-1: card gateway down"
    severity = "SEV-1"
    title = "Card gateway down"
    type = "gateway_down"
    speed = 5                          # the clocks run five times faster
    events = [{ after = "2m", kind = "alert", text = "Card auth success rate 31% (threshold 95%)" }]
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.durations import parse_duration

_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
MAX_ACTIONS = 10  # one checkboxes element holds ten options
MAX_ACTION_TEXT = 75  # an option's text


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=75)
    match: tuple[str, ...] = ()
    actions: tuple[str, ...] = Field(min_length=1, max_length=MAX_ACTIONS)

    @field_validator("actions")
    @classmethod
    def _short(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for action in v:
            if not action.strip() or len(action) > MAX_ACTION_TEXT:
                raise ValueError(f"{action!r}: an action is 1 to {MAX_ACTION_TEXT} characters")
        return v


# The seed's immediate actions: roll back, fail over, rate-limit, trigger settlements manually, disable
# the failing payment method; each incident type gets the ones that apply, and a few of its own.
DEFAULT_PLAYBOOKS: dict[str, dict[str, Any]] = {
    "gateway_down": {
        "name": "Payment gateway down",
        "match": ["gateway", "acquirer", "checkout", "payments failing", "all payments", "authorisation",
                  "authorization"],
        "actions": ["Roll back the last gateway deploy or config change", "Fail over to the backup gateway or "
                    "acquirer", "Rate-limit retries to protect the gateway", "Check the acquirer's status page",
                    "Tell merchants through the Communications Manager"],
    },
    "bank_integration_outage": {
        "name": "Bank integration outage",
        "match": ["bank", "sepa", "ach", "swift", "bank transfer"],
        "actions": ["Fail over to the backup bank route", "Queue outgoing transfers instead of failing them",
                    "Confirm the outage with the bank's support line",
                    "Trigger settlements manually once the bank is back"],
    },
    "fraud_system_failing": {
        "name": "Fraud system failing",
        "match": ["fraud", "risk", "3-d secure", "3ds"],
        "actions": ["Switch to the fallback fraud rules", "Rate-limit high-risk traffic",
                    "Roll back the last fraud model or rules change", "Review transactions approved meanwhile"],
    },
    "delayed_settlements": {
        "name": "Delayed settlements",
        "match": ["settlement", "settle", "payout"],
        "actions": ["Trigger settlements manually", "Find the batches that did not run",
                    "Tell affected merchants through the Communications Manager"],
    },
    "high_api_latency": {
        "name": "High API latency",
        "match": ["latency", "slow", "timeout", "api"],
        "actions": ["Roll back the last deploy", "Rate-limit the heaviest clients", "Scale out the API tier",
                    "Fail over to the standby region"],
    },
    "payment_method_failing": {
        "name": "One payment method failing",
        "match": ["payment method", "apple pay", "google pay", "paypal", "ideal", "klarna", "wallet"],
        "actions": ["Disable the failing payment method at checkout", "Route to an alternative provider",
                    "Roll back the last change to that integration"],
    },
    "refunds_delayed": {
        "name": "Refunds delayed",
        "match": ["refund"],
        "actions": ["Re-queue the stuck refunds", "Trigger refunds manually for urgent cases",
                    "Roll back the last refunds change"],
    },
    "reconciliation_issues": {
        "name": "Reconciliation issues",
        "match": ["reconciliation", "ledger", "mismatch"],
        "actions": ["Pause payouts that depend on the mismatched ledger", "Run the reconciliation manually",
                    "Trigger settlements manually for corrected batches"],
    },
    "other": {
        "name": "Other",
        "actions": ["Roll back recent changes", "Fail over to a healthy region or provider",
                    "Rate-limit to protect what still works", "Disable the failing payment method if one is"],
    },
}

DEFAULT_RESOLUTION_CHECKS = (
    "Permanent fix in place or scheduled",
    "Validated with test transactions",
    "Monitoring for recurrence",
    "Settlements and reconciliations corrected, or not affected",
)


class Resolution(BaseModel):
    """What is checked before an incident is resolved; resolving with any unchecked needs a reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checks: tuple[str, ...] = Field(default=DEFAULT_RESOLUTION_CHECKS, min_length=1, max_length=MAX_ACTIONS)


class DrillEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after: timedelta  # from the start of the drill, in drill time (before speeding up)
    kind: Literal["alert", "merchant_complaint", "customer_report", "update", "message"]
    text: str = Field(min_length=1, max_length=2000)

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, v: Any) -> timedelta:
        parsed = parse_duration(v)
        if parsed is None:
            raise ValueError("a drill event needs a time, e.g. after = \"5m\"")
        return parsed


class Drill(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=75)
    severity: str = "SEV-1"
    title: str = Field(min_length=1, max_length=120)
    type: str = "other"
    surface: str | None = None
    speed: int = Field(default=1, ge=1, le=60)  # the clocks run this many times faster
    events: tuple[DrillEvent, ...] = ()


DEFAULT_DRILLS: dict[str, dict[str, Any]] = {
    "gateway": {
        "name": "SEV-1: card gateway down",
        "severity": "SEV-1",
        "title": "Card gateway down in EU",
        "type": "gateway_down",
        "surface": "card payments",
        "speed": 1,
        "events": [
            {"after": "1m", "kind": "alert",
             "text": "[FIRING] CardAuthSuccessRateLow: EU card authorisation success 31% (threshold 95%)"},
            {"after": "4m", "kind": "merchant_complaint",
             "text": "Merchant ShopCo: every card payment fails with 'issuer unavailable' since 10 minutes"},
            {"after": "8m", "kind": "update",
             "text": "Latency spike: p99 of /v1/payments at 4.2 s (normally 300 ms)"},
        ],
    },
    "settlements": {
        "name": "SEV-2: settlements delayed",
        "severity": "SEV-2",
        "title": "Nightly settlement batch did not run",
        "type": "delayed_settlements",
        "surface": "payouts",
        "events": [
            {"after": "2m", "kind": "alert", "text": "[FIRING] SettlementBatchMissing: batch 2026-01-14 not started"},
            {"after": "10m", "kind": "merchant_complaint", "text": "Merchant BikeHub: yesterday's payout is missing"},
        ],
    },
}


def _keyed(model: type[BaseModel], defaults: dict[str, dict[str, Any]], v: Any, what: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ValueError(f"must be tables like [{what}.<key>]")
    merged = {k: dict(d) for k, d in defaults.items()}
    for key, item in v.items():
        if not _KEY.match(str(key)):
            raise ValueError(f"{key!r}: keys are lowercase letters, digits and _ (at most 40)")
        if isinstance(item, BaseModel):
            merged[str(key)] = item.model_dump()
        elif isinstance(item, dict):
            merged[str(key)] = {**merged.get(str(key), {}), **item}
        else:
            raise ValueError(f"{key!r} must be a table")
    out = {}
    for key, data in merged.items():
        try:
            out[key] = model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in (key, *err["loc"]))
            raise ValueError(f"{loc}: {err['msg'].removeprefix('Value error, ')}") from None
    return out


class Playbooks(BaseModel):
    """Per incident type, the immediate actions posted as a checklist at declaration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    types: dict[str, Playbook] = Field(default_factory=lambda: _keyed(Playbook, DEFAULT_PLAYBOOKS, {}, "playbooks"))

    @model_validator(mode="before")
    @classmethod
    def _tables(cls, v: Any) -> Any:
        if isinstance(v, dict) and "types" not in v:
            return {"types": _keyed(Playbook, DEFAULT_PLAYBOOKS, v, "playbooks")}
        return v

    def get(self, key: str | None) -> Playbook:
        return self.types.get(key or "other") or self.types.get("other") or next(iter(self.types.values()))

    def guess(self, *texts: str | None) -> str:
        """The type whose words appear in the title or surface; `other` when none does."""
        haystack = " ".join(t.lower() for t in texts if t)
        for key, playbook in self.types.items():
            if any(word.lower() in haystack for word in playbook.match):
                return key
        return "other" if "other" in self.types else next(iter(self.types))


class Drills(BaseModel):
    """Game-day scenarios for `/incident drill <key>`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenarios: dict[str, Drill] = Field(default_factory=lambda: _keyed(Drill, DEFAULT_DRILLS, {}, "drills"))

    @model_validator(mode="before")
    @classmethod
    def _tables(cls, v: Any) -> Any:
        if isinstance(v, dict) and "scenarios" not in v:
            return {"scenarios": _keyed(Drill, DEFAULT_DRILLS, v, "drills")}
        return v
