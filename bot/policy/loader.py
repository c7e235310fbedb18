"""The incident policy as one model, and loading it: the built-in policy (default.toml) with the
operator's TOML file (INCIDENT_POLICY) over it, each section validated by its own module, then checked
across sections (a route, a drill or an alert rule naming a severity that does not exist). A bad file
stops startup with a PolicyError naming the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.policy.alerts import AlertPolicy
from bot.policy.comms import Comms
from bot.policy.defaults import defaults
from bot.policy.drills import Drills
from bot.policy.escalation import Escalation
from bot.policy.oncall import OnCall
from bot.policy.permissions import Permissions
from bot.policy.pir import PirPolicy
from bot.policy.playbooks import Playbooks
from bot.policy.regulatory import Regulatory
from bot.policy.resolution import Resolution
from bot.policy.routes import Routes, View, is_person
from bot.policy.severities import SEV_KEY, Severity

DEFAULT_SEVERITIES: dict[str, dict[str, Any]] = defaults("severity")


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key."""


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
    routes: Routes = Routes()
    permissions: Permissions = Permissions()
    regulatory: Regulatory = Regulatory()

    def severity(self, level: int) -> Severity:
        for s in self.severities:
            if s.level == level:
                return s
        raise KeyError(level)

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(s.level for s in self.severities)

    def route_view(self, channel: str, *, private: bool, drill: bool) -> View:
        """How an incident may show in `channel`, which is not its own: in full, as a redacted notice (a
        private incident where that is not safe), or held back in its own channel (a drill where drills
        do not go). A DM to a person is always in full."""
        if is_person(channel):
            return "full"
        routes = [r for r in self.comms.routes.values() if r.channel == channel]
        if drill and channel not in self.routes.drills and not any(r.drills for r in routes):
            return "held"
        if private and channel not in self.routes.private_safe and not any(r.private_safe for r in routes):
            return "redacted"
        return "full"


# The policy file's tables besides [severity.*]: name -> the model that validates it (a field of Policy).
SECTIONS: dict[str, type[BaseModel]] = {"escalation": Escalation, "oncall": OnCall, "pir": PirPolicy, "comms": Comms,
                                         "alerts": AlertPolicy, "playbooks": Playbooks, "resolution": Resolution,
                                         "drills": Drills, "routes": Routes, "permissions": Permissions,
                                         "regulatory": Regulatory}


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
        if not SEV_KEY.match(key):
            raise PolicyError(f"{source}: severity.{key}: severities are named SEV-1 .. SEV-9")
        if not isinstance(override, dict):
            raise PolicyError(f"{source}: severity.{key} must be a table")
        merged.setdefault(key, {}).update(override)
    severities = []
    for key in sorted(merged, key=lambda k: int(SEV_KEY.match(k).group(1))):  # type: ignore[union-attr]
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
