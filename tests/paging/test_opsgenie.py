"""Opsgenie both ways: the alert by alias for the payouts route, the schedule's on-call, the outgoing
webhook's token, Acknowledge / Close / AssignOwnership coming back, and Slack's changes going out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp

from tests.conftest import Bot
from tests.paging.conftest import Pagers, card_text, page_of

DECLARE = "sev1 Payouts delayed for every merchant"


async def declare_payouts(bot: Bot) -> Any:
    reply = await bot.command(bot.people.alice, "declare")
    assert reply.status == 200
    values = {"title": "Payouts delayed for every merchant", "severity": "1", "surface": "payouts"}
    reply = await bot.driver.submit(bot.people.alice, values)
    assert reply.ok, reply.body
    await bot.drain()
    return await bot.incident(1)


async def test_a_payouts_incident_pages_the_opsgenie_team(pbot: Bot, pagers: Pagers) -> None:
    inc = await declare_payouts(pbot)
    [create] = pagers.og.calls("POST", "/v2/alerts")
    assert create.headers["Authorization"] == f"GenieKey {pagers.og.api_key}"
    alert = pagers.og.alert("INC-1")
    assert alert is not None and alert["priority"] == "P1"
    assert alert["responders"] == [{"name": "payouts-team", "type": "team"}]
    assert alert["message"].startswith("INC-1 SEV-1: Payouts delayed")
    assert alert["details"]["slack_link"].endswith(inc.channel_id)
    inc = await pbot.incident(1)
    assert inc.oncall_id == pagers.erin  # the schedule's on-call, by email
    assert "Paged:* Payouts (Opsgenie)" in card_text(pbot, inc)
    assert pagers.pd.events == []


async def test_acknowledge_in_opsgenie_comes_back_and_a_wrong_token_is_refused(pbot: Bot, pagers: Pagers) -> None:
    await declare_payouts(pbot)
    pbot.clock.advance(timedelta(minutes=2))
    body = pagers.og.action_data("Acknowledge", pagers.og.alert("INC-1"), "erin@payments.example")
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Opsgenie-Token": "wrong"}, {"Authorization": "Bearer wrong"}):
            async with http.post(pagers.og.webhook_url, data=json.dumps(body), headers=headers) as resp:
                assert resp.status == 401
    assert (await pbot.incident(1)).acknowledged_at is None
    assert await pagers.og.redeliver(body) == 200
    assert await pagers.og.redeliver(body) == 200  # redelivered: nothing more
    await pbot.drain()
    inc = await pbot.incident(1)
    assert inc.acknowledged_by == pagers.erin and inc.ack_seconds == 120
    assert len([e for e in await pbot.timeline(1) if e.kind == "acknowledged"]) == 1
    # the token in the URL's query works too
    async with aiohttp.ClientSession() as http, http.post(
            f"{pagers.og.webhook_url}?token={pagers.og.webhook_token}", data=json.dumps(body)) as resp:
        assert resp.status == 200 and (await resp.json())["outcome"] == "duplicate"


async def test_close_and_assign_ownership_in_opsgenie(pbot: Bot, pagers: Pagers) -> None:
    await declare_payouts(pbot)
    assert await pagers.og.assign("INC-1", "frank@payments.example", "erin@payments.example") == 200
    await pbot.drain()
    assert (await pbot.incident(1)).oncall_id == pagers.frank
    assert await pagers.og.close("INC-1", "frank@payments.example") == 200
    await pbot.drain()
    assert (await pbot.incident(1)).status == "resolved"
    assert not pagers.og.calls("POST", "/v2/alerts/INC-1/close")  # not echoed back


async def test_slack_acknowledges_resolves_and_escalates_in_opsgenie(pbot: Bot, pagers: Pagers) -> None:
    inc = await declare_payouts(pbot)
    pbot.clock.advance(timedelta(minutes=11))  # past SEV-1's breach
    await pbot.drain()
    [esc] = pagers.og.calls("POST", "/v2/alerts/INC-1/escalate")
    assert esc.query["identifierType"] == ["alias"] and esc.body["escalation"]["name"] == "payouts_escalation"
    await pbot.command(pagers.erin, "ack", inc.channel_id)
    await pbot.drain()
    [ack] = pagers.og.calls("POST", "/v2/alerts/INC-1/acknowledge")
    assert ack.query["identifierType"] == ["alias"] and pagers.og.alert("INC-1")["acknowledged"] is True
    await pbot.resolve()
    assert pagers.og.alert("INC-1")["status"] == "closed"
    assert (await page_of(pbot)).status == "resolved"


async def test_an_alert_opsgenie_refuses_later_is_a_failed_page(pbot: Bot, pagers: Pagers) -> None:
    pagers.og.teams.clear()  # accepted with 202, then failed: the request status says why
    inc = await declare_payouts(pbot)
    page = await page_of(pbot)
    assert page.status == "failed" and "Team [payouts-team] not found" in (page.error or "")
    assert "Page failed" in card_text(pbot, inc)
