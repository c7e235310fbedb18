"""Alerts are never lost, never multiplied and never stuck: big notifications are taken whole, a source's
own group makes one triage message, Datadog's recoveries recover, text the database cannot hold is made
storable, JSON routes refuse other content types, and a replayed signature is refused."""

from __future__ import annotations

import json
from typing import Any

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


def _fields(message: Any) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


async def test_a_notification_of_thousands_of_alerts_over_ten_mib_is_taken_whole(ab: AlertBot) -> None:
    note = "x" * 1800  # a long description on every alert
    alerts = [am_alert(f"fp{i:05d}", alertname="CardAuthErrors", summary=f"Card auth errors on pod {i}")
              for i in range(6000)]
    for a in alerts:
        a["annotations"]["description"] = note
    payload = alertmanager(*alerts)
    body = json.dumps(payload).encode()
    assert len(body) > 10 * 1024 * 1024
    answer = await ab.send("alertmanager", payload)
    assert answer.status == 200 and answer.json["stored"] == 6000
    assert len(await ab.alerts()) == 6000
    await ab.bot.drain()
    [message] = ab.triage_messages()
    assert "6000 alerts*: 6000 firing, 0 resolved" in _fields(message)


async def test_a_body_past_the_limit_is_a_413_in_json(ab: AlertBot) -> None:
    answer = await ab.send("generic", None, raw=b'{"title": "' + b"x" * (33 * 1024 * 1024) + b'"}')
    assert answer.status == 413 and answer.json["ok"] is False and "MiB" in answer.json["error"]
    assert await ab.alerts() == []


async def test_one_group_of_thirty_alerts_is_one_triage_message_listing_them(ab: AlertBot) -> None:
    alerts = [am_alert(f"fp{i:02d}", alertname="AcquirerTimeouts", summary=f"Acquirer {i} timing out")
              for i in range(30)]
    payload = alertmanager(*alerts)
    payload["truncatedAlerts"] = 12
    payload["commonAnnotations"] = {"summary": "Acquirers timing out in EU"}
    assert (await ab.send("alertmanager", payload)).status == 200
    await ab.bot.drain()
    [message] = ab.triage_messages()
    shown = _fields(message)
    assert message.text.startswith("Firing: Acquirers timing out in EU")
    assert "30 alerts*: 30 firing, 0 resolved" in shown and "Acquirer 0 timing out" in shown
    assert "…and 15 more" in shown and "left 12 more out of its notification (truncatedAlerts)" in shown

    resolved = [dict(a, status="resolved", endsAt="2026-01-15T09:10:00Z") for a in alerts[:10]]
    await ab.send("alertmanager", alertmanager(*resolved, *alerts[10:]))
    await ab.bot.drain()
    [group] = await ab.groups()
    assert group.status == "firing"  # twenty still fire
    await ab.send("alertmanager", alertmanager(*[dict(a, status="resolved", endsAt="2026-01-15T09:20:00Z")
                                                 for a in alerts], status="resolved"))
    await ab.bot.drain()
    [group] = await ab.groups()
    assert group.status == "resolved"
    assert ab.triage_messages()[0].text.startswith("Resolved:")
    assert len(ab.bot.ws.calls_to("chat.postMessage")) == 1


async def test_grafana_groups_by_its_group_and_links_its_silence_dashboard_and_panel(ab: AlertBot) -> None:
    first, second = grafana(fingerprint="aaa1"), grafana(fingerprint="bbb2")
    both = dict(first, alerts=first["alerts"] + second["alerts"])
    assert (await ab.send("grafana", both)).status == 200
    await ab.bot.drain()
    [message] = ab.triage_messages()
    buttons = {e["text"]["text"]: e.get("url") for b in message.blocks if b["type"] == "actions"
               for e in b["elements"]}
    assert buttons["Silence"].startswith("https://grafana.example.com/alerting/silence/new")
    assert buttons["Dashboard"] == "https://grafana.example.com/d/payments-settlement"
    assert buttons["Open in Grafana"] == "https://grafana.example.com/d/payments-settlement?viewPanel=4"


async def test_a_datadog_recovery_titled_the_documented_way_resolves_its_trigger(ab: AlertBot) -> None:
    trigger = datadog("Triggered on {host:checkout-1}", with_monitor_vars=False)
    trigger["alert_cycle_key"] = "cycle-8842"
    trigger["body"] = ("%%%\nErrors above 5% on [[checkout-1](https://app.datadoghq.eu/infrastructure?host=checkout-1)]"
                       "; see [the runbook](https://runbooks.example.com/checkout)\n%%%")
    recovery = datadog("Recovered on {host:checkout-1}", with_monitor_vars=False)
    recovery["alert_cycle_key"] = "cycle-8842"
    await ab.send("datadog", trigger)
    await ab.send("datadog", recovery)
    await ab.bot.drain()
    [group] = await ab.groups()
    assert group.status == "resolved" and group.count == 1
    assert group.summary == "Errors above 5% on checkout-1; see the runbook"
    assert group.links == {"checkout-1": "https://app.datadoghq.eu/infrastructure?host=checkout-1",
                           "the runbook": "https://runbooks.example.com/checkout"}
    assert "%%%" not in _fields(ab.triage_messages()[0])


async def test_nul_and_lone_surrogates_are_made_storable_not_a_retry_loop(ab: AlertBot) -> None:
    raw = json.dumps(generic(title="Checkout\u0000 failing \ud800 in EU", fingerprint="nul-1")).encode()
    answer = await ab.send("generic", None, raw=raw)
    assert answer.status == 200, answer.json
    [alert] = await ab.alerts()
    assert alert.title == "Checkout failing \ufffd in EU"
    reply = await ab.bot.command(ab.bot.people.alice, "declare sev2 Refunds\u0000 stuck")
    assert reply.status == 200 and "INC-1" in reply.json["text"]
    await ab.bot.drain()
    assert (await ab.bot.incident(1)).title == "Refunds stuck"


async def test_a_json_route_refuses_another_content_type(ab: AlertBot) -> None:
    answer = await ab.send("generic", generic(), headers={"Content-Type": "text/plain"})
    assert answer.status == 415 and answer.json["ok"] is False
    assert await ab.alerts() == []


async def test_a_replayed_signature_is_refused_and_one_without_a_timestamp_can_be_required(
        make_alert_bot: Any) -> None:
    ab: AlertBot = await make_alert_bot(alert_require_timestamp=frozenset({"generic"}))
    body = json.dumps(generic()).encode()
    bare = await ab.send("generic", None, raw=body, token=None,
                         headers={"X-Signature-256": sign(SECRETS["generic"], body)})
    assert bare.status == 401 and "without a timestamp" in bare.json["error"]
    now = str(int(ab.bot.clock.now().timestamp()))
    signed = {"X-Signature-Timestamp": now, "X-Signature-256": sign(SECRETS["generic"], body, now)}
    assert (await ab.send("generic", None, raw=body, token=None, headers=signed)).status == 200
    again = await ab.send("generic", None, raw=body, token=None, headers=signed)
    assert again.status == 401 and "replayed" in again.json["error"]
    assert len(await ab.alerts()) == 1
