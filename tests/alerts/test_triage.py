"""The triage message's buttons, clicked through the driver as a person in Slack would, and the
auto-declare rule: Declare, Acknowledge, Attach to INC-n, Dismiss; an attached group's later
firings and resolution in the incident's channel; a SEV-1 declared by rule with its ack clock
started at the alert's start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.policy import default_policy
from bot.policy.alerts import AlertPolicy, AutoDeclareRule
from bot.timeline.blocks import fact_text
from tests.alerts.conftest import AlertBot, alertmanager, am_alert, datadog


def buttons(msg: Any) -> list[str]:
    return [e["text"]["text"] for b in msg.blocks if b["type"] == "actions" for e in b["elements"]]


def contexts(msg: Any) -> str:
    return " ".join(e.get("text", "") for b in msg.blocks if b["type"] == "context" for e in b["elements"])


async def _posted(ab: AlertBot, payload: dict[str, Any] | None = None) -> Any:
    answer = await ab.send("alertmanager", payload or alertmanager(am_alert()))
    assert answer.status == 200
    await ab.bot.drain()
    [msg] = ab.triage_messages()
    return msg


async def test_declare_opens_the_modal_prefilled_and_attaches_the_alert(ab: AlertBot) -> None:
    p = ab.bot.people
    msg = await _posted(ab)
    reply = await ab.bot.driver.click(p.alice, msg, "Declare incident")
    assert reply.status == 200
    modal = ab.bot.ws.open_modal(p.alice)
    assert modal is not None and modal.view["callback_id"] == "incident_declare"
    blocks = {b.get("block_id"): b for b in modal.view["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == "Payment gateway is not answering health checks"
    assert blocks["severity"]["element"]["initial_option"]["value"] == "1"
    assert blocks["source"]["element"]["initial_option"]["value"] == "monitoring"
    note = blocks["declared_from"]["text"]["text"]
    assert "From alert *Payment gateway is not answering health checks*" in note
    assert "<https://prometheus.example.com/graph" in note

    reply = await ab.bot.driver.submit(p.alice, {"surface": "Card payments EU"})
    assert reply.status == 200 and not reply.errors
    await ab.bot.drain()
    [inc] = await ab.bot.incidents()
    assert (inc.severity, inc.source, inc.surface, inc.declared_by) == (1, "monitoring", "Card payments EU", p.alice)
    [group] = await ab.groups()
    assert group.incident_id == inc.id and group.attached_by == p.alice
    msg = ab.triage_messages()[0]
    assert "Attached to *INC-1*" in contexts(msg) and f"<#{inc.channel_id}>" in contexts(msg)
    assert buttons(msg) == ["Open in Alertmanager", "Runbook"]
    kinds = [e.kind for e in await ab.bot.timeline(1)]
    assert kinds[0] == "declared" and "alert_attached" in kinds

    # later firings and the resolution go to the incident's channel
    ab.bot.clock.advance(timedelta(seconds=40))
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.send("alertmanager", alertmanager(am_alert()))
    ab.bot.clock.advance(timedelta(seconds=40))
    await ab.bot.drain()
    said = [m.text for m in ab.bot.messages(inc.channel_id)]
    assert any("fired 2 more times (3 in all)" in s for s in said), said
    await ab.send("alertmanager", alertmanager(am_alert(status="resolved", ends_at="2026-01-15T09:01:00Z")))
    await ab.bot.drain()
    said = [m.text for m in ab.bot.messages(inc.channel_id)]
    assert any(s.startswith(":white_check_mark: Alert resolved: *Payment gateway") for s in said)
    assert ab.triage_messages()[0].text.startswith("Resolved:")


async def test_declare_twice_from_one_alert_is_refused(ab: AlertBot) -> None:
    p = ab.bot.people
    msg = await _posted(ab)
    await ab.bot.driver.click(p.alice, msg, "Declare incident")
    await ab.bot.driver.click(p.bob, msg, "Declare incident")  # the old message, before it is redrawn
    first = await ab.bot.driver.submit(p.alice)
    assert not first.errors
    second = await ab.bot.driver.submit(p.bob)
    assert second.errors and "already belongs to INC-1" in next(iter(second.errors.values()))
    assert len(await ab.bot.incidents()) == 1


async def test_acknowledge_shows_who_and_when(ab: AlertBot) -> None:
    p = ab.bot.people
    msg = await _posted(ab)
    ab.bot.clock.advance(timedelta(minutes=3))
    reply = await ab.bot.driver.click(p.bob, msg, "Acknowledge")
    assert reply.status == 200
    await ab.bot.drain()
    msg = ab.triage_messages()[0]
    assert f"Acknowledged by <@{p.bob}>" in contexts(msg) and "09:03" in contexts(msg)
    assert buttons(msg) == ["Declare incident", "Attach to INC-n", "Dismiss", "Open in Alertmanager", "Runbook"]
    [group] = await ab.groups()
    assert group.acknowledged_by == p.bob


async def test_dismiss_keeps_counting_without_buttons(ab: AlertBot) -> None:
    p = ab.bot.people
    msg = await _posted(ab)
    await ab.bot.driver.click(p.carol, msg, "Dismiss")
    await ab.bot.drain()
    msg = ab.triage_messages()[0]
    assert f"Dismissed by <@{p.carol}>" in contexts(msg)
    assert buttons(msg) == ["Open in Alertmanager", "Runbook"]
    ab.bot.clock.advance(timedelta(minutes=1))
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.bot.drain()
    [group] = await ab.groups()
    assert group.count == 2 and group.dismissed_by == p.carol
    assert len(ab.triage_messages()) == 1


async def test_attach_links_the_alert_to_an_open_incident(ab: AlertBot) -> None:
    p = ab.bot.people
    inc = await ab.bot.declare("sev2 Card authorisations failing")
    msg = await _posted(ab, None)
    reply = await ab.bot.driver.click(p.alice, msg, "Attach to INC-n")
    assert reply.status == 200
    modal = ab.bot.ws.open_modal(p.alice)
    assert modal is not None and modal.view["callback_id"] == "alert_attach"
    options = modal.view["blocks"][1]["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["INC-1 · SEV-2 · Card authorisations failing"]
    reply = await ab.bot.driver.submit(p.alice, {"incident": str(inc.id)})
    assert not reply.errors
    await ab.bot.drain()

    [group] = await ab.groups()
    assert group.incident_id == inc.id
    said = [m.text for m in ab.bot.messages(inc.channel_id)]
    assert any(s.startswith(f":link: <@{p.alice}> attached alert *Payment gateway") for s in said)
    assert "Attached to *INC-1*" in contexts(ab.triage_messages()[0])
    assert "alert_attached" in [e.kind for e in await ab.bot.timeline(1)]

    # resolved, then firing again: both told in the incident's channel
    await ab.send("alertmanager", alertmanager(am_alert(status="resolved", ends_at="2026-01-15T09:00:30Z")))
    ab.bot.clock.advance(timedelta(minutes=2))
    await ab.send("alertmanager", alertmanager(am_alert(starts_at="2026-01-15T09:02:00Z")))
    await ab.bot.drain()
    said = [m.text for m in ab.bot.messages(inc.channel_id)]
    assert any(s.startswith(":white_check_mark: Alert resolved") for s in said)
    assert any(s.startswith(":rotating_light: Alert firing again") for s in said)
    assert len(ab.triage_messages()) == 1


async def test_attach_without_open_incidents_says_so(ab: AlertBot) -> None:
    msg = await _posted(ab)
    await ab.bot.driver.click(ab.bot.people.alice, msg, "Attach to INC-n")
    await ab.bot.drain()
    assert ab.bot.ws.open_modal(ab.bot.people.alice) is None
    assert any("no open incident to attach" in e for e in ab.bot.ephemerals(ab.bot.people.alice))


async def test_auto_declare_rule_declares_sev1_with_the_ack_clock_at_the_alerts_start(make_alert_bot: Any) -> None:
    rule = AutoDeclareRule(name="Payment gateway down", labels={"severity": "critical", "service": "payment-gateway"},
                           severity=1)
    policy = default_policy().model_copy(update={"alerts": AlertPolicy(auto_declare=(rule,))})
    ab = await make_alert_bot(policy=policy)
    answer = await ab.send("alertmanager", alertmanager(am_alert(starts_at="2026-01-15T08:57:00Z")))
    assert answer.status == 200 and answer.json["declared"] == ["INC-1"]

    [inc] = await ab.bot.incidents()
    assert (inc.severity, inc.source, inc.title) == (1, "monitoring", "Payment gateway is not answering health checks")
    assert inc.ack_started_at == datetime(2026, 1, 15, 8, 57, tzinfo=UTC)
    assert inc.commander_id is None
    reminder = next(j for j in await ab.bot.jobs() if j.kind == "ack_reminder")
    assert reminder.due_at == datetime(2026, 1, 15, 9, 2, tzinfo=UTC)  # 5 minutes after the alert started
    await ab.bot.drain()
    inc = await ab.bot.incident(1)
    assert inc.channel_id
    timeline = await ab.bot.timeline(1)
    assert fact_text(timeline[0]).startswith("Declared SEV-1 automatically by alert rule “Payment gateway down”")
    assert "alert_attached" in [e.kind for e in timeline]
    assert not [e for e in timeline if e.kind == "invite_failed"]
    [group] = await ab.groups()
    assert group.incident_id == inc.id
    msg = ab.triage_messages()[0]
    assert "Attached to *INC-1*" in contexts(msg) and "by an auto-declare rule" in contexts(msg)
    card = ab.bot.card(inc)
    assert "by an alert rule" in json.dumps(card.blocks)

    # a later firing of the same alert is not a second incident
    await ab.send("alertmanager", alertmanager(am_alert(starts_at="2026-01-15T08:57:00Z")))
    assert len(await ab.bot.incidents()) == 1


async def test_rules_match_only_what_they_name(make_alert_bot: Any) -> None:
    rule = AutoDeclareRule(labels={"service": "payment-gateway"}, source="alertmanager")
    policy = default_policy().model_copy(update={"alerts": AlertPolicy(auto_declare=(rule,))})
    ab = await make_alert_bot(policy=policy)
    await ab.send("datadog", datadog())  # service:checkout-api, and not from Alertmanager
    await ab.send("alertmanager", alertmanager(am_alert(service="ledger")))
    assert await ab.bot.incidents() == []
    await ab.send("alertmanager", alertmanager(am_alert("other", severity="warning")))
    [inc] = await ab.bot.incidents()
    assert inc.severity == 3  # no severity in the rule: the alert's own, mapped
