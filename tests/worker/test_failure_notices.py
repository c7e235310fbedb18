"""A job that fails for good is told to people, not only logged: a line in the incident channel, a DM to
the IC, the operators' channel from the policy, and a mark on the card's clock line."""

from __future__ import annotations

from typing import Any

from bot.policy import default_policy
from bot.policy.escalation import Escalation
from tests.conftest import Bot


async def test_a_failed_effect_is_told_in_the_channel_to_the_ic_and_to_the_operators(bot_factory: Any) -> None:
    first: Bot = await bot_factory()
    operators = first.ws.add_channel("incident-bot-ops", members=[first.people.dave], bot_member=True)
    policy = default_policy().model_copy(update={"escalation": Escalation(operators_channel=operators)})
    bot: Bot = await bot_factory(policy=policy)
    p = bot.people
    bot.emu.fail("conversations.setTopic", "restricted_action", times=1)
    inc = await bot.declare("sev2 Refund delays", user=p.alice)

    said = "I could not set the channel topic: Slack answered restricted_action"
    assert any(said in m.text for m in bot.messages(inc.channel_id))
    assert any(said in m.text for m in bot.messages(p.alice))  # the IC, by DM
    assert any("I could not set the channel topic for *INC-1*" in m.text for m in bot.messages(operators))
    assert (await bot.incident(1)).failed_effects == 1
    assert "1 effect failed" in str(bot.card(inc).blocks)


async def test_a_private_incidents_failure_reaches_the_operators_redacted(bot_factory: Any) -> None:
    first: Bot = await bot_factory()
    operators = first.ws.add_channel("incident-bot-ops", members=[first.people.dave], bot_member=True)
    policy = default_policy().model_copy(update={"escalation": Escalation(operators_channel=operators)})
    bot: Bot = await bot_factory(policy=policy)
    bot.emu.fail("pins.add", "restricted_action", times=1)
    await bot.command(bot.people.alice, "declare")
    await bot.driver.submit(bot.people.alice, {"title": "Card data exposure at acquirer", "severity": "1",
                                              "private": ["private"]})
    await bot.drain()
    told = [m.text for m in bot.messages(operators)]
    assert told and all("private incident" in m and "Card data" not in m for m in told)
