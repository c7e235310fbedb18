"""`[oncall]`: the on-call user group the acknowledgement reminder pings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from bot.policy.ids import GroupId, group_id


class OnCall(BaseModel):
    """By payment surface first, then by severity, then the default group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str | None = None
    severity: dict[str, GroupId] = {}
    surface: dict[str, GroupId] = {}

    @field_validator("group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        return group_id(v)

    def group_for(self, severity: str, surface: str | None) -> str | None:
        if surface:
            wanted = surface.lower()
            for name, group in self.surface.items():
                if name.lower() in wanted:
                    return group
        return self.severity.get(severity) or self.group
