"""`[resolution]`: what is checked before an incident is resolved; resolving with any unchecked needs a
reason.

    [resolution]
    checks = ["Permanent fix in place or scheduled", "Validated with test transactions"]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.policy.defaults import defaults
from bot.policy.playbooks import MAX_ACTIONS


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    checks: tuple[str, ...] = Field(default=tuple(defaults("resolution")["checks"]), min_length=1,
                                    max_length=MAX_ACTIONS)
