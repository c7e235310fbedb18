"""The incident policy: severities with their impact lines, SLAs, update cadences and escalation.

Every figure is a default from DESIGN.md that an operator can override in a TOML file named by
INCIDENT_POLICY. Durations are written `90s`, `15m`, `4h`, `2d`, or `none`. A bad file stops
startup with a PolicyError naming the key.
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key."""


def parse_duration(value: Any) -> timedelta | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "")):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a duration (write 90s, 15m, 4h, 2d or none)")
    if isinstance(value, int):
        return timedelta(seconds=value)
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a duration (write 90s, 15m, 4h, 2d or none)")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def format_duration(td: timedelta | None) -> str:
    if td is None:
        return "none"
    secs = int(td.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs and secs % size == 0:
            return f"{secs // size}{unit}"
    return f"{secs}s"


class Severity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int
    name: str
    label: str
    impact: str
    examples: tuple[str, ...] = ()
    ack_sla: timedelta | None = None
    ack_breach: timedelta | None = None
    update_cadence: timedelta | None = None
    role_watch: timedelta | None = None  # remind about unfilled IC / TL / comms roles after this
    escalate: Literal["declaration", "breach", "never"] = "never"

    @field_validator("ack_sla", "ack_breach", "update_cadence", "role_watch", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> timedelta | None:
        return parse_duration(v)

    @property
    def title(self) -> str:
        return f"{self.name} {self.label}"


class Escalation(BaseModel):
    """Where breaches and leadership escalations go: a channel, and the user group to mention there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    leadership_group: str | None = None


class OnCall(BaseModel):
    """The on-call user group to ping: by payment surface first, then by severity, then the default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str | None = None
    severity: dict[str, str] = {}
    surface: dict[str, str] = {}

    def group_for(self, severity: str, surface: str | None) -> str | None:
        if surface:
            wanted = surface.lower()
            for name, group in self.surface.items():
                if name.lower() in wanted:
                    return group
        return self.severity.get(severity) or self.group


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severities: tuple[Severity, ...]
    escalation: Escalation = Escalation()
    oncall: OnCall = OnCall()

    def severity(self, level: int) -> Severity:
        for s in self.severities:
            if s.level == level:
                return s
        raise KeyError(level)

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(s.level for s in self.severities)


DEFAULT_SEVERITIES: dict[str, dict[str, Any]] = {
    "SEV-1": {
        "label": "Critical",
        "impact": "Major outage: all transactions failing, legal or regulatory risk",
        "examples": ["payment gateway down", "fraud system failing", "major bank integration outage"],
        "ack_sla": "5m", "ack_breach": "10m", "update_cadence": "15m", "role_watch": "10m",
        "escalate": "declaration",
    },
    "SEV-2": {
        "label": "High",
        "impact": "Partial degradation: high failure rates for some payments",
        "examples": ["delayed settlements", "high API latency", "one region affected"],
        "ack_sla": "15m", "ack_breach": "30m", "update_cadence": "30m", "role_watch": "10m", "escalate": "breach",
    },
    "SEV-3": {
        "label": "Moderate",
        "impact": "Minor impact: a workaround exists",
        "examples": ["one payment method failing", "refund delays", "minor reconciliation issues"],
        "ack_sla": "4h", "ack_breach": "none", "update_cadence": "4h", "escalate": "never",
    },
    "SEV-4": {
        "label": "Low",
        "impact": "Cosmetic: no customer impact",
        "examples": ["wrong status display", "minor UI bug", "log inconsistency"],
        "ack_sla": "none", "ack_breach": "none", "update_cadence": "none", "escalate": "never",
    },
}

_SEV_KEY = re.compile(r"^SEV-(\d)$")


def _section(model: type[BaseModel], raw: Any, name: str, source: str) -> Any:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {name} must be a table like [{name}]")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"{source}: {name}.{loc}: {err['msg'].removeprefix('Value error, ')}") from None


def _build(raw: dict[str, Any], source: str) -> Policy:
    unknown = set(raw) - {"severity", "escalation", "oncall"}
    if unknown:
        raise PolicyError(f"{source}: unknown key {sorted(unknown)[0]!r} (known: severity, escalation, oncall)")
    table = raw.get("severity", {})
    if not isinstance(table, dict):
        raise PolicyError(f"{source}: severity must be a table like [severity.SEV-1]")
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in DEFAULT_SEVERITIES.items()}
    for key, override in table.items():
        if not _SEV_KEY.match(key):
            raise PolicyError(f"{source}: severity.{key}: severities are named SEV-1 .. SEV-9")
        if not isinstance(override, dict):
            raise PolicyError(f"{source}: severity.{key} must be a table")
        merged.setdefault(key, {}).update(override)
    severities = []
    for key in sorted(merged, key=lambda k: int(_SEV_KEY.match(k).group(1))):  # type: ignore[union-attr]
        data = {"level": int(key[4:]), "name": key, **merged[key]}
        try:
            severities.append(Severity.model_validate(data))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            raise PolicyError(f"{source}: severity.{key}.{loc}: {msg}") from None
    escalation = _section(Escalation, raw.get("escalation", {}), "escalation", source)
    oncall = _section(OnCall, raw.get("oncall", {}), "oncall", source)
    for key in oncall.severity:
        if key not in merged:
            raise PolicyError(f"{source}: oncall.severity.{key}: no such severity")
    return Policy(severities=tuple(severities), escalation=escalation, oncall=oncall)


def default_policy() -> Policy:
    return _build({}, "built-in policy")


def load_policy(path: str | Path | None) -> Policy:
    if not path:
        return default_policy()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise PolicyError(f"INCIDENT_POLICY={p}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{p}: not valid TOML: {exc}") from None
    return _build(raw, str(p))
