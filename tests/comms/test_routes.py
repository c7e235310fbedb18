"""What leaves an incident's channel: a private incident shows outside only as a redacted notice (key,
severity, "private", who to ask) unless the policy calls the place private-safe; a drill reaches only the
routes the policy allows for drills, and every message about a drill says DRILL in its notification text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.policy import default_policy
from bot.policy.comms import Comms, Route
from bot.policy.escalation import Escalation
from bot.policy.routes import Routes
from tests.conftest import Bot

TITLE = "Card data exposure at acquirer"


async def _policy_bot(bot_factory: Any, **routes: Any) -> tuple[Bot, dict[str, str]]:
    first: Bot = await bot_factory()
    ws = first.ws
    rooms = {"leadership": ws.add_channel("payments-leadership", bot_member=True),
             "execs": ws.add_channel("exec-briefing", bot_member=True),
             "security": ws.add_channel("security-council", is_private=True, bot_member=True),
             "gameday": ws.add_channel("game-day", bot_member=True)}
    policy = default_policy().model_copy(update={
        "escalation": Escalation(channel=rooms["leadership"], leadership_group="S0LEADS"),
        "comms": Comms(routes={"execs": Route(channel=rooms["execs"], severities=("SEV-1",))}),
        "routes": Routes(**{k: tuple(rooms[n] for n in v) for k, v in routes.items()})})
    return await bot_factory(policy=policy), rooms


async def _declare_private(bot: Bot) -> Any:
    await bot.command(bot.people.alice, "declare")
    await bot.driver.submit(bot.people.alice, {"title": TITLE, "severity": "1", "private": ["private"]})
    await bot.drain()
    return await bot.incident(1)


async def test_a_private_incident_reaches_leadership_as_a_redacted_notice(bot_factory: Any) -> None:
    bot, rooms = await _policy_bot(bot_factory)
    inc = await _declare_private(bot)
    bot.clock.advance(timedelta(minutes=11))  # the acknowledgement breach
    await bot.drain()
    for _ in range(2):  # two update periods missed: leadership hears of it (SEV-1)
        bot.clock.advance(timedelta(minutes=16))
        await bot.drain()
    told = bot.messages(rooms["leadership"])
    assert len(told) >= 3  # the declaration, the ack breach, the overdue update
    for message in told:
        shown = message.text + str(message.blocks)
        assert "Card data" not in shown and "inc-1-" not in shown, shown
        assert "*INC-1* (SEV-1) is a private incident" in message.text
        assert f"ask <@{bot.people.alice}>" in message.text and "<!subteam^S0LEADS>" in message.text
    assert inc.title == TITLE and any(TITLE in m.text for m in bot.messages(inc.channel_id))


async def test_a_private_safe_channel_sees_the_private_incident_in_full(bot_factory: Any) -> None:
    bot, rooms = await _policy_bot(bot_factory, private_safe=("leadership",))
    await _declare_private(bot)
    assert any(TITLE in str(m.blocks) for m in bot.messages(rooms["leadership"]))


async def test_a_drill_stays_in_its_channel_and_says_drill_everywhere(bot_factory: Any) -> None:
    bot, rooms = await _policy_bot(bot_factory)
    p = bot.people
    await bot.command(p.alice, "drill gateway")
    await bot.drain()
    inc = await bot.incident(1)
    await bot.command(p.bob, "update Failed over to the backup acquirer", inc.channel_id)
    await bot.command(p.bob, "ack", inc.channel_id)
    await bot.drain()
    for outside in (rooms["leadership"], rooms["execs"], p.announce):
        assert bot.messages(outside) == [], outside
    inside = bot.messages(inc.channel_id)
    assert any("Leadership escalation" in m.text and "in a real incident this goes to" in str(m.blocks)
               for m in inside)
    for message in (*inside, *bot.messages(p.alice)):
        assert "DRILL" in message.text, message.text


async def test_a_drill_reaches_the_routes_the_policy_allows_for_drills(bot_factory: Any) -> None:
    bot, rooms = await _policy_bot(bot_factory, drills=("execs",))
    await bot.command(bot.people.alice, "drill gateway")
    await bot.drain()
    inc = await bot.incident(1)
    await bot.command(bot.people.bob, "update Failed over to the backup acquirer", inc.channel_id)
    await bot.drain()
    (update,) = bot.messages(rooms["execs"])
    assert "DRILL" in update.text and "Failed over" in str(update.blocks)
    assert bot.messages(rooms["leadership"]) == []
