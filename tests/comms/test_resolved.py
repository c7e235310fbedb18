"""The resolved message: on resolve the bot asks the Communications Manager for it, and reminds at the
cadence until it is published or explicitly skipped; reopening or closing stops the reminders."""

from __future__ import annotations

from datetime import timedelta

from tests.comms.conftest import external_messages, open_draft, publish
from tests.conftest import Bot


def asks(bot: Bot, channel: str) -> list:
    """The bot's asks and reminders: the messages with a "Draft resolved message" button."""
    return [m for m in bot.messages(channel) if "Draft resolved message" in str(m.blocks)]


async def resolve(bot: Bot, inc) -> None:
    reply = await bot.command(bot.people.alice, "resolve", channel=inc.channel_id)
    assert reply.status == 200
    if bot.ws.open_modal(bot.people.alice) is not None:  # the resolution checks
        reply = await bot.driver.submit(bot.people.alice, {"reason": "Verified with test payments"})
        assert reply.status == 200 and bot.ws.open_modal(bot.people.alice) is None, reply.body
    await bot.drain()
    assert (await bot.incident(inc.number)).status == "resolved"


async def later(bot: Bot, minutes: float) -> None:
    bot.clock.advance(timedelta(minutes=minutes))
    await bot.drain()


async def test_resolve_asks_then_reminds_at_the_cadence_until_published(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 High API latency")  # SEV-2: every 30 minutes
    await bot.command(p.alice, f"role comms <@{p.carol}>", channel=inc.channel_id)
    await publish(bot, p.carol, inc)
    await resolve(bot, inc)
    (ask,) = asks(bot, inc.channel_id)
    assert ask.text.startswith(f":loudspeaker: <@{p.carol}>, INC-1 is resolved.")
    assert "the status page still shows it open" in ask.text
    assert "incident_draft_message" in str(ask.blocks) and "incident_skip_resolved_message" not in str(ask.blocks)

    await later(bot, 29)
    assert len(asks(bot, inc.channel_id)) == 1
    await later(bot, 1)
    assert len(asks(bot, inc.channel_id)) == 2
    assert asks(bot, inc.channel_id)[-1].text.startswith(f":bell: <@{p.carol}>, the resolved customer message")
    await later(bot, 30)
    assert len(asks(bot, inc.channel_id)) == 3
    assert [e.kind for e in await bot.timeline(1)].count("resolved_message_reminder") == 2

    # the reminder's button opens the draft as a resolved message
    await bot.driver.click(p.carol, asks(bot, inc.channel_id)[-1], "incident_draft_message")
    view = bot.ws.open_modal(p.carol).view
    status = next(b for b in view["blocks"] if b.get("block_id") == "status")
    assert status["element"]["initial_option"]["value"] == "resolved"
    await bot.driver.submit(p.carol, {})
    await bot.drain()
    assert [m.kind for m in await external_messages(bot)] == ["investigating", "resolved"]
    assert (await external_messages(bot))[-1].components == {"api": "operational", "dashboard": "operational"}
    await later(bot, 120)
    assert len(asks(bot, inc.channel_id)) == 3


async def test_nothing_published_can_be_skipped_and_reminders_stop(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Payment gateway down")  # every 15 minutes
    await resolve(bot, inc)
    (ask,) = asks(bot, inc.channel_id)
    assert f"<@{p.alice}>, INC-1 is resolved" in ask.text  # the IC: nobody is Communications Manager
    assert "Nothing was published to customers" in ask.text
    reply = await bot.driver.click(p.bob, ask, "incident_skip_resolved_message")  # bob may not
    await bot.drain()
    assert any("Only the Communications Manager can skip the resolved message" in e for e in bot.ephemerals(p.bob))
    reply = await bot.driver.click(p.alice, ask, "incident_skip_resolved_message")
    assert reply.status == 200
    await bot.drain()
    assert any(f"<@{p.alice}> skipped the resolved customer message" in m.text for m in bot.messages(inc.channel_id))
    (event,) = [e for e in await bot.timeline(1) if e.kind == "resolved_message_skipped"]
    assert event.actor == p.alice
    await later(bot, 60)
    assert len(asks(bot, inc.channel_id)) == 1


async def test_skipping_is_refused_once_customers_were_told(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Payment gateway down")
    await publish(bot, p.alice, inc)
    await resolve(bot, inc)
    (ask,) = asks(bot, inc.channel_id)
    ask.blocks[-1]["elements"].append({"type": "button", "action_id": "incident_skip_resolved_message",
                                       "text": {"type": "plain_text", "text": "Skip"}, "value": str(inc.id)})
    await bot.driver.click(p.alice, ask, "incident_skip_resolved_message")
    await bot.drain()
    assert any("publish the resolved message to close it there" in e for e in bot.ephemerals(p.alice))
    await later(bot, 15)
    assert len(asks(bot, inc.channel_id)) == 2


async def test_reopening_stops_the_reminders_and_resolving_again_asks_again(bot: Bot) -> None:
    inc = await bot.declare("sev1 Payment gateway down")
    await resolve(bot, inc)
    assert len(asks(bot, inc.channel_id)) == 1
    await bot.command(bot.people.alice, "status identified", channel=inc.channel_id)
    await later(bot, 45)
    assert len(asks(bot, inc.channel_id)) == 1
    await resolve(bot, inc)
    assert len(asks(bot, inc.channel_id)) == 2
    await later(bot, 15)
    assert len(asks(bot, inc.channel_id)) == 3


async def test_a_resolved_message_published_before_resolving_means_no_ask(bot: Bot) -> None:
    inc = await bot.declare("sev2 Refunds delayed")
    await open_draft(bot, bot.people.alice, inc)
    await bot.driver.submit(bot.people.alice, {"status": "resolved"})
    await bot.drain()
    await resolve(bot, inc)
    await later(bot, 90)
    assert asks(bot, inc.channel_id) == []


async def test_reminders_are_timers_with_one_job_each(bot: Bot) -> None:
    inc = await bot.declare("sev1 Payment gateway down")
    await resolve(bot, inc)
    await later(bot, 15)
    keys = [j.dedupe_key for j in await bot.jobs() if j.kind == "resolved_message_reminder"]
    assert len(keys) == len(set(keys)) == 3  # the ask, one reminder, the next one planned
    assert all(k.startswith(f"resolved_message:{inc.id}:") for k in keys)


async def test_private_incidents_are_not_asked(bot: Bot) -> None:
    p = bot.people
    await bot.driver.command(p.alice, p.general, "declare")
    await bot.driver.submit(p.alice, {"title": "Fraud rule leak", "severity": "1", "private": ["private"]})
    await bot.drain()
    inc = await bot.incident(1)
    await resolve(bot, inc)
    await later(bot, 60)
    assert asks(bot, inc.channel_id) == []
