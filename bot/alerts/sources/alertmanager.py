"""Prometheus Alertmanager's webhook (version 4): a notification for one alert group (`groupKey`, its
`groupLabels`, and `truncatedAlerts` it left out), carrying each alert with its labels, annotations,
start and end, generator URL and fingerprint. Grafana's webhook has the same shape plus a few fields
(grafana.py builds on this)."""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.common import (
    MalformedPayload,
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


def alerts_of(body: Any) -> list[Any]:
    obj(body, "the body")
    alerts = body.get("alerts")
    if alerts is None:
        raise MalformedPayload("alerts is required (the list of alerts in this notification)")
    if not isinstance(alerts, list):
        raise MalformedPayload("alerts must be an array")
    return alerts


# URLs besides the main link, by field: an annotation (runbook_url) or a field of the alert (Grafana's).
EXTRA_LINKS = {"runbook_url": "Runbook", "dashboardURL": "Dashboard", "panelURL": "Panel", "silenceURL": "Silence"}


def group_of(body: dict[str, Any]) -> dict[str, Any]:
    """The notification's group: its key, what to call it, and how many alerts it did not send."""
    key = text(body.get("groupKey"), "groupKey")
    group_labels = labels(body.get("groupLabels"), "groupLabels")
    if key is None and group_labels:
        key = ",".join(f"{k}={v}" for k, v in sorted(group_labels.items()))
    common = labels(body.get("commonAnnotations"), "commonAnnotations")
    named = common.get("summary") or common.get("title") or ", ".join(
        f"{k}={v}" for k, v in sorted(group_labels.items()))
    truncated = body.get("truncatedAlerts") or 0
    if isinstance(truncated, bool) or not isinstance(truncated, int) or truncated < 0:
        raise MalformedPayload("truncatedAlerts must be a whole number")
    return {"group_key": key, "group_title": named or None, "truncated": truncated}


def parse_alert(source: str, raw: Any, where: str, *, common: dict[str, Any],
                links: tuple[str, ...] = ("generatorURL",), group: dict[str, Any] | None = None) -> ParsedAlert:
    obj(raw, where)
    if "labels" not in raw:
        raise MalformedPayload(f"{where}.labels is required")
    got = {**labels(common.get("commonLabels"), "commonLabels"), **labels(raw.get("labels"), f"{where}.labels")}
    annotations = {**labels(common.get("commonAnnotations"), "commonAnnotations"),
                   **labels(raw.get("annotations"), f"{where}.annotations")}
    url = None
    for key in links:
        url = link(raw.get(key), f"{where}.{key}")
        if url:
            break
    url = url or link(common.get("externalURL"), "externalURL")
    extra = {}
    for key, label in EXTRA_LINKS.items():
        found = link(annotations.get(key), f"{where}.annotations.{key}") if key == "runbook_url" else (
            link(raw.get(key), f"{where}.{key}"))
        if found and found != url:
            extra[label] = found
    return ParsedAlert(
        source=source,
        fingerprint=fingerprint(text(raw.get("fingerprint"), f"{where}.fingerprint"), sorted(got.items())),
        status=status(raw.get("status"), f"{where}.status", default="firing"),
        title=title(annotations.get("summary") or annotations.get("title"), got.get("alertname") or "Alert"),
        summary=annotations.get("description") or None,
        severity=got.get("severity") or None,
        labels=got,
        link=url,
        started_at=timestamp(raw.get("startsAt"), f"{where}.startsAt"),
        ended_at=timestamp(raw.get("endsAt"), f"{where}.endsAt"),
        raw=raw,
        links=extra,
        **(group or {}),
    )


def parse(body: Any) -> list[ParsedAlert]:
    alerts = alerts_of(body)
    version = text(body.get("version"), "version")
    if version is not None and version != "4":
        raise MalformedPayload(f"version {version!r} is not supported; Alertmanager's webhook version 4 is")
    common = {"status": body.get("status"), "externalURL": body.get("externalURL"),
              "commonLabels": body.get("commonLabels"), "commonAnnotations": body.get("commonAnnotations")}
    group = group_of(body)
    return [parse_alert("alertmanager", a, f"alerts[{i}]", common=common, group=group) for i, a in enumerate(alerts)]
