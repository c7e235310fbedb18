"""`[regulatory]`: the regimes an incident may have to be reported under, their classification
criteria and rule, the reports each asks for and their deadlines; who is reminded; and which alert
labels pre-fill the impact fields.

    [regulatory]
    compliance_group = "S0COMPLIANCE"   # reminded before every deadline
    remind_before = ["1h", "15m"]
    [regulatory.labels]                 # alert label -> impact field
    region = "regions"
    [[regulatory.regimes]]              # a regime with a built-in key changes it; a new key adds one
    key = "dora"
    enabled = true

A regime's rule: every `required` criterion met, and then either one of `any_of` or at least
`at_least` of `of`. A criterion is met when any of its inputs is (a ticked box, a number at or above
its `min`). A report's clock runs `within` from `from` (classification, awareness, or the submission of
another report of the regime), and never past `at_most` after `at_most_from`. Durations as elsewhere,
plus `1mo` for calendar months.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.durations import parse_duration
from bot.impact.fields import FIELDS, parse_value  # the impact grammar: the one place impact values are read
from bot.policy.defaults import defaults

_BUILTIN = defaults("regulatory")
_MONTHS = re.compile(r"^\s*(\d+)\s*mo\s*$")
IMPACT_FIELDS = ("failed", "failed_rate", "delayed", "delayed_rate", "amount", "currency", "merchants",
                 "key_merchants", "methods", "acquirers", "regions", "customers", "data")
LABEL_FIELDS = ("regions", "methods", "acquirers", "key_merchants")  # the list fields a label can fill
PREFILLS = ("customers", "regions_count", "data_affected", "data_breach", "card_data", "amount_eur",
            "duration_hours", "downtime_hours", "critical_services")


class Offset(BaseModel):
    """A span of time: calendar months (a month after 31 Jan is 28/29 Feb) plus a duration."""

    model_config = ConfigDict(frozen=True)

    months: int = 0
    delta: timedelta = timedelta(0)

    def after(self, start: datetime, speed: int = 1) -> datetime:
        if speed > 1:  # a drill's compressed clock: a month counts as 30 days
            return start + (self.delta + timedelta(days=30 * self.months)) / speed
        month = start.month - 1 + self.months
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
                              30, 31, 31, 30, 31, 30, 31][month - 1])
        return start.replace(year=year, month=month, day=day) + self.delta

    @property
    def label(self) -> str:
        if self.months:
            return f"{self.months} month{'s' if self.months != 1 else ''}"
        hours = int(self.delta.total_seconds() // 3600)
        return f"{hours} h" if hours else f"{int(self.delta.total_seconds() // 60)} min"


def parse_offset(value: Any) -> Offset:
    m = _MONTHS.match(value) if isinstance(value, str) else None
    if m:
        return Offset(months=int(m.group(1)))
    td = parse_duration(value)
    if td is None:
        raise ValueError(f"{value!r}: a deadline needs a time (4h, 72h, 3d, 1mo)")
    return Offset(delta=td)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    label: str = Field(min_length=1, max_length=150)
    kind: Literal["bool", "number"] = "bool"
    min: float | None = None  # a number meets the criterion at or above this
    prefill: str | None = None  # what the impact facts suggest (PREFILLS)

    @field_validator("prefill")
    @classmethod
    def _prefill(cls, v: str | None) -> str | None:
        if v is not None and v not in PREFILLS:
            raise ValueError(f"{v!r} is not a pre-fill (one of {', '.join(PREFILLS)})")
        return v

    def met(self, value: Any) -> bool:
        if self.kind == "bool":
            return value is True
        return isinstance(value, (int, float)) and self.min is not None and value >= self.min


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=75)
    inputs: tuple[Input, ...] = Field(min_length=1)

    def met(self, values: dict[str, Any]) -> bool:
        return any(i.met(values.get(i.key)) for i in self.inputs)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    at_least: int = Field(default=0, ge=0)
    of: tuple[str, ...] = ()

    def major(self, met: set[str]) -> bool:
        if not all(k in met for k in self.required):
            return False
        if not self.any_of and not self.at_least:
            return True
        return any(k in met for k in self.any_of) or (self.at_least > 0 and len(met & set(self.of)) >= self.at_least)


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=75)
    within: Offset
    start: str = Field(alias="from")  # classification | awareness | another report's key
    at_most: Offset | None = None
    at_most_from: Literal["classification", "awareness"] = "awareness"
    contact: str | None = Field(default=None, max_length=200)

    @field_validator("within", "at_most", mode="before")
    @classmethod
    def _offset(cls, v: Any) -> Any:
        return v if v is None or isinstance(v, Offset) else parse_offset(v)


class Regime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=100)
    enabled: bool = False
    template: Literal["dora", "gdpr", "generic"] = "generic"
    authority: str = "the regulator"
    sources: tuple[str, ...] = ()
    rule: Rule = Rule()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    reports: tuple[Report, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Regime:
        keys = {c.key for c in self.criteria}
        for name in (*self.rule.required, *self.rule.any_of, *self.rule.of):
            if name not in keys:
                raise ValueError(f"rule names {name!r}, which is not one of its criteria")
        reports = [r.key for r in self.reports]
        for r in self.reports:
            if r.start not in ("classification", "awareness") and r.start not in reports:
                raise ValueError(f"report {r.key!r} starts from {r.start!r}: not a report of this regime")
        inputs = [i.key for c in self.criteria for i in c.inputs]
        if len(inputs) != len(set(inputs)):
            raise ValueError("two inputs share a key")
        if sum(1 for c in self.criteria for i in c.inputs if i.kind == "bool") > 10:
            raise ValueError("at most 10 yes/no inputs (one checkbox group)")
        return self

    def report(self, key: str) -> Report | None:
        return next((r for r in self.reports if r.key == key), None)

    def inputs(self) -> list[Input]:
        return [i for c in self.criteria for i in c.inputs]

    def evaluate(self, values: dict[str, Any]) -> tuple[bool, list[str]]:
        met = [c.key for c in self.criteria if c.met(values)]
        return self.rule.major(set(met)), met


def _types(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per incident type, the impact fields it implies at declaration, typed as /incident impact types them."""
    out: dict[str, dict[str, Any]] = {}
    for kind, values in raw.items():
        if not isinstance(values, dict):
            raise ValueError(f"{kind}: a table of impact fields, e.g. {{ data = [\"confidentiality\"] }}")
        typed: dict[str, Any] = {}
        for field, value in values.items():
            if field not in FIELDS:
                raise ValueError(f"{kind}.{field}: not an impact field ({', '.join(FIELDS)})")
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            try:
                typed[field] = parse_value(field, text)
            except Exception as exc:  # an InvalidInput: its words name what is wrong
                raise ValueError(f"{kind}.{field}: {exc}") from None
        out[str(kind)] = typed
    return out


