"""Reading a request's body within a limit, and telling JSON routes' senders what was wrong, in JSON.

The server accepts bodies up to the largest route limit (aiohttp's own check answers in plain text);
each route reads its body here against its own limit and answers a 413 itself."""

from __future__ import annotations

from aiohttp import web

SERVER_MAX_BODY = 32 * 1024 * 1024  # the largest any route takes (the alert routes)


async def read_within(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None when it is longer than `limit` (read no further than that)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    while True:
        chunk = await request.content.read(min(256 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def json_content_type(request: web.Request) -> bool:
    """A JSON route takes application/json (or a +json type); a missing Content-Type is tolerated."""
    raw = request.headers.get("Content-Type")
    if not raw:
        return True
    media = raw.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")
