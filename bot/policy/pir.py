"""`[pir]`: when a severity's post-incident review is due, and how its owners are reminded."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.durations import parse_duration
from bot.policy.defaults import defaults
from bot.policy.severities import SEV_KEY

_PIR_DUE = re.compile(r"^\s*(\d+)\s*(d|bd)\s*$")
_DEFAULTS = defaults("pir")


class PirDue(BaseModel):
    """`days` after resolution (business days when `business`), optional (a review can be written,
    nothing reminds), or none (no review card)."""

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


def _default_due() -> dict[str, PirDue]:
    return {k: parse_pir_due(v) for k, v in _DEFAULTS["due"].items()}


class PirPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    due: dict[str, PirDue] = Field(default_factory=_default_due)
    remind_before: timedelta | None = parse_duration(_DEFAULTS["remind_before"])  # before the due time
    overdue_every: timedelta | None = parse_duration(_DEFAULTS["overdue_every"])  # once the review is overdue
    action_overdue_every: timedelta | None = parse_duration(_DEFAULTS["action_overdue_every"])  # an overdue item

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, v: Any) -> dict[str, PirDue]:
        if not isinstance(v, dict):
            raise ValueError("must be a table like { SEV-1 = \"3d\" }")
        out = _default_due()  # the file overrides the severities it names
        for key, item in v.items():
            if not SEV_KEY.match(str(key)):
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
