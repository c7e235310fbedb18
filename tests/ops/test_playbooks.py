"""Playbooks: the immediate actions as a checklist at declaration, ticked by people; and the
resolution checks that stand between an incident and "resolved"."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.timeline.blocks import fact_text
from models import Checklist
from tests.conftest import Bot


def _checklist_message(bot: Bot, channel: str):
    [msg] = [m for m in bot.messages(channel) if m.text.startswith("Playbook for")]
    return msg


async def _checklist(bot: Bot) -> Checklist:
    async with bot.rt.sessionmaker() as s:
        return (await s.execute(select(Checklist))).scalar_one()


async def test_declaring_posts_the_playbook_for_the_type_guessed_from_the_title(bot: Bot) -> None:
    inc = await bot.declare("sev1 Card gateway down in EU")
    assert inc.incident_type == "gateway_down"
    msg = _checklist_message(bot, inc.channel_id)
    texts = [m.ts for m in bot.messages(inc.channel_id)]
    assert texts.index(msg.ts) > texts.index(inc.card_ts)  # below the summary card
    options = msg.blocks[1]["elements"][0]["options"]
    assert options[0]["text"]["text"] == "Roll back the last gateway deploy or config change"
    assert any("Fail over to the backup gateway" in o["text"]["text"] for o in options)
    assert "0 of 5 done" in str(msg.blocks)
    other = await bot.declare("sev3 Something odd with emails")
    assert other.incident_type == "other"


async def test_ticking_records_who_and_when_and_redraws_the_checklist(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Card gateway down in EU")
    msg = _checklist_message(bot, inc.channel_id)
    bot.clock.advance(240)
    # alice and bob tick different actions at the same moment, each from the same copy of the message
    replies = await asyncio.gather(bot.driver.select(p.alice, msg, "playbook_tick", ["0"]),
                                   bot.driver.select(p.bob, msg, "playbook_tick", ["1"]))
    assert [r.status for r in replies] == [200, 200]
    await bot.drain()
    checklist = await _checklist(bot)
    assert [(i["done_by"], i["done_at"] is not None) for i in checklist.items[:3]] == [
        (p.alice, True), (p.bob, True), (None, False)]
    redrawn = bot.ws.message(inc.channel_id, msg.ts)
    assert redrawn.edited and "2 of 5 done" in str(redrawn.blocks)
    assert f"done by <@{p.alice}> at 09:04 UTC" in str(redrawn.blocks)
    ticked = [e for e in await bot.timeline(1) if e.kind == "checklist_ticked"]
    assert {(e.actor, e.data["item"]) for e in ticked} == {(p.alice, 0), (p.bob, 1)}
    # carol unticks what bob ticked, from the message as it is now
    await bot.driver.select(p.carol, redrawn, "playbook_tick", ["0"])
    await bot.drain()
    assert (await _checklist(bot)).items[1]["done_by"] is None
    [untick] = [e for e in await bot.timeline(1) if e.kind == "checklist_unticked"]
    assert untick.actor == p.carol and "not done after all" in fact_text(untick)


async def test_resolving_with_unticked_checks_needs_a_reason_which_is_recorded(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Delayed settlements")
    await bot.driver.click(p.alice, bot.card(inc), "incident_resolve")
    modal = bot.ws.open_modal(p.alice)
    assert [o["text"]["text"] for o in modal.view["blocks"][1]["element"]["options"]] == [
        "Permanent fix in place or scheduled", "Validated with test transactions", "Monitoring for recurrence",
        "Settlements and reconciliations corrected, or not affected"]
    reply = await bot.driver.submit(p.alice, {"checks": ["0", "1"]})
    assert reply.json["response_action"] == "errors" and "2 checks not done" in reply.json["errors"]["reason"]
    assert (await bot.incident(1)).status == "investigating"
    reply = await bot.driver.submit(p.alice, {"checks": ["0", "1"], "reason": "Monitoring lands tomorrow; "
                                              "settlements are re-run tonight"})
    assert reply.status == 200 and reply.json is None
    await bot.drain()
    assert (await bot.incident(1)).status == "resolved"
    [checks] = [e for e in await bot.timeline(1) if e.kind == "resolution_checks"]
    assert checks.actor == p.alice and checks.via == "modal"
    assert checks.data["not_done"] == ["Monitoring for recurrence",
                                       "Settlements and reconciliations corrected, or not affected"]
    assert checks.data["reason"].startswith("Monitoring lands tomorrow")


async def test_every_way_to_resolve_goes_through_the_checks(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 High API latency")
    await bot.command(p.alice, "status resolved", inc.channel_id)
    assert bot.ws.open_modal(p.alice) is not None
    await bot.driver.close_modal(p.alice)
    await bot.driver.select(p.bob, bot.card(inc), "incident_status", "resolved")
    assert bot.ws.open_modal(p.bob) is not None
    assert (await bot.incident(1)).status == "investigating"
    await bot.driver.submit(p.bob, {"checks": ["0", "1", "2", "3"]})
    await bot.drain()
    assert (await bot.incident(1)).status == "resolved"
    await bot.command(p.alice, "resolve", inc.channel_id)
    assert "already resolved" in bot.ephemerals(p.alice)[-1]


async def test_the_declare_form_chooses_the_incident_type(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.alice, "declare")
    modal = bot.ws.open_modal(p.alice)
    field = next(b for b in modal.view["blocks"] if b.get("block_id") == "incident_type")
    assert field["optional"] and len(field["element"]["options"]) == 10
    reply = await bot.driver.submit(p.alice, {"title": "Card payments failing", "severity": "2",
                                              "incident_type": "fraud_system_failing"})
    assert reply.status == 200
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.incident_type == "fraud_system_failing"
    assert "Playbook: Fraud system failing" in str(_checklist_message(bot, inc.channel_id).blocks)
    [declared] = [e for e in await bot.timeline(1) if e.kind == "declared"]
    assert declared.data["type"] == "fraud_system_failing"
