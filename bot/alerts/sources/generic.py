"""The generic source, for anything that can send JSON (synthetic payment tests, scripts; New Relic and
Splunk have sources of their own). One alert is an object; several are an array of them:

    {"source": "synthetic-payments", "title": "Card checkout test failing in EU",
     "severity": "critical", "fingerprint": "checkout-eu", "status": "firing",
     "labels": {"service": "payment-gateway"}, "link": "https://…", "started_at": "2026-11-26T09:00:00Z"}

Only `title` is required. `status` defaults to firing; `fingerprint` to a hash of source and title
(so repeats of one check fold together); `started_at` (and `ended_at`) are RFC 3339 or epoch
seconds; `summary` (or `description`) is optional text. Other fields are kept with the stored alert.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.common import (
    ParsedAlert,
    fingerprint,
    labels,
    link,
    obj,
    status,
    text,
    timestamp,
    title,
)


def _one(raw: Any, where: str) -> ParsedAlert:
    obj(raw, where)
    name = text(raw.get("title"), f"{where}.title", required=True)
    origin = text(raw.get("source"), f"{where}.source")
    got = labels(raw.get("labels"), f"{where}.labels")
    if origin:
        got.setdefault("source", origin[:500])
    return ParsedAlert(
        source="generic",
        fingerprint=fingerprint(text(raw.get("fingerprint"), f"{where}.fingerprint"), origin, name),
        status=status(raw.get("status"), f"{where}.status", default="firing"),
        title=title(name, "Alert"),
        summary=text(raw.get("summary"), f"{where}.summary") or text(raw.get("description"), f"{where}.description"),
        severity=text(raw.get("severity"), f"{where}.severity"),
        labels=got,
        link=link(raw.get("link"), f"{where}.link"),
        started_at=timestamp(raw.get("started_at"), f"{where}.started_at"),
        ended_at=timestamp(raw.get("ended_at"), f"{where}.ended_at"),
        raw=raw,
    )


def parse(body: Any) -> list[ParsedAlert]:
    if isinstance(body, list):
        return [_one(a, f"[{i}]") for i, a in enumerate(body)]
    return [_one(body, "the body")]
