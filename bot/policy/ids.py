"""Slack ids as the policy writes them: channels (C…, G…) and user groups (S…). A name (`#payments`,
`@oncall`) is refused with how to find the id, since names change and the Web API wants ids."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")
GROUP_ID = re.compile(r"^S[A-Z0-9]+$")
HOW_CHANNEL = "a channel's id (C…) is at the bottom of its details in Slack (click its name)"
HOW_GROUP = "a user group's id (S…) is in its link: People → User groups → the group → Copy link"


def channel_id(v: str | None) -> str | None:
    if v is None or v == "":
        return None
    if not CHANNEL_ID.match(v):
        hint = " (that is a name)" if v.startswith("#") or not v[:1].isupper() else ""
        raise ValueError(f"{v!r} is not a channel id{hint}: {HOW_CHANNEL}")
    return v


def group_id(v: str | None) -> str | None:
    if v is None or v == "":
        return None
    if not GROUP_ID.match(v):
        hint = " (that is a name)" if v.startswith("@") or not v[:1].isupper() else ""
        raise ValueError(f"{v!r} is not a user group id{hint}: {HOW_GROUP}")
    return v


def _required_group(v: str) -> str:
    return group_id(v) or v


GroupId = Annotated[str, AfterValidator(_required_group)]  # for the values of a table of groups
