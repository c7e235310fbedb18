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
from bot.policy.confluence import ConfluencePolicy
from bot.policy.defaults import defaults
from bot.policy.drills import Drills
from bot.policy.escalation import Escalation
from bot.policy.jira import JiraPolicy
from bot.policy.oncall import OnCall
from bot.policy.paging import Paging
from bot.policy.permissions import Permissions
from bot.policy.pir import PirPolicy
from bot.policy.playbooks import Playbooks
from bot.policy.regulatory import Regulatory
from bot.policy.resolution import Resolution
from bot.policy.routes import Routes, View, is_person
from bot.policy.severities import SEV_KEY, Severity
from bot.policy.webhooks import Webhook, parse_webhooks

DEFAULT_SEVERITIES: dict[str, dict[str, Any]] = defaults("severity")


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key, one line per problem
    (`problems` holds the lines, for `incident-bot config check`)."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def _problems(exc: ValidationError, prefix: str) -> list[str]:
    """One line per error pydantic found, each naming its key (a whole-model check has no location)."""
    lines = []
    for err in exc.errors():
        loc = ".".join([prefix, *(str(p) for p in err["loc"])])
        lines.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return lines


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
    paging: Paging = Paging()
    jira: JiraPolicy = JiraPolicy()
    confluence: ConfluencePolicy = ConfluencePolicy()
    webhooks: tuple[Webhook, ...] = ()
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
                                         "paging": Paging, "jira": JiraPolicy, "confluence": ConfluencePolicy,
                                         "regulatory": Regulatory}


def _section(model: type[BaseModel], raw: Any, name: str, source: str) -> Any:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {name} must be a table like [{name}]")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(*(f"{source}: {line}" for line in _problems(exc, name))) from None


def _build(raw: dict[str, Any], source: str) -> Policy:
    known = ("severity", *SECTIONS, "webhooks")
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
    severities, problems = [], []
    for key in sorted(merged, key=lambda k: int(SEV_KEY.match(k).group(1))):  # type: ignore[union-attr]
        data = {"level": int(key[4:]), "name": key, **merged[key]}
        try:
            severities.append(Severity.model_validate(data))
        except ValidationError as exc:
            problems += [f"{source}: {line}" for line in _problems(exc, f"severity.{key}")]
    sections = {}
    for name, model in SECTIONS.items():
        try:
            sections[name] = _section(model, raw.get(name, {}), name, source)
        except PolicyError as exc:
            problems += exc.problems
    if problems:  # every section is checked before stopping, so one run names every mistake
        raise PolicyError(*problems)
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
    for key, name in sections["paging"].severities_named():
        if name not in merged:
            raise PolicyError(f"{source}: paging.{key}: no such severity {name!r}")
    levels = {s.level for s in severities}
    for key, level in sections["alerts"].levels_used():
        if level not in levels:
            raise PolicyError(f"{source}: alerts.{key}: no severity level {level} (levels: {sorted(levels)})")
    try:
        webhooks = parse_webhooks(raw.get("webhooks", []))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PolicyError(f"{source}: webhooks.{'.'.join(str(p) for p in err['loc'])}: "
                          f"{err['msg'].removeprefix('Value error, ')}") from None
    except ValueError as exc:
        raise PolicyError(f"{source}: webhooks: {exc}") from None
    return Policy(severities=tuple(severities), webhooks=webhooks, **sections)


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
