"""Splunk's webhook alert action: when a saved search triggers, Splunk POSTs

    {"result": {<the first result row's fields>}, "sid": "scheduler__admin__search__RMD5…",
     "results_link": "https://splunk.example.com/app/search/search?q=%7Cloadjob%20…", "search_name": "…",
     "owner": "admin", "app": "search"}

The saved search is the alert: repeats of one search fold together (the sid names one run); a `severity`
or `priority` field in the result is the alert's severity; the result's other fields are its labels.
Splunk sends no recovery. Its webhook cannot add headers, so the token may come as `?token=` in the URL.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.common import MalformedPayload, ParsedAlert, fingerprint, labels, link, obj, text, title

MAX_FIELDS = 40


def parse(body: Any) -> list[ParsedAlert]:
    obj(body, "the body")
    name = text(body.get("search_name"), "search_name")
    if name is None:
        raise MalformedPayload("search_name is required (Splunk's webhook alert action sends it)")
    result = body.get("result") or {}
    obj(result, "result")
    fields = labels({k: v for k, v in list(result.items())[:MAX_FIELDS] if not str(k).startswith("_")
                     and not isinstance(v, (dict, list))}, "result")
    for key in ("app", "owner"):
        value = text(body.get(key), key)
        if value:
            fields.setdefault(f"splunk_{key}", value)
    severity = fields.get("severity") or fields.get("priority") or fields.get("urgency")
    raw_event = result.get("_raw") if isinstance(result.get("_raw"), str) else None
    return [ParsedAlert(
        source="splunk",
        fingerprint=fingerprint(None, text(body.get("app"), "app"), name),
        status="firing",
        title=title(name, "Splunk alert"),
        summary=raw_event[:2000] if raw_event else None,
        severity=severity or None,
        labels=fields,
        link=link(body.get("results_link"), "results_link"),
        raw=body,
    )]
