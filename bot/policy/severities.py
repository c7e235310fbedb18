"""`[severity.SEV-n]`: each severity's impact line, acknowledgement SLA and breach, update cadence,
role watch and when leadership hears about it. The defaults are the process's table (DESIGN.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.core.durations import format_duration, parse_duration

SEV_KEY = re.compile(r"^SEV-(\d)$")


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

    @model_validator(mode="after")
    def _breach_after_sla(self) -> Severity:
        if self.ack_breach is not None and (self.ack_sla is None or self.ack_breach <= self.ack_sla):
            sla = format_duration(self.ack_sla)
            raise ValueError(f"ack_breach ({format_duration(self.ack_breach)}) must be later than ack_sla ({sla}): "
                             "the breach is when an unacknowledged incident escalates, after the SLA has passed")
        return self

    @property
    def title(self) -> str:
        return f"{self.name} {self.label}"
