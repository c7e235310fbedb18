"""What both pagers' clients share: one request, and how an answer that is not a success reads.

A 429 raises PagerUnavailable with `rate_limited` (the job worker waits as told, never counting it an
attempt); a 5xx or a dropped connection raises PagerUnavailable (a ConnectionError: retried with
backoff); any other 4xx raises PagerRefused carrying the pager's own words, which no retry fixes.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.core.errors import VendorUnavailable

TIMEOUT = aiohttp.ClientTimeout(total=20)


class PagerRefused(Exception):
    """The pager refused the request (a bad key, an invalid event): retrying will not help."""


class PagerUnavailable(VendorUnavailable):
    """The pager is failing, unreachable or rate limiting: the worker tries again."""


def their_words(text: str) -> str:
    """The pager's error from its body: PagerDuty's message and errors, Opsgenie's message and errors."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if not isinstance(body, dict):
        return text.strip()[:300]
    if isinstance(body.get("error"), dict):  # PagerDuty's REST API: {"error": {"message", "code", "errors"}}
        body = body["error"]
    words = str(body.get("message") or body.get("status") or "").strip()
    errors = body.get("errors")
    if isinstance(errors, dict):
        errors = [f"{k}: {v}" for k, v in errors.items()]
    if isinstance(errors, list) and errors:
        words = f"{words} ({'; '.join(str(e) for e in errors[:5])})" if words else "; ".join(map(str, errors[:5]))
    return (words or text.strip())[:300]


async def request(pager: str, method: str, url: str, *, headers: dict[str, str], body: Any = None,
                  params: list[tuple[str, str]] | None = None) -> Any:
    """The answer's JSON (or {}) when it is a success."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http, \
                http.request(method, url, json=body, headers=headers, params=params) as resp:
            text = await resp.text()
            if resp.status == 429 or resp.status >= 500:
                raise PagerUnavailable(f"{pager} answered HTTP {resp.status}", resp.headers.get("Retry-After"),
                                       rate_limited=resp.status == 429)
            if resp.status >= 400:
                raise PagerRefused(f"{pager} refused it (HTTP {resp.status}): {their_words(text)}")
    except aiohttp.ClientError as exc:
        raise PagerUnavailable(f"{pager} could not be reached: {type(exc).__name__}") from None
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}
