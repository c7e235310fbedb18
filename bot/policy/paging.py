"""`[paging]`: which severities page the on-call, where the page goes (PagerDuty or Opsgenie, by
severity and payment surface), and how a severity reads in each pager.

    [paging]
    severities = ["SEV-1", "SEV-2"]              # declaring or raising to these pages
    [paging.routes.gateway]                      # routes are tried surface first, then severity, then default
    pager = "pagerduty"
    service = "Payment gateway"                  # the card says "Paged: Payment gateway"
    integration_key = "<Events API v2 integration key of the PagerDuty service>"
    escalation_policy = "PABC123"                # its escalation policy id: who is on call (/oncalls)
    surfaces = ["card", "gateway"]               # words of the incident's payment surface; none: any
    [paging.routes.payouts]
    pager = "opsgenie"
    service = "Payouts"
    team = "payouts-oncall"                      # the Opsgenie team the alert goes to
    schedule = "payouts_schedule"                # its schedule (by name): who is on call
    escalation = "payouts_escalation"            # the escalation the bot triggers at the ack breach
    severities = ["SEV-1"]                       # none: every severity that pages
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.policy.defaults import defaults

_BUILTIN = defaults("paging")
PD_SEVERITIES = ("critical", "error", "warning", "info")
OG_PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


class PageRoute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pager: Literal["pagerduty", "opsgenie"]
    service: str
    integration_key: str | None = None
    escalation_policy: str | None = None
    team: str | None = None
    schedule: str | None = None
    escalation: str | None = None
    severities: tuple[str, ...] = ()
    surfaces: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> PageRoute:
        if self.pager == "pagerduty" and not self.integration_key:
            raise ValueError("a PagerDuty route needs integration_key (the service's Events API v2 integration key)")
        if self.pager == "opsgenie" and not self.team:
            raise ValueError("an Opsgenie route needs team (the team the alert goes to)")
        if not self.service.strip() or len(self.service) > 150:
            raise ValueError("service names the paged service in at most 150 characters")
        return self

    def serves(self, severity: str, surface: str | None) -> bool:
        if self.severities and severity not in self.severities:
            return False
        if self.surfaces:
            wanted = (surface or "").lower()
            return any(word.lower() in wanted for word in self.surfaces)
        return True


class Paging(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severities: tuple[str, ...] = tuple(_BUILTIN["severities"])
    pagerduty_severity: dict[str, str] = dict(_BUILTIN["pagerduty_severity"])
    opsgenie_priority: dict[str, str] = dict(_BUILTIN["opsgenie_priority"])
    routes: dict[str, PageRoute] = {}

    @field_validator("pagerduty_severity", mode="before")
    @classmethod
    def _pd(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key, value in v.items():
                if value not in PD_SEVERITIES:
                    raise ValueError(f"{key}: PagerDuty's severities are {', '.join(PD_SEVERITIES)}, not {value!r}")
            return {**_BUILTIN["pagerduty_severity"], **v}
        return v

    @field_validator("opsgenie_priority", mode="before")
    @classmethod
    def _og(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key, value in v.items():
                if value not in OG_PRIORITIES:
                    raise ValueError(f"{key}: Opsgenie's priorities are {', '.join(OG_PRIORITIES)}, not {value!r}")
            return {**_BUILTIN["opsgenie_priority"], **v}
        return v

    def severities_named(self) -> list[tuple[str, str]]:
        """(key, severity name) for every severity this section names, for checking against the severities."""
        used = [(f"severities.{i}", s) for i, s in enumerate(self.severities)]
        used += [(f"routes.{k}.severities.{i}", s) for k, r in self.routes.items() for i, s in enumerate(r.severities)]
        return used

    def pages(self, severity: str) -> bool:
        return severity in self.severities and bool(self.routes)

    def route_for(self, severity: str, surface: str | None) -> tuple[str, PageRoute] | None:
        """The route of a paging severity: one naming the incident's surface first, then one naming the
        severity, then one that names neither."""
        if severity not in self.severities:
            return None
        ranked = sorted(self.routes.items(), key=lambda kv: (not kv[1].surfaces, not kv[1].severities))
        return next(((name, r) for name, r in ranked if r.serves(severity, surface)), None)

    def pd_severity(self, severity: str) -> str:
        return self.pagerduty_severity.get(severity, "critical")

    def og_priority(self, severity: str) -> str:
        return self.opsgenie_priority.get(severity, "P1")
