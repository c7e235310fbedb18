"""The clocks, driven as Slack and time would drive them: signed requests, a fake clock moved forward,
the worker run, and what reached the emulator and the database checked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.policy import Policy, default_policy
from bot.policy.escalation import Escalation
from bot.policy.oncall import OnCall
from tests.conftest import Bot

ONCALL, SEV1_ONCALL, LEADS = "S0ONCALL", "S0SEV1ONCALL", "S0LEADS"


def clock_policy() -> Policy:
    return default_policy().model_copy(update={
        "oncall": OnCall(group=ONCALL, severity={"SEV-1": SEV1_ONCALL}),
        "escalation": Escalation(channel=None, leadership_group=LEADS)})


@pytest.fixture
async def cbot(bot_factory: Any) -> Bot:
    """A bot whose policy names on-call groups and a leadership channel."""
    bot: Bot = await bot_factory()
    leaders = bot.ws.add_channel("leadership", bot_member=True)
    policy = clock_policy().model_copy(update={"escalation": Escalation(channel=leaders, leadership_group=LEADS)})
    bot = await bot_factory(clock=bot.clock, policy=policy)
    bot.leaders = leaders  # type: ignore[attr-defined]
    return bot


async def at(bot: Bot, minutes: float) -> None:
    """Move the clock to `minutes` after the incident was declared, and run what came due."""
    target = bot.start + timedelta(minutes=minutes)  # type: ignore[attr-defined]
    bot.clock.set(target)
    await bot.drain()


async def declare(bot: Bot, text: str) -> Any:
    bot.start = bot.clock.now()  # type: ignore[attr-defined]
    return await bot.declare(text)


def texts(bot: Bot, channel: str | None) -> list[str]:
    return [m.text for m in bot.messages(channel)] if channel else []


def count(bot: Bot, channel: str | None, needle: str) -> int:
    return sum(needle in text for text in texts(bot, channel))


@pytest.mark.parametrize(("sev", "remind", "breach", "group"), [
    (1, 5, 10, SEV1_ONCALL), (2, 15, 30, ONCALL), (3, 240, None, ONCALL)])
async def test_ack_reminder_and_breach_per_severity(cbot: Bot, sev: int, remind: int, breach: int | None,
                                                    group: str) -> None:
    inc = await declare(cbot, f"sev{sev} Card payments failing")
    await at(cbot, remind - 0.5)
    assert count(cbot, inc.channel_id, "still unacknowledged") == 0
    await at(cbot, remind)
    reminders = [t for t in texts(cbot, inc.channel_id) if "still unacknowledged" in t]
    assert len(reminders) == 1 and f"<!subteam^{group}>" in reminders[0]
    if breach is None:
        await at(cbot, remind * 3)
        assert count(cbot, cbot.leaders, "breached") == 0  # type: ignore[attr-defined]
        return
    await at(cbot, breach - 0.5)
    assert count(cbot, cbot.leaders, "breached its acknowledgement SLA") == 0  # type: ignore[attr-defined]
    await at(cbot, breach)
    escalations = [t for t in texts(cbot, cbot.leaders) if "breached its acknowledgement SLA" in t]  # type: ignore[attr-defined]
    assert len(escalations) == 1 and f"<!subteam^{LEADS}>" in escalations[0]
    assert [e.kind for e in await cbot.timeline(1)].count("ack_breach") == 1
    assert "Ack SLA breached" in str(cbot.card(await cbot.incident(1)).blocks)
    await at(cbot, breach * 3)
    assert count(cbot, inc.channel_id, "still unacknowledged") == 1


async def test_acknowledging_stops_the_ack_clock_and_stores_the_time(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await at(cbot, 3.5)
    reply = await cbot.driver.click(p.alice, cbot.card(inc), "incident_ack")  # alice declared, so she is IC
    assert reply.status == 200
    await at(cbot, 20)
    inc = await cbot.incident(1)
    assert (inc.acknowledged_by, inc.ack_seconds) == (p.alice, 210)
    assert count(cbot, inc.channel_id, "still unacknowledged") == 0
    assert count(cbot, cbot.leaders, "breached") == 0  # type: ignore[attr-defined]
    assert "Acknowledged by" in str(cbot.card(inc).blocks) and "incident_ack" not in str(cbot.card(inc).blocks)
    event = next(e for e in await cbot.timeline(1) if e.kind == "acknowledged")
    assert (event.actor, event.data) == (p.alice, {"seconds": 210})


async def test_only_the_oncall_or_the_ic_acknowledge(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev2 Latency")
    await cbot.command(p.alice, f"role oncall <@{p.bob}>", inc.channel_id)
    reply = await cbot.command(p.carol, "ack", inc.channel_id)
    assert "Only the On-call Engineer" in reply.json["text"]
    assert (await cbot.incident(1)).acknowledged_at is None
    assert (await cbot.command(p.bob, "ack", inc.channel_id)).json["text"] == "You acknowledged INC-1."
    assert "already acknowledged" in (await cbot.command(p.alice, "ack", inc.channel_id)).json["text"]


async def test_with_nobody_on_call_whoever_acknowledges_becomes_on_call(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev2 Latency")
    await cbot.command(p.dave, "ack", inc.channel_id)
    await cbot.drain()
    inc = await cbot.incident(1)
    assert (inc.oncall_id, inc.acknowledged_by) == (p.dave, p.dave)
    assert p.dave in cbot.ws.channel(inc.channel_id).members


async def test_update_reminder_mentions_the_roles_and_an_update_resets_it(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await at(cbot, 10)
    await cbot.command(p.alice, "update Rolled back the deploy", inc.channel_id)
    await at(cbot, 15)
    assert count(cbot, inc.channel_id, "an update on *INC-1* is due") == 0  # reset at 10 → due at 25
    await at(cbot, 25)
    reminder = [m for m in cbot.messages(inc.channel_id) if "an update on *INC-1* is due" in m.text]
    assert len(reminder) == 1
    assert f"<@{p.alice}>" in reminder[0].text and "nobody holds the Communications Manager role" in reminder[0].text
    buttons = [e["text"]["text"] for b in reminder[0].blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Post update", "Snooze 15 min", "Snooze 30 min", "Snooze 60 min"]


async def test_an_update_from_the_reminder_resets_the_clock(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await at(cbot, 15)
    reminder = next(m for m in cbot.messages(inc.channel_id) if "is due" in m.text)
    await cbot.driver.click(p.alice, reminder, "incident_post_update")
    await cbot.driver.submit(p.alice, {"text": "Failing over to the backup acquirer"})
    await at(cbot, 29)
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 1
    assert (await cbot.incident(1)).update_overdue_since is None
    await at(cbot, 30)
    assert count(cbot, inc.channel_id, "an update on *INC-1* is due") == 2


async def test_a_second_missed_period_escalates_to_the_ic_and_for_sev1_leadership(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await cbot.driver.click(p.alice, cbot.card(inc), "incident_ack")
    await at(cbot, 15)
    assert count(cbot, p.alice, "overdue") == 0
    await at(cbot, 30)
    assert count(cbot, inc.channel_id, "is overdue by 15m") == 1
    dms = [t for t in texts(cbot, p.alice) if "a second full period" in t]
    assert len(dms) == 1
    leaders = [t for t in texts(cbot, cbot.leaders) if "a second full period" in t]  # type: ignore[attr-defined]
    assert len(leaders) == 1 and f"<!subteam^{LEADS}>" in leaders[0]
    await at(cbot, 45)  # the streak was escalated once; reminders go on at the cadence
    assert len([t for t in texts(cbot, p.alice) if "a second full period" in t]) == 1
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 3


async def test_sev2_escalates_a_second_missed_period_to_the_ic_only(cbot: Bot) -> None:
    inc = await declare(cbot, "sev2 Latency")
    await at(cbot, 30)
    await at(cbot, 60)
    assert count(cbot, cbot.people.alice, "a second full period") == 1
    assert count(cbot, cbot.leaders, "a second full period") == 0  # type: ignore[attr-defined]
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 2


async def test_snooze_postpones_and_is_recorded(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await at(cbot, 15)
    reminder = next(m for m in cbot.messages(inc.channel_id) if "is due" in m.text)
    reply = await cbot.driver.click(p.bob, reminder, "incident_snooze:30")
    assert reply.status == 200
    await at(cbot, 44)
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 1
    await at(cbot, 45)
    assert count(cbot, inc.channel_id, "an update on *INC-1* is due") == 2  # a fresh streak, not an escalation
    assert count(cbot, p.alice, "a second full period") == 0
    snoozed = next(e for e in await cbot.timeline(1) if e.kind == "update_snoozed")
    assert (snoozed.actor, snoozed.data) == (p.bob, {"minutes": 30})
    assert any(f"<@{p.bob}> snoozed the update reminder for 30 minutes" in t for t in texts(cbot, inc.channel_id))


async def test_a_severity_change_replans_the_cadence_at_once(cbot: Bot) -> None:
    inc = await declare(cbot, "sev3 Refunds delayed")
    await at(cbot, 20)
    assert count(cbot, inc.channel_id, "an update on") == 0  # SEV-3: every 4 h
    await cbot.command(cbot.people.alice, "severity 1", inc.channel_id)
    await cbot.drain()  # 20 min without an update is already past SEV-1's 15
    assert count(cbot, inc.channel_id, "an update on *INC-1* is due") == 1
    await at(cbot, 34)
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 1
    await at(cbot, 35)
    assert count(cbot, inc.channel_id, "an update on *INC-1*") == 2


async def test_resolving_stops_every_clock_and_reopening_restarts_them(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev2 Latency")
    await at(cbot, 5)
    await cbot.resolve(inc.number)
    await at(cbot, 180)
    channel_texts = texts(cbot, inc.channel_id)
    assert not any("an update on" in t or "still unacknowledged" in t or "still has nobody" in t
                   for t in channel_texts)
    assert count(cbot, cbot.leaders, "breached") == 0  # type: ignore[attr-defined]
    await cbot.command(p.alice, "status investigating", inc.channel_id)
    await at(cbot, 180 + 29)
    assert count(cbot, inc.channel_id, "an update on") == 0
    await at(cbot, 180 + 30)
    assert count(cbot, inc.channel_id, "an update on *INC-1* is due") == 1


async def test_leadership_hears_once_per_reason(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    leaders = cbot.leaders  # type: ignore[attr-defined]
    escalations = [m for m in cbot.messages(leaders) if "Leadership escalation" in m.text]
    assert len(escalations) == 1 and "declared SEV-1" in escalations[0].text
    assert any(b.get("type") == "header" for b in escalations[0].blocks)  # with the summary card
    await cbot.command(p.alice, "severity 2", inc.channel_id)
    await cbot.command(p.alice, "severity 1", inc.channel_id)
    await cbot.drain()
    assert count(cbot, leaders, "Leadership escalation") == 1
    card = cbot.card(await cbot.incident(1))
    await cbot.driver.select(p.alice, card, "incident_regulatory", ["regulatory"])
    await cbot.drain()
    assert count(cbot, leaders, "regulatory or legal impact") == 1
    await cbot.driver.select(p.alice, cbot.card(await cbot.incident(1)), "incident_regulatory", [])
    await cbot.driver.select(p.alice, cbot.card(await cbot.incident(1)), "incident_regulatory", ["regulatory"])
    await cbot.drain()
    assert count(cbot, leaders, "Leadership escalation") == 2
    rows = [e for e in await cbot.timeline(1) if e.kind == "leadership_escalation"]
    assert [r.data["reason"] for r in rows] == ["sev1", "regulatory"]


async def test_raising_to_sev1_and_declaring_regulatory_escalate(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev2 Latency")
    assert count(cbot, cbot.leaders, "Leadership escalation") == 0  # type: ignore[attr-defined]
    await cbot.command(p.alice, "severity 1", inc.channel_id)
    await cbot.drain()
    assert count(cbot, cbot.leaders, "raised to SEV-1") == 1  # type: ignore[attr-defined]
    await cbot.command(p.bob, "declare")
    await cbot.driver.submit(p.bob, {"title": "Card data exposed in logs", "severity": "3",
                                     "regulatory": ["regulatory"]})
    await cbot.drain()
    assert count(cbot, cbot.leaders, "INC-2* (regulatory or legal impact)") == 1  # type: ignore[attr-defined]


async def test_role_watcher_offers_the_open_roles(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev2 Latency")
    await cbot.command(p.alice, f"role comms <@{p.carol}>", inc.channel_id)
    await at(cbot, 9.5)
    assert count(cbot, inc.channel_id, "still has nobody") == 0
    await at(cbot, 10)
    reminder = next(m for m in cbot.messages(inc.channel_id) if "still has nobody" in m.text)
    assert "Technical Lead" in reminder.text and "Communications Manager" not in reminder.text
    await cbot.driver.click(p.dave, reminder, "incident_take_role:tl")
    await cbot.drain()
    assert (await cbot.incident(1)).tech_lead_id == p.dave
    await at(cbot, 120)
    assert count(cbot, inc.channel_id, "still has nobody") == 1


async def test_clocks_command_and_card_line(cbot: Bot) -> None:
    p = cbot.people
    inc = await declare(cbot, "sev1 Gateway down")
    await at(cbot, 12)
    text = (await cbot.command(p.alice, "clocks", inc.channel_id)).json["text"]
    assert "*INC-1 clocks* (SEV-1, investigating)" in text
    assert "Age: 12m" in text and "Not acknowledged after 12m" in text
    assert "Next update due" in text and "(in 3m)" in text
    assert "Overdue: acknowledgement" in text
    await cbot.command(p.alice, "ack", inc.channel_id)
    await at(cbot, 16)
    text = (await cbot.command(p.alice, "clocks", inc.channel_id)).json["text"]
    assert "Acknowledged by <@" in text and "after 12m" in text and "Overdue: update (due 1m ago)" in text
    assert "Update overdue since" in str(cbot.card(await cbot.incident(1)).blocks)
    outside = await cbot.command(p.alice, "clocks")
    assert "only inside an incident channel" in outside.json["text"]


async def test_timers_that_came_due_while_down_fire_once_then_continue_from_now(bot_factory: Any) -> None:
    first: Bot = await bot_factory(policy=clock_policy())
    inc = await declare(first, "sev1 Gateway down")
    # the bot is down for two hours: nobody runs the worker
    first.clock.advance(timedelta(hours=2))
    restarted: Bot = await bot_factory(clock=first.clock, policy=clock_policy())
    await restarted.drain()
    assert count(restarted, inc.channel_id, "still unacknowledged") == 1
    assert count(restarted, inc.channel_id, "breached its acknowledgement SLA") == 1
    assert count(restarted, inc.channel_id, "an update on *INC-1*") == 1
    restarted.clock.advance(timedelta(minutes=14))
    await restarted.drain()
    assert count(restarted, inc.channel_id, "an update on *INC-1*") == 1
    restarted.clock.advance(timedelta(minutes=1))
    await restarted.drain()
    assert count(restarted, inc.channel_id, "an update on *INC-1*") == 2