def _merge_regimes(raw: Any) -> list[dict[str, Any]]:
    """The file's regimes by key over the built-in ones: a known key changes what it names, a new one adds."""
    merged = {r["key"]: dict(r) for r in _BUILTIN.get("regimes", [])}
    if not isinstance(raw, list):
        raise ValueError("write regimes as [[regulatory.regimes]] tables")
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise ValueError("every [[regulatory.regimes]] needs a key")
        merged[item["key"]] = {**merged.get(item["key"], {}), **item}
    return list(merged.values())


class Regulatory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    compliance_group: str | None = _BUILTIN.get("compliance_group") or None
    compliance_channel: str | None = None  # reminders go here too (a channel id)
    remind_before: tuple[timedelta, ...] = tuple(parse_duration(v) for v in _BUILTIN["remind_before"])  # type: ignore[misc]
    labels: dict[str, str] = Field(default_factory=lambda: dict(_BUILTIN["labels"]))
    types: dict[str, dict[str, Any]] = Field(default_factory=lambda: _types(_BUILTIN.get("types", {})))
    regimes: tuple[Regime, ...] = Field(default_factory=lambda: tuple(
        Regime.model_validate(r) for r in _BUILTIN["regimes"]))

    @field_validator("compliance_group", "compliance_channel", mode="before")
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return v or None

    @field_validator("remind_before", mode="before")
    @classmethod
    def _reminders(cls, v: Any) -> tuple[timedelta, ...]:
        if not isinstance(v, (list, tuple)):
            raise ValueError('write reminders as a list, e.g. ["1h", "15m"]')
        out = [d if isinstance(d, timedelta) else parse_duration(d) for d in v]
        return tuple(sorted((d for d in out if d), reverse=True))

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, v: Any) -> dict[str, str]:
        if not isinstance(v, dict):
            raise ValueError("must be a table of label = field")
        out = {**_BUILTIN["labels"], **v}
        for label, field in out.items():
            if field not in LABEL_FIELDS:
                raise ValueError(f"{label}: {field!r} is not an impact field a label can fill "
                                 f"({', '.join(LABEL_FIELDS)})")
        return {str(k).lower(): str(f) for k, f in out.items() if f}

    @field_validator("types", mode="before")
    @classmethod
    def _types(cls, v: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(v, dict):
            raise ValueError("must be tables like [regulatory.types.card_data_compromise]")
        return _types({**_BUILTIN.get("types", {}), **v})

    @field_validator("regimes", mode="before")
    @classmethod
    def _regimes(cls, v: Any) -> Any:
        if isinstance(v, tuple) and all(isinstance(r, Regime) for r in v):
            return v
        return tuple(_merge_regimes(v))

    def regime(self, key: str) -> Regime | None:
        return next((r for r in self.regimes if r.key == key), None)

    @property
    def enabled(self) -> tuple[Regime, ...]:
        return tuple(r for r in self.regimes if r.enabled)
