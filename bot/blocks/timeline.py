"""`/incident timeline`: one page of the timeline, oldest first, with how to see the next."""

from __future__ import annotations

from typing import Any

from bot import text as t
from bot.blocks.kit import mrkdwn
from bot.clock import utc
from bot.services.timeline import Page
from models import Incident


def _line(e: Any) -> str:
    who = "the bot" if e.actor == "bot" else t.user(e.actor)
    return t.truncate(f"`{utc(e.at):%m-%d %H:%M}` *{e.kind.replace('_', ' ')}* · {who} · {e.text}", 600)


def timeline_page(inc: Incident, page: Page) -> tuple[str, list[dict[str, Any]]]:
    head = f"*Timeline of {inc.key}* · page {page.number} of {page.pages} · {page.total} events"
    lines = [_line(e) for e in page.events] or ["_Nothing yet._"]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(head)}]
    chunk: list[str] = []
    for line in lines:  # sections of at most 3,000 characters
        if chunk and len("\n".join([*chunk, line])) > 3000:
            blocks.append({"type": "section", "text": mrkdwn("\n".join(chunk))})
            chunk = []
        chunk.append(line)
    blocks.append({"type": "section", "text": mrkdwn("\n".join(chunk))})
    if page.number < page.pages:
        blocks.append({"type": "context", "elements": [mrkdwn(f"Next: `/incident timeline {page.number + 1}`")]})
    return t.truncate("\n".join([head, *lines]), 3000), blocks
