"""PagerDuty both ways, over real HTTP against the fake: the page on declaration, who is on call, the
acknowledgement coming back (signed webhooks v3, redelivered, refused), Slack's acknowledgement and
resolution sent out, reopening, escalation at the breach, failures and outages."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp
from sqlmodel import select

from models import Job
from tests.conftest import Bot
from tests.paging.conftest import Pagers, card_text, page_of, paging_policy


def triggers(p: Pagers) -> list[dict[str, Any]]:
    return [e for e in p.pd.events if e["event_action"] == "trigger"]


async def test_declaring_sev1_pages_pagerduty_and_fills_the_oncall_role(pbot: Bot, pagers: Pagers) -> None:
    inc = await pbot.declare("sev1 Card payments failing in EU")
    [event] = triggers(pagers)
    assert event["routing_key"] == pagers.key and event["dedup_key"] == "INC-1"
    assert event["payload"]["severity"] == "critical" and event["payload"]["source"] == "incident-bot"
    assert event["payload"]["summary"] == "INC-1 SEV-1: Card payments failing in EU"
    assert event["payload"]["custom_details"]["incident_commander"] == pbot.people.alice
    assert event["links"][0]["href"] == f"https://slack.com/app_redirect?channel={inc.channel_id}"
    assert pagers.pd.incident("INC-1")["status"] == "triggered"

    inc = await pbot.incident(1)
    assert inc.oncall_id == pagers.erin  # PagerDuty's on-call, found in Slack by email
    assert pagers.erin in pbot.ws.channels[inc.channel_id].members
    text = card_text(pbot, inc)
    assert "Paged:* Payment gateway (PagerDuty)" in text and "on call: <@" + pagers.erin in text
    kinds = [e.kind for e in await pbot.timeline(1)]
    assert "paged" in kinds
    [lookup] = pagers.pd.calls("GET", "/oncalls")
    assert lookup.query["escalation_policy_ids[]"] == [pagers.policy_id]
    assert lookup.headers["Authorization"] == f"Token token={pagers.pd.api_token}"


async def test_sev3_does_not_page_until_raised_to_sev2(pbot: Bot, pagers: Pagers) -> None:
    inc = await pbot.declare("sev3 Refunds slow")
    assert triggers(pagers) == []
    await pbot.command(pbot.people.alice, "sev 2", inc.channel_id)
    await pbot.drain()
    [event] = triggers(pagers)
    assert event["payload"]["severity"] == "error"


async def test_acknowledged_in_pagerduty_stops_the_clock_once(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    pbot.clock.advance(timedelta(minutes=3))
    assert await pagers.pd.acknowledge("INC-1", pagers.pd_erin) == 200
    await pbot.drain()
    inc = await pbot.incident(1)
    assert inc.acknowledged_at is not None and inc.acknowledged_by == pagers.erin and inc.ack_seconds == 180
    [ack] = [e for e in await pbot.timeline(1) if e.kind == "acknowledged"]
    assert ack.via == "pagerduty" and ack.data["person"] == "Erin Evans"
    lines = [m.text for m in pbot.messages(inc.channel_id)]
    assert any(f"Acknowledged in PagerDuty by <@{pagers.erin}> after 3m" in t for t in lines)
    assert "acknowledged by Erin Evans" in card_text(pbot, inc)
    # not sent back to PagerDuty
    assert [e["event_action"] for e in pagers.pd.events] == ["trigger"]

    # the same event delivered again changes nothing
    before = len(await pbot.timeline(1))
    status, body = pagers.pd.delivered[-1]
    assert await pagers.pd.redeliver(body) == 200
    await pbot.drain()
    assert len(await pbot.timeline(1)) == before


async def test_a_redelivered_event_is_answered_duplicate(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    await pagers.pd.reassign("INC-1", pagers.pd_frank, pagers.pd_erin)
    first = len(await pbot.timeline(1))
    async with aiohttp.ClientSession() as http:
        body = pagers.pd.delivered[-1][1]
        raw = json.dumps(body).encode()
        async with http.post(pagers.pd.webhook_url, data=raw, headers={
                "X-PagerDuty-Signature": pagers.pd.sign(raw), "Content-Type": "application/json"}) as resp:
            assert resp.status == 200 and (await resp.json())["outcome"] == "duplicate"
    assert len(await pbot.timeline(1)) == first


async def test_reassigned_in_pagerduty_moves_the_oncall_role(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    assert await pagers.pd.reassign("INC-1", pagers.pd_frank, pagers.pd_erin) == 200
    await pbot.drain()
    inc = await pbot.incident(1)
    assert inc.oncall_id == pagers.frank
    assert pagers.frank in pbot.ws.channels[inc.channel_id].members
    facts = [e for e in await pbot.timeline(1) if e.kind == "pager_reassigned"]
    assert facts[0].data["to"] == "Frank Fox"


async def test_bad_or_missing_signature_is_refused_and_changes_nothing(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    incident = pagers.pd.incident("INC-1")
    body = pagers.pd.envelope("incident.acknowledged", incident, pagers.pd_erin)
    raw = json.dumps(body).encode()
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-PagerDuty-Signature": "v1=" + "0" * 64},
                        {"X-PagerDuty-Signature": pagers.pd.sign(raw + b" ")}):
            async with http.post(pagers.pd.webhook_url, data=raw, headers=headers) as resp:
                assert resp.status == 401
        # a rotated secret: several signatures, one of them right
        signed = f"v1={'a' * 64},{pagers.pd.sign(raw)}"
        async with http.post(pagers.pd.webhook_url, data=b"{not json", headers={
                "X-PagerDuty-Signature": pagers.pd.sign(b"{not json")}) as resp:
            assert resp.status == 400
    assert (await pbot.incident(1)).acknowledged_at is None
    async with aiohttp.ClientSession() as http, http.post(pagers.pd.webhook_url, data=raw, headers={
            "X-PagerDuty-Signature": signed}) as resp:
        assert resp.status == 200
    assert (await pbot.incident(1)).acknowledged_at is not None


async def test_webhooks_are_refused_when_no_secret_is_set(make_pbot: Any, pagers: Pagers) -> None:
    bot = await make_pbot(pagerduty_webhook_secret=None)
    async with aiohttp.ClientSession() as http, http.post(pagers.pd.webhook_url, data=b"{}") as resp:
        assert resp.status == 401
        assert "PAGERDUTY_WEBHOOK_SECRET" in (await resp.json())["error"]
    assert bot is not None


async def test_an_event_about_an_unknown_incident_is_taken_and_logged(pbot: Bot, pagers: Pagers) -> None:
    incident = {"id": "QOTHER", "type": "incident", "incident_key": "somebody-else", "status": "acknowledged"}
    body = pagers.pd.envelope("incident.acknowledged", incident, pagers.pd_erin)
    assert await pagers.pd.redeliver(body) == 200
    assert await pagers.pd.redeliver(body) == 200
    assert await pbot.incidents() == []


async def test_acknowledge_and_resolve_in_slack_reach_pagerduty(pbot: Bot, pagers: Pagers) -> None:
    inc = await pbot.declare()
    reply = await pbot.command(pagers.erin, "ack", inc.channel_id)
    assert reply.status == 200
    await pbot.drain()
    assert [e["event_action"] for e in pagers.pd.events] == ["trigger", "acknowledge"]
    assert pagers.pd.events[1]["dedup_key"] == "INC-1" and pagers.pd.events[1]["routing_key"] == pagers.key
    assert pagers.pd.incident("INC-1")["status"] == "acknowledged"
    await pbot.resolve()
    assert [e["event_action"] for e in pagers.pd.events] == ["trigger", "acknowledge", "resolve"]
    assert pagers.pd.incident("INC-1")["status"] == "resolved"
    # reopening pages again
    await pbot.command(pbot.people.alice, "status investigating", inc.channel_id)
    await pbot.drain()
    assert len(triggers(pagers)) == 2
    assert len(pagers.pd.incidents) == 2


async def test_resolved_in_pagerduty_resolves_the_incident(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    assert await pagers.pd.resolve("INC-1", pagers.pd_erin) == 200
    await pbot.drain()
    inc = await pbot.incident(1)
    assert inc.status == "resolved"
    assert [e["event_action"] for e in pagers.pd.events] == ["trigger"]  # not echoed back
    assert (await page_of(pbot)).status == "resolved"


async def test_the_ack_breach_escalates_in_pagerduty(pbot: Bot, pagers: Pagers) -> None:
    await pbot.declare()
    pbot.clock.advance(timedelta(minutes=11))
    await pbot.drain()
    [put] = pagers.pd.calls("PUT", "/incidents/")
    assert put.body == {"incident": {"type": "incident_reference", "escalation_level": 2}}
    assert put.headers["From"] == "frank@payments.example"
    assert pagers.pd.incident("INC-1")["escalation_level"] == 2
    # PagerDuty says so: the On-call Engineer follows the escalation
    await pbot.drain()
    inc = await pbot.incident(1)
    assert inc.oncall_id == pagers.frank
    assert "escalated to level 2" in card_text(pbot, inc) or (await page_of(pbot)).escalation_level == 2


async def test_a_refused_page_is_shown_on_the_card_and_to_the_ic(make_pbot: Any, pagers: Pagers) -> None:
    from dataclasses import replace

    wrong = replace(pagers, key="0" * 32)
    bot = await make_pbot(policy=paging_policy(wrong))
    inc = await bot.declare()
    assert pagers.pd.events == []
    page = await page_of(bot)
    assert page.status == "failed" and "does not match an integration" in (page.error or "")
    assert "Page failed" in card_text(bot, inc) and "does not match an integration" in card_text(bot, inc)
    dm = [m.text for m in bot.messages(bot.people.alice)]
    assert any("page the on-call" in t and "HTTP 400" in t for t in dm)
    failed = [e for e in await bot.timeline(1) if e.kind == "job_failed"]
    assert failed and failed[0].data["kind"] == "page_trigger"


async def test_a_pager_outage_is_retried_until_it_recovers(pbot: Bot, pagers: Pagers) -> None:
    pagers.pd.fail(2, 503)
    pagers.pd.fail(1, 429, retry_after="30")
    await pbot.declare()
    assert triggers(pagers) == []
    for _ in range(6):
        pbot.clock.advance(timedelta(seconds=40))
        await pbot.drain()
    assert len(triggers(pagers)) == 1
    assert (await page_of(pbot)).status == "triggered"
    async with pbot.rt.sessionmaker() as s:
        [job] = (await s.execute(select(Job).where(Job.kind == "page_trigger"))).scalars().all()
    assert job.state == "done" and job.attempts == 3  # the 429 did not count


async def test_a_private_incident_pages_without_its_details(pbot: Bot, pagers: Pagers) -> None:
    await pbot.command(pbot.people.alice, "declare")
    reply = await pbot.driver.submit(pbot.people.alice, {
        "title": "Acquirer breach suspected", "severity": "1", "surface": "card payments", "private": ["private"]})
    assert reply.status == 200
    await pbot.drain()
    [event] = triggers(pagers)
    sent = json.dumps(event)
    assert "Acquirer breach" not in sent and "card payments" not in sent
    assert event["payload"]["summary"] == "INC-1 SEV-1: a private incident (details in its Slack channel)"


async def test_a_drill_pages_nobody(pbot: Bot, pagers: Pagers) -> None:
    reply = await pbot.command(pbot.people.alice, "drill gateway")
    assert reply.status == 200
    await pbot.drain()
    assert len(await pbot.incidents()) == 1 and (await pbot.incidents())[0].drill
    assert pagers.pd.events == []
