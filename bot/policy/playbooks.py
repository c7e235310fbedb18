"""`[playbooks.<type>]`: per incident type, the immediate actions posted as a checklist at declaration.

    [playbooks.gateway_down]           # added to (or replacing one of) the built-in playbooks
    name = "Payment gateway down"
    match = ["gateway", "acquirer"]    # words in the title or surface that pick it when nobody chose
    actions = ["Roll back the last gateway deploy", "Fail over to the backup acquirer"]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.policy.defaults import defaults, keyed_tables
from bot.policy.matching import best_match

MAX_ACTIONS = 10  # one checkboxes element holds ten options
MAX_ACTION_TEXT = 75  # an option's text
BUILTIN = defaults("playbooks")


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


class Playbooks(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    types: dict[str, Playbook] = Field(default_factory=lambda: keyed_tables(Playbook, BUILTIN, {}, "playbooks"))

    @model_validator(mode="before")
    @classmethod
    def _tables(cls, v: Any) -> Any:
        if isinstance(v, dict) and "types" not in v:
            return {"types": keyed_tables(Playbook, BUILTIN, v, "playbooks")}
        return v

    def get(self, key: str | None) -> Playbook:
        return self.types.get(key or "other") or self.types.get("other") or next(iter(self.types.values()))

    def guess(self, title: str | None, surface: str | None = None, hints: Iterable[str] = ()) -> str:
        """The type the title, surface and an alert's labels point at most (bot/policy/matching.py);
        `other` when nothing matches."""
        found = best_match({k: p.match for k, p in self.types.items()}, title, surface, hints)
        return found or ("other" if "other" in self.types else next(iter(self.types)))
