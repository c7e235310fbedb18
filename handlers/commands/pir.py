"""`/incident pir …`, `/incident action …` and `/incident actions`: the post-incident review from the
command line of Slack."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core import text as t
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.pir import actions as action_items
from bot.pir import review as reviews
from bot.pir.blocks import actions_list
from handlers.commands.changes import parse_user
from handlers.pir import open_action_form, open_review_form
from models import ACTION_KINDS

PIR_USAGE = ("Usage: `/incident pir` (open the review form), `/incident pir export` (upload the review document), "
             "`/incident pir complete` (close the incident), `/incident pir skip <reason>` (where a review is "
             "optional).")
ACTION_USAGE = ("Usage: `/incident action @owner <due> <what to do>`; due is a date (2026-12-01), `tomorrow`, `3d` "
                f"or `2w`; start the text with a kind ({', '.join(ACTION_KINDS)}) and a colon to set one, "
                "e.g. `detect: alert on authorisation rate`. `/incident action` alone opens a form.")
log = logging.getLogger(__name__)
TZ_TIMEOUT = 1.0  # seconds of the three an ack may take
_KIND = re.compile(rf"^({'|'.join(ACTION_KINDS)}|docs)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)


async def pir(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    word, _, rest = args.partition(" ")
    word = word.lower()
    user = command["user_id"]
    channel = command.get("channel_id")
    if word in ("help", "?"):
        await ack(response_type="ephemeral", text=PIR_USAGE)
        return
    if word not in ("", "form", "edit", "export", "complete", "done", "skip"):
        raise InvalidInput("I don't know `/incident pir {word}`. " + PIR_USAGE, values={"word": word[:30]})
    if word in ("", "form", "edit"):
        await open_review_form(deps, client, command["trigger_id"], channel_id=channel)
        await ack()
        return
    if word == "export":
        inc = await deps.in_channel(channel, reviews.request_export, actor=user, via="command")
        text = f":page_facing_up: Uploading the review document of {inc.key} to this channel."
    elif word == "skip":
        inc = await deps.in_channel(channel, reviews.skip, actor=user, reason=rest, via="command")
        text = f":lock: {inc.key} is closed without a review."
    else:
        inc = await deps.in_channel(channel, reviews.complete, actor=user, via="command")
        text = f":lock: The review of {inc.key} is complete and the incident is closed."
    await ack(response_type="ephemeral", text=text)


def parse_action(args: str) -> tuple[str, str, str, str]:
    """`@owner <due> [kind:] text` → (owner, due, kind, text); raises with the usage on a bad shape."""
    parts = args.split(None, 2)
    if len(parts) < 3:
        raise InvalidInput(ACTION_USAGE)
    owner = parse_user(parts[0])
    if owner is None:
        raise InvalidInput("An action item needs an owner. " + ACTION_USAGE)
    kind, text = "prevent", parts[2].strip()
    m = _KIND.match(text)
    if m:
        kind = m.group(1).lower().replace("docs", "documentation")
        text = m.group(2).strip()
    return owner, parts[1], kind, text


async def action(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    channel = command.get("channel_id")
    if not args:
        await open_action_form(deps, client, command["trigger_id"], channel_id=channel)
        await ack()
        return
    owner, due, kind, text = parse_action(args)
    offset = await _tz_offset(client, command["user_id"]) if action_items.is_relative(due) else 0
    item = await deps.in_channel(channel, action_items.add_action, actor=command["user_id"], owner=owner, due=due,
                                 kind=kind, description=text, via="command", tz_offset=offset)
    await ack(response_type="ephemeral",
              text=f":clipboard: Action item #{item.id} for {t.user(owner)}, due {item.due_date.isoformat()}; "
                   "I've told them.")


async def _tz_offset(client: Any, user: str) -> int:
    """The user's time zone offset, so `tomorrow` is their tomorrow: Slack's users.info, asked before the
    ack like views.open (a command's `tomorrow` needs it to be parsed), UTC when Slack is slow or refuses."""
    try:
        info = await asyncio.wait_for(client.users_info(user=user), TZ_TIMEOUT)
        return int((info.get("user") or {}).get("tz_offset") or 0)
    except (SlackApiError, TimeoutError, OSError, ValueError, TypeError):
        log.info("users.info for %s failed; reading relative due dates in UTC", user)
        return 0


async def actions(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    """In an incident channel: that incident's open items (`mine` for your own anywhere); elsewhere: yours."""
    user = command["user_id"]
    mine = args.strip().lower() in ("mine", "me", "my")
    if args.strip() and not mine:
        raise InvalidInput("Usage: `/incident actions` (this incident's open action items, or yours outside an "
                           "incident channel) or `/incident actions mine`.")
    found = await deps.read(action_items.listing, channel_id=command.get("channel_id"), viewer=user, mine=mine)
    text, blocks = actions_list(found.rows, title=found.title, viewer=user, today=deps.clock.now().date(),
                                jira=found.links)
    await ack(response_type="ephemeral", text=text, blocks=blocks)
