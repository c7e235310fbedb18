"""`[oncall]`: the on-call user group the acknowledgement reminder pings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OnCall(BaseModel):
    """By payment surface first, then by severity, then the default group."""

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
