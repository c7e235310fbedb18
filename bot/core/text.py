"""Turning user text into safe mrkdwn, and the small formats every message shares."""

from __future__ import annotations

import re
from datetime import timedelta

_MASS_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: `<!channel>` and `<@U…>` stop being mentions, and a bare
    `@here` gets a zero-width space so no client or `link_names` turns it into a ping."""
    return inert_mentions(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def inert_mentions(text: str) -> str:
    """A bare `@here`, `@channel` or `@everyone` with a zero-width space, so nothing reads it as a ping."""
    return _MASS_MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def user(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "_unassigned_"


def channel(channel_id: str | None, name: str | None = None) -> str:
    if channel_id:
        return f"<#{channel_id}>"
    return f"#{name}" if name else "_no channel yet_"


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """Text every database and Slack take: no NUL (PostgreSQL's text refuses it), no lone surrogate
    (UTF-8 cannot encode one: it becomes U+FFFD)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str) -> str:
    """User text for plain_text objects, which Slack shows as typed: no entities to escape, but
    angle brackets become look-alikes so the text can never be read as `<!channel>` anywhere."""
    return inert_mentions(text.replace("<", "\u2039").replace(">", "\u203a"))


def duration(td: timedelta) -> str:
    """`45s`, `12m`, `3m 20s`, `2h 5m`: how long, as people say it in an incident."""
    secs = max(0, int(td.total_seconds()))
    if secs < 60:
        return f"{secs}s"
    minutes, secs = divmod(secs, 60)
    if minutes < 60:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m" if minutes else f"{hours}h"


def duration_of(seconds: int | float) -> str:
    """`duration` of a number of seconds, as facts and job payloads carry them."""
    return duration(timedelta(seconds=int(seconds)))
