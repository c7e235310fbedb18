"""Pure parts: the four parsers on their vendors' documented payloads, the triage message within
Slack's limits, and the [alerts] policy section's defaults and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.alerts.blocks import triage_message
from bot.alerts.sources import parse
from bot.policy import PolicyError, default_policy
from bot.policy.loader import _build
from models import AlertGroup
from tests.alerts.conftest import alertmanager, am_alert, datadog, generic, grafana


def _parse(source: str, payload: object) -> list:
    return parse(source, json.dumps(payload).encode())


def test_alertmanager_alert_fields() -> None:
    [a] = _parse("alertmanager", alertmanager(am_alert(status="resolved", ends_at="2026-01-15T09:05:00.123456789Z")))
    assert (a.status, a.fingerprint, a.severity) == ("resolved", "5f1d2c3b4a596877", "critical")
    assert a.ended_at == datetime(2026, 1, 15, 9, 5, 0, 123456, tzinfo=UTC)
    assert a.summary.startswith("3 of 3 gateway instances")
    assert a.link.startswith("https://prometheus.example.com/graph")


def test_alertmanager_without_fingerprint_hashes_its_labels() -> None:
    one, two = am_alert(), am_alert(service="ledger")
    del one["fingerprint"], two["fingerprint"]
    [a], [b] = _parse("alertmanager", alertmanager(one)), _parse("alertmanager", alertmanager(two))
    [again] = _parse("alertmanager", alertmanager(dict(one)))
    assert a.fingerprint != b.fingerprint and a.fingerprint == again.fingerprint


def test_grafana_resolved_and_zero_end() -> None:
    [firing] = _parse("grafana", grafana())
    assert firing.ended_at is None and firing.severity == "warning"
    [resolved] = _parse("grafana", grafana(status="resolved"))
    assert resolved.status == "resolved" and resolved.ended_at == datetime(2026, 1, 15, 9, 10, tzinfo=UTC)


@pytest.mark.parametrize("transition,status", [("Triggered", "firing"), ("Re-Triggered", "firing"),
                                                ("Warn", "firing"), ("Recovered", "resolved")])
def test_datadog_transitions(transition: str, status: str) -> None:
    [a] = _parse("datadog", datadog(transition, with_monitor_vars=False))
    assert a.status == status and a.title == "High card authorization error rate on checkout-api"


def test_datadog_priority_in_the_title_keeps_recoveries_in_their_group() -> None:
    [fired] = _parse("datadog", {**datadog(with_monitor_vars=False), "title": "[P1] [Triggered] Ledger lag"})
    [back] = _parse("datadog", {**datadog(with_monitor_vars=False), "title": "[P1] [Recovered] Ledger lag"})
    assert (fired.status, back.status, fired.title, fired.severity) == ("firing", "resolved", "Ledger lag", "P1")
    assert fired.fingerprint == back.fingerprint


def test_generic_keeps_extra_fields_and_reads_description() -> None:
    [a] = _parse("generic", {"title": "Splunk: refund errors", "description": "12 in 5m", "search": "idx=pay"})
    assert a.summary == "12 in 5m" and a.raw["search"] == "idx=pay"


def test_datadog_unfilled_variables_are_ignored() -> None:
    [a] = _parse("datadog", {**datadog(with_monitor_vars=False), "alert_priority": "$ALERT_PRIORITY",
                             "tags": "$TAGS"})
    assert a.severity is None and a.labels == {}


def test_generic_defaults() -> None:
    [a] = _parse("generic", {"title": "Payout file rejected by bank"})
    [b] = _parse("generic", {"title": "Payout file rejected by bank"})
    assert a.status == "firing" and a.fingerprint == b.fingerprint and a.started_at is None
    [c] = _parse("generic", generic(started_at=1768467300))
    assert c.started_at == datetime(2026, 1, 15, 8, 55, tzinfo=UTC)


def test_thousands_of_alerts_in_one_request() -> None:
    # a big outage is thousands of alerts in one notification: all of them are taken
    assert len(_parse("generic", [{"title": f"t{i}"} for i in range(5000)])) == 5000


def test_triage_message_passes_slack_sdk_checks() -> None:
    now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    group = AlertGroup(id=7, source="grafana", fingerprint="f", title="x" * 300, summary="y" * 5000,
                       severity="warning", suggested_severity=3, labels={f"k{i}": "v" * 100 for i in range(30)},
                       link="https://grafana.example.com/d/1", count=12, refires=2, started_at=now, first_seen=now,
                       last_seen=now)
    blocks = triage_message(group, None, default_policy())
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    assert blocks[0]["text"]["text"].startswith("Firing: xxx") and len(blocks[0]["text"]["text"]) == 150
    assert blocks[-1]["block_id"] == "alert_triage:7"


def test_policy_defaults() -> None:
    alerts = default_policy().alerts
    assert alerts.grouping and alerts.window.total_seconds() == 3600 and alerts.auto_declare == ()
    assert alerts.suggest("Critical") == 1 and alerts.suggest("P2") == 2 and alerts.suggest("weird") == 3
    assert alerts.source_for_channel("C1", "anything") == "customer"


def test_policy_overrides_merge_with_the_defaults() -> None:
    policy = _build({"alerts": {"severity": {"Disaster": 2, "warning": 2}, "window": "15m",
                                "channel_sources": {"#merchant-escalations": "merchant"},
                                "auto_declare": [{"labels": {"service": "payment-gateway"}, "severity": 1}]}}, "p.toml")
    alerts = policy.alerts
    assert alerts.suggest("disaster") == 2 and alerts.suggest("warning") == 2 and alerts.suggest("critical") == 1
    assert alerts.window.total_seconds() == 900
    assert alerts.source_for_channel("C9", "merchant-escalations") == "merchant"
    assert alerts.auto_declare[0].matches("alertmanager", {"service": "Payment-Gateway", "env": "prod"})


@pytest.mark.parametrize("raw,message", [
    ({"window": "soon"}, "alerts.window: 'soon' is not a duration"),
    ({"window": "none"}, "alerts.window: give a duration"),
    ({"severity": {"critical": 9}}, "alerts.severity.critical: no severity level 9"),
    ({"default_severity": 0}, "alerts.default_severity: no severity level 0"),
    ({"message_source": "twitter"}, "alerts.message_source: 'twitter' is not a detection source"),
    ({"auto_declare": [{"labels": {"a": "b"}, "source": "pagerduty"}]}, "alerts.auto_declare.0.source"),
    ({"auto_declare": [{"labels": {"a": "b"}, "severity": 5}]}, "alerts.auto_declare.0.severity: no severity level 5"),
    ({"grouping": "sometimes"}, "alerts.grouping"),
    ({"chanel": "C1"}, "alerts.chanel"),
])
def test_policy_errors_name_the_key(raw: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(".", r"\.")):
        _build({"alerts": raw}, "p.toml")
