"""The status page never shows a closed incident as unresolved, and names incidents by a public
reference of its own (numbers would reveal the private incidents and drills in between)."""

from __future__ import annotations

import re

from tests.comms.conftest import get_html, get_json, publish
from tests.comms.test_resolved import asks, later, resolve
from tests.conftest import Bot


async def test_closing_without_a_review_before_the_resolved_message_keeps_asking_until_it_is_out(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev3 Refund delays for some merchants")  # SEV-3: its review is optional
    await publish(bot, p.alice, inc)
    await resolve(bot, inc)
    reply = await bot.command(p.alice, "pir skip Nothing to learn: the acquirer's planned maintenance", inc.channel_id)
    assert "closed without a review" in reply.json["text"]
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.status == "closed"
    assert bot.ws.channel(inc.channel_id).topic.startswith("SEV-3 · Closed (without a review)")
    assert "without a review" in str(bot.card(inc).blocks) and "review done" not in str(bot.card(inc).blocks)

    page = await get_json(bot)
    assert page["incidents"] == [] and [i["status"] for i in page["history"]["incidents"]] == ["resolved"]
    assert "Investigating" not in (await get_html(bot)).split("Past incidents")[0]

    before = len(asks(bot, inc.channel_id))
    await later(bot, 4 * 60 + 1)  # the reminder keeps coming after the close (SEV-3: every 4 h)
    assert len(asks(bot, inc.channel_id)) > before
    ask = asks(bot, inc.channel_id)[-1]
    await bot.driver.click(p.alice, ask, "incident_draft_message")
    await bot.driver.submit(p.alice, {"message": "Refunds are on time again."})
    await bot.drain()
    page = await get_json(bot)
    assert page["history"]["incidents"][0]["updates"][0]["body"] == "Refunds are on time again."
    settled = len(asks(bot, inc.channel_id))
    await later(bot, 8 * 60)
    assert len(asks(bot, inc.channel_id)) == settled


async def test_the_page_names_incidents_by_a_reference_of_their_own(bot: Bot) -> None:
    p = bot.people
    await bot.declare("sev2 Refund delays")
    await bot.command(p.alice, "drill gateway")
    await bot.drain()
    third = await bot.declare("sev2 Payout delays")
    await publish(bot, p.alice, await bot.incident(1))
    await publish(bot, p.alice, third)
    page = await get_json(bot)
    refs = [i["id"] for i in page["incidents"]]
    assert len(refs) == 2 and len(set(refs)) == 2
    assert all(re.fullmatch(r"[0-9a-f]{10}", r) for r in refs), refs
    assert not {"1", "2", "3", "INC-1", "INC-3"} & set(refs)
    html = await get_html(bot)
    assert 'id="incident-3"' not in html and "INC-3" not in html
