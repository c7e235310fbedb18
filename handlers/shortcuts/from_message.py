"""The message shortcut "Declare incident from message": the declare modal, with the message
quoted and linked, its first line as the title, and the detection source the policy maps the
channel to (a merchant-escalations channel → merchant complaint). Submitting it declares as the
modal always does, and posts the quote in the new incident's channel (handlers/views/submitted.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.alerts.blocks import message_note
from bot.core import text as t
from bot.deps import Deps
from bot.incidents.modals import declare_modal
from handlers.modal import open_modal
from models import MAX_TITLE

log = logging.getLogger(__name__)

PERMALINK_TIMEOUT = 1.0  # seconds of the trigger_id's three the link may take
MAX_METADATA = 3000  # Slack's private_metadata limit
_MARKUP = re.compile(r"<([^|>]+)\|([^>]+)>|<([^>]+)>")


def title_from(text: str) -> str:
    """The message's first non-empty line, with Slack's <url|label> markup reduced to its label."""
    for line in text.splitlines():
        line = _MARKUP.sub(lambda m: m.group(2) or m.group(3) or "", line)
        line = " ".join(line.replace("*", "").replace("_", " ").replace("`", "").split())
        if line:
            return line[:MAX_TITLE]
    return ""


def _fallback_permalink(body: dict[str, Any], channel: str, ts: str) -> str | None:
    domain = (body.get("team") or {}).get("domain")
    if not domain or not ts:
        return None
    return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"


async def _permalink(client: Any, body: dict[str, Any], channel: str, ts: str) -> str | None:
    """Slack's own link to the message; if Slack is slow or refuses, the documented URL form."""
    try:
        resp = await asyncio.wait_for(client.chat_getPermalink(channel=channel, message_ts=ts), PERMALINK_TIMEOUT)
        return str(resp["permalink"])
    except (SlackApiError, TimeoutError, OSError) as exc:
        log.info("chat.getPermalink failed (%s); building the link instead", exc)
        return _fallback_permalink(body, channel, ts)


def _metadata(reply: dict[str, str], message: dict[str, Any]) -> dict[str, Any]:
    """The modal's context, with the quoted text cut to fit Slack's private_metadata limit."""
    meta = {"reply": reply, "message": message}
    while len(json.dumps(meta, separators=(",", ":"))) > MAX_METADATA and message["text"]:
        message["text"] = message["text"][: max(0, len(message["text"]) - 200)]
    return meta


async def declare_from_message(ack: Any, body: dict[str, Any], context: dict[str, Any], client: Any) -> None:
    deps: Deps = context["deps"]
    user = body["user"]["id"]
    channel = body.get("channel") or {}
    message = body.get("message") or {}
    channel_id = str(channel.get("id") or "")
    ts = str(message.get("ts") or body.get("message_ts") or "")
    text = str(message.get("text") or "")
    permalink = await _permalink(client, body, channel_id, ts) if channel_id and ts else None
    source = deps.policy.alerts.source_for_channel(channel_id, channel.get("name"))
    author = message.get("user")
    quoted = {"channel": channel_id, "ts": ts, "permalink": permalink, "author": author,
              "text": t.truncate(text, 1500)}
    view = declare_modal(
        deps.policy, user_id=user, title=title_from(text), source=source,
        note=message_note(text, permalink, author),
        metadata=_metadata({"user": user, "response_url": str(body.get("response_url") or "")}, quoted))
    await open_modal(client, body["trigger_id"], view)
    await ack()
