"""The four alert webhooks over HTTP: realistic payloads stored as received and posted for triage,
credentials refused with 401, malformed bodies refused with 400, and nothing stored either way."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.alerts.conftest import (
    SECRETS,
    AlertBot,
    alertmanager,
    am_alert,
    datadog,
    generic,
    grafana,
    sign,
)


async def test_alertmanager_alert_is_stored_and_posted_for_triage(ab: AlertBot) -> None:
    payload = alertmanager(am_alert())
    answer = await ab.send("alertmanager", payload)
    assert answer.status == 200 and answer.json["ok"] is True and answer.json["stored"] == 1

    [alert] = await ab.alerts()
    assert alert.payload == payload["alerts"][0]  # as received
    assert (alert.source, alert.fingerprint, alert.status) == ("alertmanager", "5f1d2c3b4a596877", "firing")
    [group] = await ab.groups()
    assert group.title == "Payment gateway is not answering health checks"
    assert group.suggested_severity == 1 and group.labels["service"] == "payment-gateway"
    assert group.started_at.isoformat() == "2026-01-15T08:58:00+00:00"

    await ab.bot.drain()
    [msg] = ab.triage_messages()
    assert msg.text.startswith("Firing: Payment gateway is not answering health checks")
    text = json.dumps(msg.blocks)
    assert "SEV-1 Critical (alert: critical)" in text and "1 alert" in text
    buttons = [e["text"]["text"] for b in msg.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Declare incident", "Acknowledge", "Attach to INC-n", "Dismiss", "Open in Alertmanager",
                       "Runbook"]


async def test_datadog_default_payload_is_understood(ab: AlertBot) -> None:
    answer = await ab.send("datadog", datadog(with_monitor_vars=False))
    assert answer.status == 200
    [group] = await ab.groups()
    assert group.title == "High card authorization error rate on checkout-api"
    assert group.status == "firing" and group.source == "datadog"
    assert group.started_at.isoformat() == "2026-01-15T08:58:00+00:00"  # $DATE, epoch milliseconds
    # the recovery of the same monitor closes the same group, though $ID differs per event
    answer = await ab.send("datadog", {**datadog("Recovered", with_monitor_vars=False), "id": "99"})
    assert answer.status == 200
    [group] = await ab.groups()
    assert group.status == "resolved"
    assert [a.status for a in await ab.alerts()] == ["firing", "resolved"]


async def test_datadog_monitor_variables_give_priority_tags_and_link(ab: AlertBot) -> None:
    assert (await ab.send("datadog", datadog())).status == 200
    [group] = await ab.groups()
    assert group.fingerprint == "d2f7c5a8b1e4e0f3"  # $AGGREG_KEY
    assert group.severity == "P2" and group.suggested_severity == 2
    assert group.labels == {"env": "prod", "service": "checkout-api", "team": "payments"}
    assert group.link == "https://app.datadoghq.eu/event/event?id=7405233893521640191"


async def test_grafana_alert_links_its_panel(ab: AlertBot) -> None:
    assert (await ab.send("grafana", grafana())).status == 200
    [group] = await ab.groups()
    assert group.title == "Settlement batch is 45 minutes late"
    assert group.link == "https://grafana.example.com/d/payments-settlement?viewPanel=4"
    assert group.suggested_severity == 3
    await ab.bot.drain()
    [msg] = ab.triage_messages()
    assert "Open in Grafana" in json.dumps(msg.blocks)


async def test_generic_synthetic_check_counts_as_a_synthetic_test(ab: AlertBot) -> None:
    answer = await ab.send("generic", generic())
    assert answer.status == 200 and answer.json["stored"] == 1
    [group] = await ab.groups()
    assert group.detection_source == "synthetic" and group.suggested_severity == 2
    assert group.labels == {"service": "checkout", "region": "eu-west-1", "source": "synthetic-payments"}


async def test_generic_accepts_a_batch_and_the_minimum(ab: AlertBot) -> None:
    answer = await ab.send("generic", [{"title": "Splunk: refund queue growing"},
                                       generic(fingerprint="b", title="New Relic: API p99 above 2s")])
    assert answer.status == 200 and answer.json["stored"] == 2
    groups = await ab.groups()
    assert [g.detection_source for g in groups] == ["monitoring", "synthetic"]
    assert groups[0].suggested_severity == 3  # no severity: the policy's default


@pytest.mark.parametrize("headers,why", [
    ({}, "missing credential"),
    ({"Authorization": "Bearer nope"}, "wrong credential"),
    ({"Authorization": "Basic YWxpY2U6c2VjcmV0"}, "wrong credential"),
])
async def test_bad_credentials_get_401_and_store_nothing(ab: AlertBot, headers: dict[str, str], why: str) -> None:
    answer = await ab.send("alertmanager", alertmanager(am_alert()), token=None, headers=headers)
    assert answer.status == 401 and answer.json["ok"] is False
    assert why in answer.json["error"]
    assert await ab.alerts() == [] and await ab.groups() == []
    await ab.bot.drain()
    assert ab.bot.ws.calls_to("chat.postMessage") == []


async def test_one_sources_token_does_not_open_another(ab: AlertBot) -> None:
    answer = await ab.send("datadog", datadog(), token="am-token-1")
    assert answer.status == 401 and await ab.alerts() == []


async def test_a_source_without_credentials_is_disabled(make_alert_bot: Any) -> None:
    ab = await make_alert_bot(alert_tokens={"generic": "x"}, alert_secrets={})
    answer = await ab.send("grafana", grafana(), token="anything")
    assert answer.status == 401
    assert "ALERTS_GRAFANA_TOKEN or ALERTS_GRAFANA_HMAC_SECRET" in answer.json["error"]
    assert await ab.alerts() == []


async def test_hmac_signature_is_accepted_and_checked(ab: AlertBot) -> None:
    body = json.dumps(grafana()).encode()
    hex_only = sign(SECRETS["grafana"], body).removeprefix("sha256=")  # Grafana sends bare hex
    good = await ab.send("grafana", None, raw=body, token=None, headers={"X-Grafana-Alerting-Signature": hex_only})
    assert good.status == 200
    tampered = body.replace(b"45 minutes", b"46 minutes")
    bad = await ab.send("grafana", None, raw=tampered, token=None,
                        headers={"X-Grafana-Alerting-Signature": sign(SECRETS["grafana"], body)})
    assert bad.status == 401 and "does not match" in bad.json["error"]
    assert len(await ab.alerts()) == 1


async def test_timestamped_signature_must_be_fresh(ab: AlertBot) -> None:
    body = json.dumps(generic()).encode()
    now = str(int(ab.bot.clock.now().timestamp()))
    fresh = await ab.send("generic", None, raw=body, token=None, headers={
        "X-Signature-Timestamp": now, "X-Signature-256": sign(SECRETS["generic"], body, now)})
    assert fresh.status == 200
    old = str(int(ab.bot.clock.now().timestamp()) - 600)
    stale = await ab.send("generic", None, raw=body, token=None, headers={
        "X-Signature-Timestamp": old, "X-Signature-256": sign(SECRETS["generic"], body, old)})
    assert stale.status == 401 and "five minutes" in stale.json["error"]
    assert len(await ab.alerts()) == 1


@pytest.mark.parametrize("source,raw,message", [
    ("alertmanager", b"", "the body is empty"),
    ("alertmanager", b"{not json", "not valid JSON"),
    ("alertmanager", b"[1, 2]", "the body must be a JSON object"),
    ("alertmanager", json.dumps({"version": "4", "status": "firing"}).encode(), "alerts is required"),
    ("alertmanager", json.dumps({"version": "3", "alerts": [am_alert()]}).encode(), "version '3' is not supported"),
    ("alertmanager", json.dumps({"version": "4", "alerts": []}).encode(), "holds no alerts"),
    ("alertmanager", json.dumps(alertmanager(am_alert(status="burning"))).encode(),
     'alerts[0].status must be "firing" or "resolved"'),
    ("alertmanager", json.dumps(alertmanager(am_alert(starts_at="yesterday"))).encode(),
     "alerts[0].startsAt: 'yesterday' is not an RFC 3339 timestamp"),
    ("grafana", json.dumps({"alerts": [{"status": "firing"}]}).encode(), "alerts[0].labels is required"),
    ("datadog", json.dumps({"body": "x", "id": "1"}).encode(), "title is required"),
    ("generic", json.dumps({"severity": "high"}).encode(), "the body.title is required"),
    ("generic", json.dumps(generic(status="ok")).encode(), 'the body.status must be "firing" or "resolved"'),
    ("generic", json.dumps(generic(link="ftp://x")).encode(), "link must be an http(s) URL"),
    ("generic", json.dumps(generic(started_at="2026-01-15T08:55:00")).encode(), "has no time zone"),
    ("generic", json.dumps(generic(labels=["a"])).encode(), "labels must be a JSON object"),
    ("generic", b"[" * 100_000, "nested too deeply"),
    ("generic", json.dumps(generic(started_at=10**40)).encode(), "is out of range"),
])
async def test_malformed_bodies_get_400_naming_the_problem(ab: AlertBot, source: str, raw: bytes,
                                                           message: str) -> None:
    answer = await ab.send(source, None, raw=raw)
    assert answer.status == 400, answer.json
    assert message in answer.json["error"]
    assert answer.json["error"].startswith(f"malformed {source} payload")
    assert await ab.alerts() == [] and await ab.groups() == []


async def test_long_values_are_stored_cut_to_size(ab: AlertBot) -> None:
    answer = await ab.send("generic", generic(severity="s" * 500, title="t" * 1000, fingerprint="f" * 500))
    assert answer.status == 200
    [alert] = await ab.alerts()
    assert len(alert.severity) == 40 and len(alert.title) == 300 and alert.payload["title"] == "t" * 1000


async def test_a_bad_alert_in_a_batch_stores_none_of_it(ab: AlertBot) -> None:
    payload = alertmanager(am_alert("a"), am_alert("b", starts_at="soon"))
    answer = await ab.send("alertmanager", payload)
    assert answer.status == 400 and "alerts[1].startsAt" in answer.json["error"]
    assert await ab.alerts() == []


async def test_database_trouble_is_a_503_never_a_500(ab: AlertBot) -> None:
    await ab.bot.rt.engine.dispose()
    original = ab.bot.rt.sessionmaker.kw["bind"]

    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise ConnectionRefusedError("database down")

    ab.bot.rt.sessionmaker.configure(bind=Broken())
    try:
        answer = await ab.send("generic", generic())
    finally:
        ab.bot.rt.sessionmaker.configure(bind=original)
    assert answer.status == 503 and "retry" in answer.json["error"]
    assert await ab.alerts() == []


async def test_webhook_answers_fast_and_leaves_slack_to_the_worker(ab: AlertBot) -> None:
    start = time.perf_counter()
    answer = await ab.send("alertmanager", alertmanager(am_alert()))
    assert answer.status == 200 and time.perf_counter() - start < 3
    assert ab.bot.ws.calls_to("chat.postMessage") == []  # only a job so far
    await ab.bot.drain()
    assert len(ab.triage_messages()) == 1
