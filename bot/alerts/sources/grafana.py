"""Grafana unified alerting's webhook contact point: Alertmanager's shape, plus orgId, state,
title and message, and per alert the panel and dashboard links and a fingerprint."""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.alertmanager import alerts_of, parse_alert
from bot.alerts.sources.common import ParsedAlert


def parse(body: Any) -> list[ParsedAlert]:
    alerts = alerts_of(body)
    common = {"status": body.get("status"), "externalURL": body.get("externalURL"),
              "commonLabels": body.get("commonLabels"), "commonAnnotations": body.get("commonAnnotations")}
    return [parse_alert("grafana", a, f"alerts[{i}]", common=common,
                        links=("panelURL", "dashboardURL", "generatorURL"))
            for i, a in enumerate(alerts)]
