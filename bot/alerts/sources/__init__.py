"""Alert sources: each parser turns one webhook body into normalised alerts, or says what is wrong.

    alertmanager  Prometheus Alertmanager webhook, version 4
    datadog       Datadog webhook with its default payload (and the optional $ALERT_* variables)
    grafana       Grafana unified alerting webhook
    newrelic      New Relic workflow webhook, its default payload template
    splunk        Splunk's webhook alert action (search_name, result, results_link, sid)
    generic       a small documented JSON for synthetic payment tests and scripts

Parsers are pure: bytes in, ParsedAlert list out, MalformedPayload (a message naming the field)
when the body cannot be used. Nothing here touches the database or Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.alerts.sources import alertmanager, datadog, generic, grafana, newrelic, splunk
from bot.alerts.sources.common import MalformedPayload, ParsedAlert, load_json

PARSERS: dict[str, Callable[[Any], list[ParsedAlert]]] = {
    "alertmanager": alertmanager.parse,
    "datadog": datadog.parse,
    "grafana": grafana.parse,
    "newrelic": newrelic.parse,
    "splunk": splunk.parse,
    "generic": generic.parse,
}


def parse(source: str, body: bytes) -> list[ParsedAlert]:
    """The alerts in a webhook body from `source` (a key of PARSERS)."""
    alerts = PARSERS[source](load_json(body))
    if not alerts:
        raise MalformedPayload("the payload holds no alerts")
    return alerts


__all__ = ["PARSERS", "MalformedPayload", "ParsedAlert", "parse"]
