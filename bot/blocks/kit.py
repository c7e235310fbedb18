"""The smallest Block Kit pieces every builder uses: text objects, options, dates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import text as t
from bot.clock import utc


def plain(text: str, *, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": plain(t.truncate(text, 75)), "value": value}
    if description:
        opt["description"] = plain(t.truncate(description, 75))
    return opt


def date(dt: datetime) -> str:
    """A date every reader sees in their own time zone, with a UTC fallback."""
    stamp = int(utc(dt).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{utc(dt):%Y-%m-%d %H:%M} UTC>"
