"""`[escalation]`: where breaches and leadership escalations go."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Escalation(BaseModel):
    """A channel, and the user group to mention there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    leadership_group: str | None = None
    operators_channel: str | None = None  # whoever runs the bot: told when an effect fails for good
