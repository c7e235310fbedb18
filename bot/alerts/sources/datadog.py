"""Datadog's webhook integration. Its default payload is

    {"body": "$EVENT_MSG", "last_updated": "$LAST_UPDATED", "event_type": "$EVENT_TYPE",
     "title": "$EVENT_TITLE", "date": "$DATE", "org": {"id": "$ORG_ID", "name": "$ORG_NAME"}, "id": "$ID"}

where the title starts with the transition ("[Triggered] …", "[Recovered on {host:web-1}] …") and $ID
names the event, not the monitor. A payload may add the monitor variables ($ALERT_CYCLE_KEY, $ALERT_ID,
$AGGREG_KEY, $ALERT_TRANSITION, $ALERT_PRIORITY, $TAGS, $LINK, …) under their usual keys; they are used
when present: the cycle key pairs a trigger with its recovery. $EVENT_MSG is Datadog's Markdown between
`%%%` markers; it is kept as readable text, its links as the alert's links.
"""

from __future__ import annotations

import re
from typing import Any

from bot.alerts.sources.common import (
    MalformedPayload,
    ParsedAlert,
    fingerprint,
    link,
    obj,
    text,
    timestamp,
    title,
)

_TRANSITION = re.compile(r"^\s*\[([^\]]+)\]\s*")
_PRIORITY = re.compile(r"^P[1-5]$", re.IGNORECASE)
_RESOLVED = {"recovered", "ok", "resolved", "success"}
# A variable Datadog did not fill in (a test notification sent with a hand-written payload).
_UNFILLED = re.compile(r"^\$[A-Z_]+$")


def _field(body: dict[str, Any], key: str) -> str | None:
    value = text(body.get(key), key)
    return None if value is None or _UNFILLED.match(value) else value


def _tags(raw: Any) -> dict[str, str]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        items = [t.strip() for t in raw.split(",")]
    elif isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        items = [t.strip() for t in raw]
    else:
        raise MalformedPayload("tags must be a comma-separated string or an array of strings")
    out: dict[str, str] = {}
    for tag in items:
        if not tag or _UNFILLED.match(tag):
            continue
        key, _, value = tag.partition(":")
        out[key.strip()[:100]] = value.strip()[:500]
    return out


_MARKDOWN_LINK = re.compile(r"\[?\[([^\]]+)\]\((https?://[^)\s]+)\)\]?")


def readable(body: str | None) -> tuple[str | None, dict[str, str]]:
    """Datadog's message as plain text: the `%%%` Markdown markers dropped, `[text](url)` and
    `[[text](url)]` links as their text, and the links by their text."""
    if body is None:
        return None, {}
    text_ = body.strip()
    if text_.startswith("%%%"):
        text_ = text_[3:]
    if text_.endswith("%%%"):
        text_ = text_[:-3]
    links: dict[str, str] = {}

    def keep(m: re.Match[str]) -> str:
        links.setdefault(m.group(1).strip()[:60] or "Link", m.group(2)[:2000])
        return m.group(1)

    text_ = _MARKDOWN_LINK.sub(keep, text_)
    return text_.strip() or None, dict(list(links.items())[:4])


def parse(body: Any) -> list[ParsedAlert]:
    obj(body, "the body")
    raw_title = _field(body, "alert_title") or _field(body, "title")
    if raw_title is None:
        raise MalformedPayload("title is required (Datadog's $EVENT_TITLE)")
    # "[P1] [Triggered] CPU high on checkout-api": the priority and the transition lead the title
    clean_title, tags_in_title = raw_title, []
    while m := _TRANSITION.match(clean_title):
        tags_in_title.append(m.group(1).strip())
        clean_title = clean_title[m.end():]
    priority = next((tag for tag in tags_in_title if _PRIORITY.match(tag)), None)
    transition = _field(body, "alert_transition") or next(
        (tag for tag in reversed(tags_in_title) if not _PRIORITY.match(tag)), "")
    org = body.get("org")
    org_id = text(obj(org, "org").get("id"), "org.id") if org is not None else None
    tags = _tags(body.get("tags"))
    severity = _field(body, "alert_priority") or priority or tags.get("severity") or _field(body, "priority")
    if severity and severity.lower() == "normal":  # the event priority, not a severity
        severity = None
    key = _field(body, "alert_cycle_key") or _field(body, "aggreg_key") or _field(body, "alert_id")
    summary, links = readable(_field(body, "body"))
    words = transition.strip().lower().split()
    return [ParsedAlert(
        source="datadog",
        fingerprint=fingerprint(key, org_id, clean_title),
        status="resolved" if words and words[0] in _RESOLVED else "firing",  # "Recovered on {host:web-1}"
        title=title(clean_title, "Datadog alert"),
        summary=summary,
        links=links,
        severity=severity,
        labels=tags,
        link=link(_field(body, "link"), "link"),
        started_at=timestamp(_field(body, "date"), "date"),
        raw=body,
    )]
