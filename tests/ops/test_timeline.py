"""The timeline from Slack: pins and 📌 reactions in the incident channel, notes, and the paged view."""

from __future__ import annotations

from bot.emulator.state import Message
from bot.timeline.blocks import fact_text
from tests.conftest import Bot


def _say(bot: Bot, user: str, channel: str, text: str) -> Message:
    msg = Message(channel, bot.ws.new_ts(), user, text)
    bot.ws.messages.setdefault(channel, []).append(msg)
    return msg


def _pin_event(kind: str, user: str, msg: Message) -> dict:
    return {"type": kind, "user": user, "channel_id": msg.channel,
            "item": {"type": "message", "channel": msg.channel, "created_by": user,
                     "message": {"type": "message", "user": msg.user, "text": msg.text, "ts": msg.ts}}}


def _reaction_event(kind: str, user: str, msg: Message, reaction: str = "pushpin") -> dict:
    return {"type": kind, "user": user, "reaction": reaction, "item_user": msg.user,
            "item": {"type": "message", "channel": msg.channel, "ts": msg.ts}}


async def _pinned(bot: Bot) -> list:
    return [e for e in await bot.timeline(1) if e.kind == "pinned"]


async def test_pinning_a_message_adds_it_and_unpinning_removes_it(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    msg = _say(bot, p.bob, inc.channel_id, "Acquirer confirms their TLS certificate expired at 08:35")
    reply = await bot.driver.event(_pin_event("pin_added", p.alice, msg))
    assert reply.status == 200
    await bot.drain()
    [row] = await _pinned(bot)
    assert row.actor == p.alice and row.via == "pin" and row.at == bot.clock.now()
    assert fact_text(row) == f"Pinned: <@{p.bob}>: Acquirer confirms their TLS certificate expired at 08:35"
    await bot.driver.event(_pin_event("pin_added", p.alice, msg))  # Slack retried: still one row
    await bot.drain()
    assert len(await _pinned(bot)) == 1
    await bot.driver.event(_pin_event("pin_removed", p.alice, msg))
    await bot.drain()
    assert await _pinned(bot) == []


async def test_a_pushpin_reaction_adds_the_message_read_from_history(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    msg = _say(bot, p.carol, inc.channel_id, "Failover to the backup acquirer done, auth rate recovering")
    await bot.driver.event(_reaction_event("reaction_added", p.dave, msg, "thumbsup"))
    await bot.driver.event(_reaction_event("reaction_added", p.dave, msg))
    await bot.drain()
    [row] = await _pinned(bot)
    assert row.via == "reaction" and row.actor == p.dave
    assert fact_text(row) == f"Pinned: <@{p.carol}>: Failover to the backup acquirer done, auth rate recovering"
    await bot.driver.event(_reaction_event("reaction_removed", p.dave, msg))
    await bot.drain()
    assert await _pinned(bot) == []


async def test_pins_outside_incident_channels_and_the_bots_own_card_are_ignored(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    elsewhere = _say(bot, p.bob, p.general, "unrelated")
    await bot.driver.event(_pin_event("pin_added", p.bob, elsewhere))
    card = bot.card(inc)
    await bot.driver.event(_pin_event("pin_added", p.bob, card))
    await bot.driver.event(_pin_event("pin_added", bot.ws.bot_user_id, _say(bot, p.bob, inc.channel_id, "x")))
    await bot.drain()
    assert await _pinned(bot) == []


async def test_note_and_the_paged_timeline(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    reply = await bot.command(p.bob, "note Rolled back gateway to v2.41 at 09:12", inc.channel_id)
    assert reply.status == 200 and "Added to the timeline of INC-1" in bot.ephemerals(p.bob)[-1]
    await bot.drain()
    [row] = [e for e in await bot.timeline(1) if e.kind == "note"]
    assert (row.actor, fact_text(row), row.via) == (p.bob, "Rolled back gateway to v2.41 at 09:12", "command")
    assert any("noted: Rolled back gateway" in m.text for m in bot.messages(inc.channel_id))
    await bot.command(p.bob, "note", inc.channel_id)
    assert "Usage: `/incident note" in bot.ephemerals(p.bob)[-1]
    for i in range(25):
        await bot.command(p.bob, f"note step {i}", inc.channel_id)
    total = len(await bot.timeline(1))
    pages = -(-total // 20)
    assert pages >= 2
    await bot.command(p.carol, "timeline", inc.channel_id)
    first = bot.ephemerals(p.carol)[-1]
    assert f"page 1 of {pages} · {total} events" in first and "*declared*" in first and "step 24" not in first
    await bot.command(p.carol, f"timeline {pages}", inc.channel_id)
    last = bot.ephemerals(p.carol)[-1]
    assert f"page {pages} of {pages}" in last and "step 24" in last and "*declared*" not in last
    await bot.command(p.carol, "timeline 99", inc.channel_id)
    assert "ask for one from 1 to" in bot.ephemerals(p.carol)[-1]
    await bot.command(p.carol, "timeline", p.general)
    assert "only inside an incident channel" in bot.ephemerals(p.carol)[-1]
