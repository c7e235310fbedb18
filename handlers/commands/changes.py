"""Subcommands that change the incident of the channel they are run in."""

from __future__ import annotations

import re
from typing import Any

from bot.core import text as t
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.incidents import service as incidents
from bot.incidents.service import for_channel
from bot.playbooks.blocks import resolution_modal
from handlers.modal import open_modal
from models import ROLES, SETTABLE_STATUSES

ROLE_ALIASES = {
    "ic": "ic", "commander": "ic", "tl": "tl", "lead": "tl", "tech": "tl", "comms": "comms",
    "communications": "comms", "oncall": "oncall", "on-call": "oncall", "support": "support",
}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_NOBODY = ("none", "nobody", "-")


async def severity(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    level = incidents.parse_severity(args, deps.policy) if args else None
    if level is None:
        raise InvalidInput(f"Usage: `/incident severity <level>` with {incidents.severity_forms(deps.policy)}.")
    change = await deps.in_channel(command.get("channel_id"), incidents.change_severity, severity=level,
                                   actor=command["user_id"], via="command")
    name = deps.policy.severity(level).name
    now = "now" if change.changed else "already"
    await ack(response_type="ephemeral", text=f"{change.incident.key} is {now} {name}.")


async def status(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    wanted = args.strip().lower()
    if wanted not in SETTABLE_STATUSES:
        raise InvalidInput(f"Usage: `/incident status {'|'.join(SETTABLE_STATUSES)}`.")
    if wanted == "resolved":
        await resolve(ack=ack, command=command, args="", deps=deps, client=client)
        return
    change = await deps.in_channel(command.get("channel_id"), incidents.change_status, status=wanted,
                                   actor=command["user_id"], via="command")
    await ack(response_type="ephemeral",
              text=f"{change.incident.key} is {'now' if change.changed else 'already'} {wanted}.")


def parse_user(raw: str) -> str | None:
    """`<@U123|name>` (what Slack sends for a mention) or a bare user id; `none` unassigns."""
    raw = raw.strip()
    if raw.lower() in _NOBODY:
        return None
    m = _MENTION.match(raw)
    if m:
        return m.group(1)
    if _USER_ID.match(raw):
        return raw
    raise InvalidInput("I can't tell who `{who}` is. Mention the person, e.g. `/incident role ic @alice`, "
                       "or write `none` to unassign.", values={"who": raw[:40]})


async def role(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    word, _, who = args.partition(" ")
    key = ROLE_ALIASES.get(word.lower())
    if key is None or not who.strip():
        raise InvalidInput(f"Usage: `/incident role {'|'.join(ROLES)} @person` (or `none` to unassign).")
    user = parse_user(who)
    change = await deps.in_channel(command.get("channel_id"), incidents.assign_role, role=key, user_id=user,
                                   actor=command["user_id"], via="command")
    title = ROLES[key][1]
    holder = t.user(user) if user else "nobody"
    await ack(response_type="ephemeral",
              text=f"{title} of {change.incident.key} is {'now' if change.changed else 'already'} {holder}.")


async def update(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    if not args:
        raise InvalidInput("Usage: `/incident update <what changed>`; the card's *Post update* button opens a form.")
    inc = await deps.in_channel(command.get("channel_id"), incidents.post_update, actor=command["user_id"],
                                text=args, via="command")
    await ack(response_type="ephemeral", text=f"Update posted to {inc.key}.")


async def resolve(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    """Opens the resolution checks, as the card's Resolve button does."""
    inc = await deps.read(for_channel, channel_id=command.get("channel_id"))
    if inc.status in ("resolved", "closed"):
        await ack(response_type="ephemeral", text=f"{inc.key} is already {inc.status}.")
        return
    await open_modal(client, command["trigger_id"], resolution_modal(inc, deps.policy))
    await ack()
