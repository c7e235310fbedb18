"""Game days: a [DRILL] incident from a policy scenario, scripted events on time (compressed clocks),
never in the metrics, ending with a drill report."""

from __future__ import annotations

from datetime import timedelta

from bot.policy import default_policy
from bot.policy.drills import Drills
from tests.conftest import Bot

SCENARIO = {"fast": {"name": "SEV-1: card gateway down", "severity": "SEV-1", "title": "Card gateway down",
                     "type": "gateway_down", "speed": 5,
                     "events": [{"after": "5m", "kind": "alert", "text": "CardAuthSuccessRateLow 31%"},
                                {"after": "20m", "kind": "merchant_complaint", "text": "ShopCo: all cards fail"}]}}


async def test_listing_and_unknown_scenarios(bot: Bot) -> None:
    await bot.command(bot.people.alice, "drill")
    assert "`gateway`: SEV-1: card gateway down" in bot.ephemerals(bot.people.alice)[-1]
    await bot.command(bot.people.alice, "drill nope")
    assert "There is no drill `nope`" in bot.ephemerals(bot.people.alice)[-1]
    assert await bot.incidents() == []


async def test_a_drill_runs_on_compressed_clocks_and_ends_with_a_report(bot_factory) -> None:
    policy = default_policy().model_copy(update={"drills": Drills.model_validate(SCENARIO)})
    bot: Bot = await bot_factory(policy=policy)
    p = bot.people
    reply = await bot.command(p.alice, "drill fast")
    assert reply.status == 200 and "Drill *INC-1* started" in bot.ephemerals(p.alice)[0]
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.drill and inc.clock_speed == 5 and inc.title == "[DRILL] Card gateway down"
    assert inc.incident_type == "gateway_down" and inc.severity == 1
    assert any(m.text.startswith("[DRILL] Playbook for INC-1") for m in bot.messages(inc.channel_id))
    bot.clock.advance(timedelta(minutes=1))  # 5 drill minutes: the alert, and the ack reminder (SLA 5m / 5)
    await bot.drain()
    texts = [m.text for m in bot.messages(inc.channel_id)]
    assert any("[DRILL] Alert" in x and "CardAuthSuccessRateLow" in x for x in texts)
    assert any("still unacknowledged" in x for x in texts)
    assert not any("ShopCo" in x for x in texts)
    await bot.command(p.alice, "ack", inc.channel_id)
    bot.clock.advance(timedelta(minutes=3))  # 20 drill minutes: the merchant complaint
    await bot.drain()
    assert any("ShopCo: all cards fail" in m.text for m in bot.messages(inc.channel_id))
    await bot.command(p.alice, "update Failed over to the backup acquirer", inc.channel_id)
    await bot.resolve(1)
    report = [m.text for m in bot.messages(inc.channel_id) if "Drill report for INC-1" in m.text]
    assert len(report) == 1
    assert "Time to acknowledge: 5m in drill time" in report[0]
    assert "Updates: 1 posted" in report[0] and "Playbook checklist: 0 of 5 done" in report[0]
    assert "Roles filled: Incident Commander" in report[0]
    assert any("Drill report for INC-1" in m.text for m in bot.messages(p.alice))  # and to whoever started it
    kinds = [e.kind for e in await bot.timeline(1)]
    assert kinds.count("drill_event") == 2 and "drill_report" in kinds and "pir_requested" not in kinds


async def test_a_drills_customer_message_never_reaches_the_status_page(bot: Bot) -> None:
    import aiohttp

    from tests.comms.conftest import external_messages, page_url, publish

    await bot.command(bot.people.alice, "drill gateway")
    await bot.drain()
    inc = await bot.incident(1)
    reply = await publish(bot, bot.people.alice, inc)  # the IC may publish while nobody holds comms
    assert reply.status == 200 and len(await external_messages(bot)) == 1  # practised and recorded
    async with aiohttp.ClientSession() as http, http.get(page_url(bot, "/status.json")) as resp:
        page = await resp.json()
    assert page["incidents"] == [] and page["history"]["incidents"] == []
    assert {c["status"] for c in page["components"]} == {"operational"}
    await bot.resolve(1)
    assert not any("resolved message" in m.text.lower() for m in bot.messages(inc.channel_id))
