"""Action items: added by command or form, the owner told by DM, listed, reminded when overdue, and
marked done from the reminder."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from models import ActionItem
from tests.conftest import Bot


async def _items(bot: Bot) -> list[ActionItem]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(ActionItem).order_by(ActionItem.id))).scalars())


async def _said(bot: Bot, user: str, text: str, channel: str) -> str:
    reply = await bot.command(user, text, channel)
    assert reply.status == 200
    return bot.ephemerals(user)[-1]


async def test_action_command_stores_the_item_and_tells_the_owner(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    said = await _said(bot, p.alice, f"action <@{p.bob}|bob> 2026-01-30 detect: Alert on authorisation rate drops",
                       inc.channel_id)
    assert "Action item #1" in said
    await bot.drain()
    [item] = await _items(bot)
    assert (item.owner_id, item.due_date, item.kind, item.description, item.status, item.created_by) == (
        p.bob, date(2026, 1, 30), "detect", "Alert on authorisation rate drops", "open", p.alice)
    [dm] = bot.messages(p.bob)
    assert "Alert on authorisation rate drops" in dm.text and "INC-1" in dm.text
    assert "action_item_done" in str(dm.blocks)
    assert [e.kind for e in await bot.timeline(1)][-1] == "action_added"


async def test_relative_due_dates_and_the_default_kind(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.command(p.alice, f"action <@{p.carol}> 2w Automate the certificate rotation", inc.channel_id)
    await bot.command(p.alice, f"action <@{p.carol}> tomorrow docs: Update the failover runbook", inc.channel_id)
    items = await _items(bot)
    today = bot.clock.now().date()
    assert [(i.due_date, i.kind) for i in items] == [(today + timedelta(days=14), "prevent"),
                                                     (today + timedelta(days=1), "documentation")]


async def test_bad_action_commands_say_why_and_store_nothing(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    cases = {
        "action": None,  # no arguments opens the form instead
        f"action <@{p.bob}> someday Fix it": "is not a due date",
        "action bob 2026-01-30 Fix it": "can't tell who",
        f"action <@{p.bob}> 2026-01-30": "Usage: `/incident action",
        f"action <@{p.bob}> 2026-01-01 Fix it": "in the past",
        f"action <@{p.bob}> 2026-01-30 " + "x" * 301: "300 characters",
    }
    for text, expected in cases.items():
        if expected is None:
            continue
        said = await _said(bot, p.alice, text, inc.channel_id)
        assert expected in said, (text, said)
    said = await _said(bot, p.alice, f"action <@{p.bob}> 2026-01-30 Fix it", bot.people.general)
    assert "only inside an incident channel" in said
    assert await _items(bot) == []


async def test_action_form_from_the_review_card(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.resolve(inc.number)
    card = next(m for m in bot.messages(inc.channel_id) if "Post-incident review" in str(m.blocks))
    await bot.driver.click(p.alice, card, "pir_add_action")
    reply = await bot.driver.submit(p.alice, {"description": "Monitor acquirer certificate expiry",
                                              "owner": p.dave, "due": "2026-02-01", "kind": "detect"})
    assert reply.status == 200 and reply.json is None
    await bot.drain()
    [item] = await _items(bot)
    assert (item.owner_id, item.due_date, item.kind) == (p.dave, date(2026, 2, 1), "detect")
    card = bot.ws.message(inc.channel_id, card.ts)
    assert "*Action items*\\n1 (1 open)" in str(card.blocks)
    # a date in the past comes back on the field
    await bot.driver.click(p.alice, card, "pir_add_action")
    reply = await bot.driver.submit(p.alice, {"description": "x", "owner": p.dave, "due": "2025-12-01"})
    assert reply.json["response_action"] == "errors" and "past" in reply.json["errors"]["due"]
    assert len(await _items(bot)) == 1


async def test_actions_lists_this_incident_or_mine(bot: Bot) -> None:
    p = bot.people
    one = await bot.declare("sev2 Refunds delayed")
    two = await bot.declare("sev2 Payouts delayed")
    await bot.command(p.alice, f"action <@{p.bob}> 2026-01-20 Retry refunds automatically", one.channel_id)
    await bot.command(p.alice, f"action <@{p.carol}> 2026-01-21 Page the payouts team", one.channel_id)
    await bot.command(p.alice, f"action <@{p.bob}> 2026-01-22 Alert on payout lag", two.channel_id)
    said = await _said(bot, p.dave, "actions", one.channel_id)
    assert "Open action items of INC-1 (2 open)" in said
    assert "Retry refunds" in said and "Page the payouts team" in said and "payout lag" not in said
    said = await _said(bot, p.bob, "actions", p.general)
    assert "Your open action items (2 open)" in said and "INC-1" in said and "INC-2" in said
    assert "Page the payouts team" not in said
    said = await _said(bot, p.carol, "actions mine", two.channel_id)
    assert "Page the payouts team" in said
    said = await _said(bot, p.dave, "actions", p.general)
    assert "none open" in said


async def test_overdue_item_is_reminded_and_marked_done_from_the_reminder(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.command(p.alice, f"action <@{p.bob}> 2026-01-16 Rotate the certificate", inc.channel_id)
    await bot.drain()
    bot.clock.advance(timedelta(hours=14))  # 2026-01-15 23:00: due tomorrow, not overdue yet
    await bot.drain()
    assert len(bot.messages(p.bob)) == 1
    bot.clock.advance(timedelta(days=1, hours=2))  # 2026-01-17 01:00: the due day has ended
    await bot.drain()
    reminders = [m for m in bot.messages(p.bob) if "was due 2026-01-16" in m.text]
    assert len(reminders) == 1
    reply = await bot.driver.click(p.carol, reminders[0], "action_item_done")  # not the owner
    assert reply.status == 200
    assert "Only <@" in bot.ephemerals(p.carol)[-1]
    assert (await _items(bot))[0].status == "open"
    await bot.driver.click(p.bob, reminders[0], "action_item_done")
    await bot.drain()
    [item] = await _items(bot)
    assert item.status == "done" and item.done_by == p.bob and item.done_at == bot.clock.now()
    redrawn = bot.ws.message(p.bob, reminders[0].ts) or next(
        m for m in bot.messages(p.bob) if m.ts == reminders[0].ts)
    assert "is done" in redrawn.text and "action_item_done" not in str(redrawn.blocks)
    assert [e.kind for e in await bot.timeline(1)][-1] == "action_done"
    sent = len(bot.messages(p.bob))
    bot.clock.advance(timedelta(days=3))
    await bot.drain()
    assert len(bot.messages(p.bob)) == sent  # no more reminders once it is done
