"""Grafana unified alerting's webhook contact point: Alertmanager's shape, plus orgId, state,
title and message, and per alert the panel, dashboard and silence links and a fingerprint. Its group is
`groupKey` (else its group labels)."""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.alertmanager import alerts_of, group_of, parse_alert
from bot.alerts.sources.common import ParsedAlert


def parse(body: Any) -> list[ParsedAlert]:
    alerts = alerts_of(body)
    common = {"status": body.get("status"), "externalURL": body.get("externalURL"),
              "commonLabels": body.get("commonLabels"), "commonAnnotations": body.get("commonAnnotations")}
    group = group_of(body)
    return [parse_alert("grafana", a, f"alerts[{i}]", common=common,
                        links=("panelURL", "dashboardURL", "generatorURL"), group=group)
            for i, a in enumerate(alerts)]
