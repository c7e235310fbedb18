"""The structured payment impact: `/incident impact …`, the card's Impact form, the declare form and
an alert's labels; each change a timeline fact with who and when, shown on the card."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.impact.fields import parse_args
from models import IncidentImpact
from tests.alerts.conftest import AlertBot, alertmanager, am_alert
from tests.comms.conftest import page_url, publish
from tests.conftest import Bot


async def impact_of(bot: Bot, number: int = 1) -> dict:
    inc = await bot.incident(number)
    async with bot.rt.sessionmaker() as s:
        row = await s.get(IncidentImpact, inc.id)
        return dict(row.values) if row else {}


def test_the_grammar() -> None:
    assert parse_args('amount=12000 EUR failed=340 regions=DE,FR key_merchants="ShopCo, Bike Hub"') == {
        "amount": 12000.0, "currency": "EUR", "failed": 340, "regions": ["DE", "FR"],
        "key_merchants": ["ShopCo", "Bike Hub"]}
    assert parse_args("failed=4.5% delayed=1,200 data=confidentiality,availability amount=usd99.5") == {
        "failed_rate": 4.5, "delayed": 1200, "data": ["availability", "confidentiality"], "amount": 99.5,
        "currency": "USD"}
    assert parse_args("methods=") == {"methods": None}


async def test_the_command_records_each_change_and_the_card_shows_it(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.command(p.alice, "impact amount=12000 EUR failed=340 regions=DE,FR", inc.channel_id)
    bot.clock.advance(timedelta(minutes=5))
    await bot.command(p.bob, "impact failed=900 merchants=37 methods=Visa,Mastercard", inc.channel_id)
    await bot.drain()
    assert await impact_of(bot) == {"amount": 12000.0, "currency": "EUR", "failed": 900, "regions": ["DE", "FR"],
                                    "merchants": 37, "methods": ["Visa", "Mastercard"]}
    facts = [e for e in await bot.timeline(1) if e.kind == "impact_changed"]
    assert [(f.actor, f.via) for f in facts] == [(p.alice, "command"), (p.bob, "command")]
    assert facts[1].data["changes"]["failed"] == [340, 900] and facts[1].data["changes"]["merchants"] == [None, 37]
    card = str(bot.card(await bot.incident(1)).blocks)
    assert "*Impact:* 900 failed · EUR 12,000 · 37 merchants · Visa, Mastercard · DE, FR" in card
    line = [m.text for m in bot.messages(inc.channel_id) if "Impact changed by" in m.text]
    assert len(line) == 2 and "failed transactions 340 → 900" in line[1]
    await bot.command(p.carol, "impact", inc.channel_id)
    assert "*Amount affected:* 12,000" in bot.ephemerals(p.carol)[-1]
    await bot.command(p.carol, "update Rolled back the gateway", inc.channel_id)
    await bot.drain()
    [update] = [m for m in bot.messages(inc.channel_id) if "Update on INC-1" in m.text]
    assert "Payment impact: 900 failed · EUR 12,000" in str(update.blocks)


async def test_bad_input_gets_a_clear_message_and_changes_nothing(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    for text, says in (("impact amount=12000 XYZ", "`XYZ` is not an ISO 4217 currency code"),
                       ("impact amount=12000", "Give the amount's currency"),
                       ("impact failed=-3", "must be a number from 0"),
                       ("impact failed=lots", "is not a number"),
                       ("impact colour=red", "I can't read `colour=red`"),
                       ('impact regions="DE', "A quote is not closed"),
                       ("impact failed_rate=140", "a percentage, 0 to 100")):
        reply = await bot.command(p.alice, text, inc.channel_id)
        assert reply.status == 200
        assert says in bot.ephemerals(p.alice)[-1], (text, bot.ephemerals(p.alice)[-1])
    assert await impact_of(bot) == {}
    assert not [e for e in await bot.timeline(1) if e.kind == "impact_changed"]


async def test_the_cards_impact_form(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.command(p.alice, "impact amount=12000 EUR regions=DE", inc.channel_id)
    await bot.drain()
    await bot.driver.click(p.bob, bot.card(await bot.incident(1)), "incident_impact")
    modal = bot.ws.open_modal(p.bob)
    assert modal is not None and modal.view["callback_id"] == "incident_impact_form"
    blocks = {b["block_id"]: b for b in modal.view["blocks"]}
    assert blocks["amount"]["element"]["initial_value"] == "12000"
    assert blocks["currency"]["element"]["initial_value"] == "EUR"
    reply = await bot.driver.submit(p.bob, {"currency": "XYZ"})
    assert reply.errors and "ISO 4217" in reply.errors["currency"]
    reply = await bot.driver.submit(p.bob, {"currency": "GBP", "customers": "5200", "data": ["availability"],
                                            "regions": "DE, FR"})
    assert reply.status == 200 and not reply.errors, reply.body
    await bot.drain()
    assert await impact_of(bot) == {"amount": 12000.0, "currency": "GBP", "regions": ["DE", "FR"], "customers": 5200,
                                    "data": ["availability"]}
    [_, fact] = [e for e in await bot.timeline(1) if e.kind == "impact_changed"]
    assert fact.actor == p.bob and fact.via == "modal"


async def test_the_declare_form_takes_the_impact(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.alice, "declare")
    reply = await bot.driver.submit(p.alice, {"title": "Refunds stuck", "severity": "2", "impact": "amount=12 XYZ"})
    assert reply.errors and "ISO 4217" in reply.errors["impact"]
    reply = await bot.driver.submit(p.alice, {"title": "Refunds stuck", "severity": "2",
                                              "impact": "amount=4200 EUR customers=80"})
    assert not reply.errors, reply.errors
    await bot.drain()
    assert await impact_of(bot) == {"amount": 4200.0, "currency": "EUR", "customers": 80}


async def test_an_alerts_labels_prefill_the_impact_and_its_start_is_the_evidence(ab: AlertBot) -> None:
    p, bot = ab.bot.people, ab.bot
    alert = am_alert(starts_at="2026-01-15T08:40:00Z")
    alert["labels"].update({"region": "eu-west-1", "acquirer": "Acme Acquiring", "method": "visa"})
    answer = await ab.send("alertmanager", alertmanager(alert))
    assert answer.status == 200
    await bot.drain()
    await bot.driver.click(p.alice, ab.triage_messages()[-1], "Declare incident")
    reply = await bot.driver.submit(p.alice)
    assert not reply.errors
    await bot.drain()
    values = await impact_of(bot)
    assert values == {"regions": ["eu-west-1"], "acquirers": ["Acme Acquiring"], "methods": ["visa"]}
    inc = await bot.incident(1)
    assert inc.detected_at == datetime(2026, 1, 15, 8, 40, tzinfo=UTC)
    [fact] = [e for e in await bot.timeline(1) if e.kind == "impact_changed"]
    assert fact.via == "alert" and fact.actor == "bot"
    await bot.command(p.alice, "stats 30d")
    await bot.drain()
    [stats] = [m for m in bot.messages(p.general) if "Incident metrics" in m.text]
    took = int((inc.created_at - inc.detected_at).total_seconds() // 60)
    assert f"Time to detect (earliest evidence → declared): mean {took}m" in str(stats.blocks)


async def test_the_status_page_shows_only_the_public_safe_impact(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await bot.command(p.alice, "impact amount=12000 EUR failed=340 methods=Visa regions=DE,FR key_merchants=ShopCo",
                      inc.channel_id)
    await bot.drain()
    await publish(bot, p.alice, await bot.incident(1))
    async with aiohttp.ClientSession() as http, http.get(page_url(bot, "/status.json")) as resp:
        page = await resp.json()
    [public] = page["incidents"] if "incidents" in page else page["active"]
    assert public["scope"] == "Visa · DE, FR"
    text = json.dumps(page)
    assert "12000" not in text and "ShopCo" not in text and "340" not in text


async def test_stats_sum_the_amount_affected_per_quarter_drills_left_out(bot: Bot) -> None:
    p = bot.people
    for text in ("amount=12000 EUR", "amount=3000.5 EUR", "amount=700 USD"):
        inc = await bot.declare()
        await bot.command(p.alice, f"impact {text}", inc.channel_id)
    await bot.command(p.alice, "drill gateway")
    await bot.drain()
    drill = (await bot.incidents())[-1]
    await bot.command(p.alice, "impact amount=99999 EUR", drill.channel_id)
    await bot.command(p.alice, "stats 30d")
    await bot.drain()
    [stats] = [m for m in bot.messages(p.general) if "Incident metrics" in m.text]
    assert "Amount affected per quarter: 2026-Q1: EUR 15,000, USD 700" in str(stats.blocks)


async def test_the_review_form_starts_from_the_impact_facts(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare()
    await bot.command(p.alice, "impact amount=12000 EUR failed=340 merchants=3 key_merchants=ShopCo regions=DE,FR",
                      inc.channel_id)
    await bot.resolve(1)
    await bot.command(p.alice, "pir", inc.channel_id)
    modal = bot.ws.open_modal(p.alice)
    blocks = {b.get("block_id"): b for b in modal.view["blocks"]}
    assert blocks["failed_transactions"]["element"]["initial_value"] == "340 failed"
    assert blocks["amount_affected"]["element"]["initial_value"] == "EUR 12,000"
    assert blocks["merchants_affected"]["element"]["initial_value"] == "3 merchants (ShopCo)"
    assert blocks["regions"]["element"]["initial_value"] == "DE, FR"
