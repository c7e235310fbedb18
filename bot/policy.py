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

from bot.alerting.policy import AlertPolicy
from bot.comms_policy import Comms
from bot.durations import parse_duration
from bot.playbook_policy import Drills, Playbooks, Resolution

_SEV_KEY = re.compile(r"^SEV-(\d)$")


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key."""


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


_PIR_DUE = re.compile(r"^\s*(\d+)\s*(d|bd)\s*$")


class PirDue(BaseModel):
    """When a severity's post-incident review is due: `days` after resolution (business days when
    `business`), optional (a review can be written, nothing reminds), or none (no review card)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["due", "optional", "none"]
    days: int = 0
    business: bool = False

    @property
    def label(self) -> str:
        if self.kind != "due":
            return self.kind
        return f"{self.days} {'business ' if self.business else ''}day{'s' if self.days != 1 else ''}"


def parse_pir_due(value: Any) -> PirDue:
    if isinstance(value, str) and value.strip().lower() in ("optional", "none"):
        return PirDue(kind=value.strip().lower())  # type: ignore[arg-type]
    m = _PIR_DUE.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a review due time (write 3d, 5bd for business days, optional or none)")
    return PirDue(kind="due", days=int(m.group(1)), business=m.group(2) == "bd")


DEFAULT_PIR_DUE = {"SEV-1": "3d", "SEV-2": "5bd", "SEV-3": "optional", "SEV-4": "none"}


class PirPolicy(BaseModel):
    """The post-incident review: when it is due per severity, and how its owners are reminded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due: dict[str, PirDue] = {k: parse_pir_due(v) for k, v in DEFAULT_PIR_DUE.items()}
    remind_before: timedelta | None = timedelta(days=1)  # the owner's reminder before the due time
    overdue_every: timedelta | None = timedelta(days=1)  # reminders once the review is overdue
    action_overdue_every: timedelta | None = timedelta(days=1)  # reminders for an overdue action item

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, v: Any) -> dict[str, PirDue]:
        if not isinstance(v, dict):
            raise ValueError("must be a table like { SEV-1 = \"3d\" }")
        out = {k: parse_pir_due(d) for k, d in DEFAULT_PIR_DUE.items()}  # the file overrides severities it names
        for key, item in v.items():
            if not _SEV_KEY.match(str(key)):
                raise ValueError(f"{key!r}: severities are named SEV-1 .. SEV-9")
            out[str(key)] = item if isinstance(item, PirDue) else parse_pir_due(item)
        return out

    @field_validator("remind_before", "overdue_every", "action_overdue_every", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> timedelta | None:
        return parse_duration(v)

    def due_for(self, severity: str) -> PirDue:
        """A severity the table does not name gets an optional review."""
        return self.due.get(severity) or PirDue(kind="optional")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severities: tuple[Severity, ...]
    escalation: Escalation = Escalation()
    oncall: OnCall = OnCall()
    pir: PirPolicy = PirPolicy()
    comms: Comms = Comms()
    alerts: AlertPolicy = AlertPolicy()
    playbooks: Playbooks = Playbooks()
    resolution: Resolution = Resolution()
    drills: Drills = Drills()

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



# The policy file's tables besides [severity.*]: name -> the model that validates it (a field of Policy).
SECTIONS: dict[str, type[BaseModel]] = {"escalation": Escalation, "oncall": OnCall, "pir": PirPolicy, "comms": Comms,
                                         "alerts": AlertPolicy, "playbooks": Playbooks, "resolution": Resolution,
                                         "drills": Drills}


def _section(model: type[BaseModel], raw: Any, name: str, source: str) -> Any:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {name} must be a table like [{name}]")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join([name, *(str(p) for p in err["loc"])])  # a whole-section check has no location
        raise PolicyError(f"{source}: {loc}: {err['msg'].removeprefix('Value error, ')}") from None


def _build(raw: dict[str, Any], source: str) -> Policy:
    known = ("severity", *SECTIONS)
    unknown = set(raw) - set(known)
    if unknown:
        raise PolicyError(f"{source}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(known)})")
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
    sections = {name: _section(model, raw.get(name, {}), name, source) for name, model in SECTIONS.items()}
    for key in sections["oncall"].severity:
        if key not in merged:
            raise PolicyError(f"{source}: oncall.severity.{key}: no such severity")
    for key in sections["pir"].due:
        if key not in merged:
            raise PolicyError(f"{source}: pir.due.{key}: no such severity")
    for key, drill in sections["drills"].scenarios.items():
        if drill.severity not in merged:
            raise PolicyError(f"{source}: drills.{key}.severity: no such severity {drill.severity!r}")
        if drill.type not in sections["playbooks"].types:
            raise PolicyError(f"{source}: drills.{key}.type: no playbook {drill.type!r}")
    try:
        sections["comms"].check_severities(set(merged))
    except ValueError as exc:
        raise PolicyError(f"{source}: comms.{exc}") from None
    levels = {s.level for s in severities}
    for key, level in sections["alerts"].levels_used():
        if level not in levels:
            raise PolicyError(f"{source}: alerts.{key}: no severity level {level} (levels: {sorted(levels)})")
    return Policy(severities=tuple(severities), **sections)


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
