"""Classifying a SEV-1 as a DORA major incident in Slack, and the reports' clocks it starts: reminders,
the card's line, a missed deadline told to leadership, Mark submitted starting the next clock, a
restart while a clock is pending, and two replicas on one database reminding once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.jobs.worker import Worker
from bot.regulatory import service as regulatory
from models import Classification, RegulatoryReport
from models.db import make_engine, make_sessionmaker
from tests.conftest import Bot
from tests.regulatory.conftest import COMPLIANCE, LEADS


async def classify_dora(bot: Bot, inc, user: str, values: dict | None = None):
    await bot.driver.select(user, bot.card(inc), "incident_classify", "dora")
    modal = bot.ws.open_modal(user)
    assert modal is not None and modal.view["callback_id"] == "regulatory_classify"
    reply = await bot.driver.submit(user, values or {})
    assert reply.status == 200 and reply.json is None, reply.body
    await bot.drain()
    return modal


async def rows(bot: Bot) -> list[RegulatoryReport]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(RegulatoryReport).order_by(RegulatoryReport.id))).scalars())


async def test_classifying_a_sev1_as_major_starts_the_initial_notification_clock(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await bot.command(p.alice, "impact amount=2500000 EUR failed=34000 customers=150000 regions=DE,FR,NL",
                      inc.channel_id)
    await bot.drain()
    bot.clock.advance(timedelta(minutes=30))
    modal = await classify_dora(bot, inc, p.alice)
    # pre-filled from the impact: clients, member states, costs, and SEV-1 → critical services
    blocks = {b.get("block_id"): b for b in modal.view["blocks"]}
    assert blocks["clients"]["element"]["initial_value"] == "150000"
    assert blocks["member_states"]["element"]["initial_value"] == "3"
    assert blocks["costs_eur"]["element"]["initial_value"] == "2500000"
    assert [o["value"] for o in blocks["flags"]["element"]["initial_options"]] == ["critical_services"]

    facts = [e for e in await bot.timeline(1) if e.kind == "regulatory_classified"]
    assert len(facts) == 1 and facts[0].actor == p.alice and facts[0].data["major"] is True
    assert set(facts[0].data["met"]) >= {"critical_services", "clients", "geography", "economic"}
    [initial, intermediate, final] = await rows(bot)
    assert (initial.state, intermediate.state, final.state) == ("pending", "waiting", "waiting")
    # 4 h after classification (09:30 → 13:30), within 24 h of awareness
    assert initial.due_at - (inc.created_at + timedelta(minutes=30)) == timedelta(hours=4)
    card = str(bot.card(await bot.incident(1)).blocks)
    assert "*DORA initial notification* due 13:30 UTC, 4 h left" in card and "DORA: *major incident*" in card

    # an hour before: the compliance group and the IC hear it, in the channel and by DM
    bot.clock.advance(timedelta(hours=3, minutes=1))
    await bot.drain()
    reminders = [m for m in bot.messages(inc.channel_id) if "is due" in m.text and "DORA" in m.text]
    assert len(reminders) == 1 and f"<!subteam^{COMPLIANCE}>" in reminders[0].text
    assert "59 min left" in str(bot.card(await bot.incident(1)).blocks)
    assert any("DORA initial notification" in m.text for m in bot.messages(p.alice))

    # the deadline passes: leadership hears it in the escalation channel
    bot.clock.advance(timedelta(hours=1))
    await bot.drain()
    missed = [m for m in bot.messages(bot.leadership) if "not marked submitted" in m.text]
    assert len(missed) == 1 and f"<!subteam^{LEADS}>" in missed[0].text
    assert [e.kind for e in await bot.timeline(1)].count("regulatory_missed") == 1

    # Mark submitted from the reminder: reference, who and when; the intermediate clock starts (72 h)
    await bot.driver.click(p.alice, reminders[0], "regulatory_mark_submitted")
    reply = await bot.driver.submit(p.alice, {"reference": "BAFIN-2026-0042"})
    assert reply.status == 200 and reply.json is None, reply.body
    await bot.drain()
    [initial, intermediate, final] = await rows(bot)
    assert (initial.state, initial.reference, initial.submitted_by) == ("submitted", "BAFIN-2026-0042", p.alice)
    assert intermediate.state == "pending" and intermediate.due_at - initial.submitted_at == timedelta(hours=72)
    assert final.state == "waiting"
    assert "DORA intermediate report" in str(bot.card(await bot.incident(1)).blocks)
    await bot.command(p.bob, "regulatory", inc.channel_id)
    listing = bot.ephemerals(p.bob)[-1]
    assert "BAFIN-2026-0042" in listing and "intermediate report" in listing


async def test_final_report_is_due_a_month_after_the_latest_intermediate(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    ch = inc.channel_id
    await bot.command(p.alice, "regulatory submitted dora initial REF-1", ch)
    bot.clock.advance(timedelta(hours=10))
    await bot.command(p.alice, "regulatory submitted dora intermediate REF-2", ch)
    bot.clock.advance(timedelta(days=3))
    await bot.command(p.alice, "regulatory submitted dora intermediate REF-2b", ch)  # an updated intermediate
    await bot.command(p.alice, "regulatory submitted dora intermediate REF-2b", ch)  # the same again: recorded once
    await bot.drain()
    [_, intermediate, final] = await rows(bot)
    assert intermediate.submissions == 2 and intermediate.reference == "REF-2b"
    assert [e.kind for e in await bot.timeline(1)].count("regulatory_submitted") == 3
    latest = intermediate.submitted_at
    assert final.state == "pending"
    month = final.due_at - latest
    assert timedelta(days=28) <= month <= timedelta(days=31) and final.due_at.day == latest.day


async def test_reclassifying_as_not_major_stops_the_clocks(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    await classify_dora(bot, inc, p.alice, {"flags": []})
    async with bot.rt.sessionmaker() as s:
        decided = list((await s.execute(select(Classification).order_by(Classification.id))).scalars())
    assert [c.major for c in decided] == [True, False]
    facts = [e for e in await bot.timeline(1) if e.kind == "regulatory_classified"]
    assert facts[1].data["previous"] is True
    assert [r.state for r in await rows(bot)] == ["cancelled", "cancelled", "cancelled"]
    bot.clock.advance(timedelta(hours=5))
    await bot.drain()
    assert not [m for m in bot.messages(inc.channel_id) if "DORA" in m.text and "is due" in m.text]
    assert not bot.messages(bot.leadership) or not [m for m in bot.messages(bot.leadership) if "not marked" in m.text]


async def test_only_the_ic_an_admin_or_compliance_may_classify(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await bot.driver.select(p.bob, bot.card(inc), "incident_classify", "dora")
    assert bot.ws.open_modal(p.bob) is None
    assert "Only the Incident Commander" in bot.ephemerals(p.bob)[-1]
    async with bot.rt.sessionmaker() as s:
        assert (await s.execute(select(Classification))).first() is None


async def test_a_restart_while_a_clock_is_pending_reminds_once(rbot: Bot, bot_factory) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    # the bot goes away; a new process on the same database and the same Slack comes up 3 h 30 min later
    bot.clock.advance(timedelta(hours=3, minutes=30))
    again = await bot_factory(clock=bot.clock, policy=bot.rt.settings.policy)
    await again.drain()
    await bot.drain()
    due = [m for m in bot.messages(inc.channel_id) if "DORA" in m.text and "is due" in m.text]
    assert len(due) == 1, [m.text for m in due]  # the 1 h reminder came late, once; the 15 min one is still ahead
    bot.clock.advance(timedelta(minutes=20))
    await again.drain()
    assert len([m for m in bot.messages(inc.channel_id) if "DORA" in m.text and "is due" in m.text]) == 2


async def test_two_replicas_remind_once(rbot: Bot, db_url: str) -> None:
    bot, p = rbot, rbot.people
    incidents = [await bot.declare(f"sev1 Card payments failing {n}") for n in range(5)]
    for inc in incidents:
        await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    bot.clock.advance(timedelta(hours=4, minutes=1))  # both reminders and the deadline are due
    engines = [make_engine(db_url) for _ in range(2)]
    policy = bot.rt.settings.policy
    workers = [Worker(sessionmaker=make_sessionmaker(e), clock=bot.clock, client=bot.rt.client, policy=policy,
                      worker_id=f"replica-{i}", batch=3) for i, e in enumerate(engines)]
    try:
        await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for e in engines:
            await e.dispose()
    posted: Counter[str] = Counter()
    for call in bot.ws.calls_to("chat.postMessage"):
        text = call.args.get("text", "")
        if call.ok and "DORA initial notification" in text and call.args["channel"].startswith("C"):
            posted[call.args["channel"]] += 1
    for inc in await bot.incidents():
        # in the incident channel: the 1 h reminder, the 15 min reminder, the missed deadline, once each
        assert posted[inc.channel_id] == 3, posted
    assert posted[bot.leadership] == 5


async def test_service_refuses_bad_input_and_changes_nothing(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    async with bot.rt.sessionmaker() as s, s.begin():
        try:
            await regulatory.classify(session=s, clock=bot.clock, policy=bot.rt.settings.policy,
                                      incident_id=inc.id, regime="nis2", inputs={}, actor=p.alice, via="command")
        except Exception as exc:  # noqa: BLE001
            assert "no regime `nis2`" in str(exc)
    await bot.command(p.alice, "regulatory submitted dora initial REF", inc.channel_id)
    assert "classify the incident as major" in bot.ephemerals(p.alice)[-1]
    assert await rows(bot) == []


async def test_the_initial_notification_is_due_at_most_24_h_after_awareness(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    bot.clock.advance(timedelta(hours=21))  # classified late: 4 h from now would pass the 24 h limit
    await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    [initial, _, _] = await rows(bot)
    assert initial.due_at == inc.created_at + timedelta(hours=24)
    assert "3 h left" in str(bot.card(await bot.incident(1)).blocks)


async def test_odd_commands_get_the_usage_and_change_nothing(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    ch = inc.channel_id
    for text, says in (("regulatory frobnicate", "Usage: `/incident regulatory`"),
                       ("regulatory submitted dora", "Usage: `/incident regulatory`"),
                       ("classify nis2", "There is no regime `nis2`"),
                       ("regulatory draft", "Nothing to draft yet")):
        reply = await bot.command(p.alice, text, ch)
        assert reply.status == 200 and says in bot.ephemerals(p.alice)[-1], (text, bot.ephemerals(p.alice)[-1])
    await bot.command(p.alice, "regulatory", inc.channel_id)
    assert "Not classified yet" in str(bot.ws.ephemerals_for(p.alice)[-1].blocks)
    await classify_dora(bot, inc, p.alice, {"flags": ["critical_services", "malicious_access"]})
    await bot.command(p.alice, "regulatory", ch)
    await bot.driver.click(p.alice, bot.ws.ephemerals_for(p.alice)[-1], "regulatory_mark_submitted")
    reply = await bot.driver.submit(p.alice, {"reference": "   "}, validate=False)
    assert reply.errors and "reference number" in reply.errors["reference"]
    await bot.command(p.alice, "regulatory submitted dora intermediate REF-9", ch)
    assert "not due yet" in bot.ephemerals(p.alice)[-1]
    assert [r.state for r in await rows(bot)] == ["pending", "waiting", "waiting"]
    assert outside_channel_refused(await bot.command(p.alice, "regulatory"), bot, p.alice)


def outside_channel_refused(reply, bot: Bot, user: str) -> bool:
    return reply.status == 200 and "only inside an incident channel" in bot.ephemerals(user)[-1]
