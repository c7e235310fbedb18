"""`[routes]`: which channels besides an incident's own may show what, for private incidents and drills.

    [routes]
    private_safe = ["C0SECURITY"]   # a private incident shows in full here; elsewhere as a redacted notice
    drills = ["C0GAMEDAY"]          # drills may post here; elsewhere their messages stay in the drill's channel

A comms route marked `private_safe` or `drills` (bot/policy/comms.py) counts as listed here. DMs to a
person are not routes: they go to people the incident involves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from bot.policy.ids import channel_id

View = Literal["full", "redacted", "held"]


class Routes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    private_safe: tuple[str, ...] = ()
    drills: tuple[str, ...] = ()

    @field_validator("private_safe", "drills")
    @classmethod
    def _ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for channel in v:
            channel_id(channel)
        return v


def is_person(channel: str) -> bool:
    """A user id: a DM, not a channel."""
    return channel[:1] in ("U", "W")
