"""The message shortcut "Declare incident from message": the declare modal opens with the message
quoted and linked, the title from its first line, and the detection source from the channel's
mapping in the policy; submitting declares and quotes the message in the incident's channel."""

from __future__ import annotations

import json
from typing import Any

from bot.emulator.state import Message
from bot.policy import default_policy
from bot.policy.alerts import AlertPolicy
from handlers.shortcuts.from_message import title_from
from tests.conftest import Bot

ESCALATION = ("*Merchant escalation* from Acme Shoes: since 08:40 every Visa payment is declined "
              "with code 05.\nThey lose ~200 orders an hour. Ticket <https://support.example.com/t/991|#991>")


def _message(bot: Bot, channel: str, user: str, text: str) -> Message:
    msg = Message(channel, bot.ws.new_ts(), user, text)
    bot.ws.messages.setdefault(channel, []).append(msg)
    return msg


async def _bot(bot_factory: Any) -> tuple[Bot, str]:
    policy = default_policy().model_copy(update={"alerts": AlertPolicy(
        channel_sources={"merchant-escalations": "merchant"})})
    bot = await bot_factory(policy=policy)
    p = bot.people
    channel = bot.ws.add_channel("merchant-escalations", members=[p.alice, p.bob, p.dave], bot_member=True)
    return bot, channel


async def test_shortcut_opens_the_declare_modal_with_the_message(bot_factory: Any) -> None:
    bot, channel = await _bot(bot_factory)
    p = bot.people
    msg = _message(bot, channel, p.dave, ESCALATION)
    reply = await bot.driver.message_shortcut(p.alice, msg, "declare_from_message")
    assert reply.status == 200

    modal = bot.ws.open_modal(p.alice)
    assert modal is not None and modal.view["callback_id"] == "incident_declare"
    blocks = {b.get("block_id"): b for b in modal.view["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == (
        "Merchant escalation from Acme Shoes: since 08:40 every Visa payment is declined with code 05.")
    assert blocks["source"]["element"]["initial_option"]["value"] == "merchant"
    note = blocks["declared_from"]["text"]["text"]
    permalink = bot.ws.calls_to("chat.getPermalink")[0]
    assert permalink.ok
    assert f"from <@{p.dave}>" in note and "> *Merchant escalation* from Acme Shoes" in note
    assert f"/archives/{channel}/p{msg.ts.replace('.', '')}|View the message>" in note
    assert "initial_option" not in blocks["severity"]["element"]  # a person judges how bad it is


async def test_submitting_declares_and_quotes_the_message_in_the_channel(bot_factory: Any) -> None:
    bot, channel = await _bot(bot_factory)
    p = bot.people
    msg = _message(bot, channel, p.dave, ESCALATION)
    await bot.driver.message_shortcut(p.alice, msg, "declare_from_message")
    reply = await bot.driver.submit(p.alice, {"severity": "2"})
    assert reply.status == 200 and not reply.errors
    await bot.drain()

    [inc] = await bot.incidents()
    assert (inc.severity, inc.source, inc.declared_by) == (2, "merchant", p.alice)
    said = [m.text for m in bot.messages(inc.channel_id)]
    quoted = next(s for s in said if s.startswith(":speech_balloon: Reported by"))
    assert f"<@{p.dave}> in <#{channel}>" in quoted and "|view message>" in quoted
    assert "> *Merchant escalation* from Acme Shoes" in quoted
    event = next(e for e in await bot.timeline(1) if e.kind == "reported_from_message")
    assert event.data["ts"] == msg.ts and event.data["permalink"].endswith(msg.ts.replace(".", ""))


async def test_an_unmapped_channel_gets_the_policys_message_source(bot_factory: Any) -> None:
    bot, _ = await _bot(bot_factory)
    msg = _message(bot, bot.people.general, bot.people.bob, "Customers say refunds are not arriving")
    await bot.driver.message_shortcut(bot.people.alice, msg, "declare_from_message")
    modal = bot.ws.open_modal(bot.people.alice)
    assert modal is not None
    source = next(b for b in modal.view["blocks"] if b.get("block_id") == "source")
    assert source["element"]["initial_option"]["value"] == "customer"


async def test_a_long_message_fits_slacks_limits(bot_factory: Any) -> None:
    bot, channel = await _bot(bot_factory)
    msg = _message(bot, channel, bot.people.dave, "Visa declines everywhere " + "x" * 3500 + "\n" + "line\n" * 50)
    reply = await bot.driver.message_shortcut(bot.people.alice, msg, "declare_from_message")
    assert reply.status == 200
    modal = bot.ws.open_modal(bot.people.alice)
    assert modal is not None  # the emulator refuses views over Slack's limits
    assert len(modal.view["private_metadata"]) <= 3000
    assert json.loads(modal.view["private_metadata"])["message"]["ts"] == msg.ts


async def test_permalink_falls_back_when_slack_refuses(bot_factory: Any) -> None:
    bot, channel = await _bot(bot_factory)
    msg = _message(bot, channel, bot.people.dave, "Merchant: payouts missing")
    bot.emu.fail("chat.getPermalink", "internal_error")
    await bot.driver.message_shortcut(bot.people.alice, msg, "declare_from_message")
    modal = bot.ws.open_modal(bot.people.alice)
    assert modal is not None
    note = next(b for b in modal.view["blocks"] if b.get("block_id") == "declared_from")["text"]["text"]
    assert f".slack.com/archives/{channel}/p{msg.ts.replace('.', '')}|View the message>" in note


def test_title_comes_from_the_first_line_without_markup() -> None:
    assert title_from("\n  *Refunds* stuck <https://x.example|see ticket> for `EU` \nmore") == \
        "Refunds stuck see ticket for EU"
    assert title_from("") == ""
