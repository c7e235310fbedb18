"""`[escalation]`: where breaches and leadership escalations go."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from bot.policy.ids import channel_id, group_id


class Escalation(BaseModel):
    """A channel, and the user group to mention there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    leadership_group: str | None = None
    operators_channel: str | None = None  # whoever runs the bot: told when an effect fails for good

    @field_validator("channel", "operators_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return channel_id(v)

    @field_validator("leadership_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        return group_id(v)
