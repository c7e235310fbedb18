"""`[drills.<scenario>]`: game-day scenarios for `/incident drill <key>`.

    [drills.gateway]
    name = "SEV-1: card gateway down"
    severity = "SEV-1"
    title = "Card gateway down"
    type = "gateway_down"
    speed = 5                          # the clocks run five times faster
    events = [{ after = "2m", kind = "alert", text = "Card auth success rate 31% (threshold 95%)" }]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.durations import parse_duration
from bot.policy.defaults import defaults, keyed_tables

BUILTIN = defaults("drills")


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


class Drills(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenarios: dict[str, Drill] = Field(default_factory=lambda: keyed_tables(Drill, BUILTIN, {}, "drills"))

    @model_validator(mode="before")
    @classmethod
    def _tables(cls, v: Any) -> Any:
        if isinstance(v, dict) and "scenarios" not in v:
            return {"scenarios": keyed_tables(Drill, BUILTIN, v, "drills")}
        return v
