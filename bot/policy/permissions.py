"""`[permissions]`: who may assign which role.

    [permissions]
    admins = "S0INCADMINS"          # an incident-admins user group: its members may do what an IC may
    guarded_roles = ["ic", "comms"] # only the IC (or an admin) assigns and reassigns these

Everyone else may take an empty role that is not guarded for themselves, and give up their own;
reassigning a filled role, or giving a role to someone else, is the IC's (or an admin's).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

from bot.policy.defaults import defaults
from models import ROLES

_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_BUILTIN = defaults("permissions")


class Permissions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    admins: str | None = None
    guarded_roles: tuple[str, ...] = tuple(_BUILTIN["guarded_roles"])

    @field_validator("admins")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        if v and not _GROUP_ID.match(v):
            raise ValueError(f"{v!r} is not a user group id (S…): in Slack, open the group and copy its id "
                             "from the link, or ask an admin")
        return v or None

    @field_validator("guarded_roles")
    @classmethod
    def _roles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for role in v:
            if role not in ROLES:
                raise ValueError(f"{role!r} is not a role (one of {', '.join(ROLES)})")
        if "ic" not in v:
            raise ValueError("the Incident Commander role (ic) is always guarded")
        return v
