"""Customer messages: drafted from the template for the incident's type, with its placeholders filled
in; published only by the Communications Manager (or the IC while there is none), and recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.policy import PolicyError, load_policy
from bot.timeline.blocks import fact_text
from tests.comms.conftest import external_messages, field_value, open_draft, publish
from tests.conftest import Bot


@pytest.mark.parametrize(("title", "template", "components"), [
    ("sev1 Payment gateway down", "Payment gateway down", ["api", "card_payments"]),
    ("sev2 Delayed settlements for EU merchants", "Delayed settlements", ["bank_transfers", "payouts"]),
    ("sev3 Apple Pay failing on iOS", "One payment method failing", ["card_payments"]),
    ("sev3 Refunds stuck since the morning", "Refunds delayed", ["refunds"]),
    ("sev2 High API latency", "High API latency", ["api", "dashboard"]),
])
async def test_the_template_follows_the_incident_type(bot_factory: Any, title: str, template: str,
                                                      components: list[str]) -> None:
    bot: Bot = await bot_factory()
    inc = await bot.declare(title)
    view = await open_draft(bot, bot.people.alice, inc)
    assert f"Template: *{template}*" in view["blocks"][0]["elements"][0]["text"]
    assert sorted(field_value(view, "components")) == components
    assert field_value(view, "status") == "investigating"
    assert "{" not in field_value(view, "message")  # every placeholder filled in


async def test_placeholders_are_filled_from_the_incident(bot: Bot) -> None:
    inc = await bot.declare("sev1 Payment gateway down")
    started, due = inc.created_at, inc.update_due_at
    view = await open_draft(bot, bot.people.alice, inc)
    text = field_value(view, "message")
    assert f"Since {started:%H:%M} UTC, payments through Card payments and API are failing" in text
    assert f"Next update by {due:%H:%M} UTC" in text
    assert field_value(view, "impact") == "major_outage"  # SEV-1
    assert field_value(view, "title") == "Payments failing"


async def test_the_draft_follows_the_current_status(bot: Bot) -> None:
    inc = await bot.declare("sev2 Refunds delayed")
    await bot.command(bot.people.alice, "status mitigated", channel=inc.channel_id)
    await bot.drain()
    view = await open_draft(bot, bot.people.alice, inc)
    assert field_value(view, "status") == "monitoring"
    assert field_value(view, "message").startswith("Refunds are being processed again")
    assert field_value(view, "impact") == "partial_outage"  # SEV-2


async def test_draft_subcommand_picks_template_and_status(bot: Bot) -> None:
    inc = await bot.declare("sev2 Something odd")
    reply = await bot.command(bot.people.alice, "draft refunds_delayed identified", channel=inc.channel_id)
    assert reply.status == 200
    view = bot.ws.open_modal(bot.people.alice).view
    assert "Template: *Refunds delayed*" in str(view["blocks"][0])
    assert field_value(view, "status") == "identified"
    assert field_value(view, "message").startswith("We have identified what delays refunds")


async def test_draft_subcommand_with_an_unknown_template_lists_them(bot: Bot) -> None:
    inc = await bot.declare("sev2 Something odd")
    reply = await bot.command(bot.people.alice, "draft nonsense", channel=inc.channel_id)
    assert "There is no template `nonsense`" in reply.body and "`refunds_delayed` (Refunds delayed)" in reply.body
    assert bot.ws.open_modal(bot.people.alice) is None


def test_a_template_with_an_unknown_placeholder_stops_startup(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[comms.templates.refunds_delayed]\nresolved = "Fixed at {resolved_at}."\n')
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert "comms.templates.refunds_delayed.resolved: unknown placeholder {resolved_at}" in str(err.value)


def test_a_template_naming_an_unknown_component_stops_startup(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[comms.templates.gateway_down]\ncomponents = ["checkout"]\n')
    with pytest.raises(PolicyError, match="templates.gateway_down.components: no component 'checkout'"):
        load_policy(path)


async def test_an_operators_template_is_used(bot_factory: Any, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[comms.templates.chargebacks]\nname = "Chargebacks delayed"\nmatch = ["chargeback"]\n'
                    'components = ["payouts"]\ntitle = "Chargeback processing delayed"\n'
                    'investigating = "{components}: chargebacks are delayed since {started}. Next: {next_update}."\n'
                    'identified = "Found it."\nmonitoring = "Watching."\nresolved = "Done: {title}."\n')
    bot: Bot = await bot_factory(policy=load_policy(path))
    inc = await bot.declare("sev3 Chargeback files not ingested")
    view = await open_draft(bot, bot.people.alice, inc)
    assert field_value(view, "message").startswith("Payouts: chargebacks are delayed since ")
    assert field_value(view, "title") == "Chargeback processing delayed"


async def test_only_the_communications_manager_publishes(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Payment gateway down")
    await bot.command(p.alice, f"role comms <@{p.carol}>", channel=inc.channel_id)
    await bot.drain()
    view = await open_draft(bot, p.bob, inc)
    assert f"Only <@{p.carol}> can publish it" in str(view["blocks"][0])
    reply = await bot.driver.submit(p.bob, {})
    assert reply.json["response_action"] == "errors"
    assert reply.json["errors"]["message"].startswith(f"Only the Communications Manager of INC-1 (<@{p.carol}>)")
    # the IC is not the Communications Manager either
    await bot.driver.close_modal(p.bob)
    await open_draft(bot, p.alice, inc)
    reply = await bot.driver.submit(p.alice, {})
    assert "Only the Communications Manager" in reply.json["errors"]["message"]
    await bot.drain()
    assert await external_messages(bot) == []
    assert not [e for e in await bot.timeline(1) if e.kind == "customer_message"]

    await bot.driver.close_modal(p.alice)
    reply = await publish(bot, p.carol, inc, title="Card payments failing", message="We are on it.")
    assert reply.status == 200 and bot.ws.open_modal(p.carol) is None
    (msg,) = await external_messages(bot)
    assert (msg.author, msg.kind, msg.title, msg.text) == (p.carol, "investigating", "Card payments failing",
                                                           "We are on it.")
    assert msg.components == {"card_payments": "major_outage", "api": "major_outage"}
    assert msg.published_at == bot.clock.now()
    (event,) = [e for e in await bot.timeline(1) if e.kind == "customer_message"]
    assert event.actor == p.carol and event.at == bot.clock.now() and "We are on it." in fact_text(event)
    line = [m.text for m in bot.messages(inc.channel_id) if "published a customer message" in m.text]
    assert line and f"<@{p.carol}> published a customer message for INC-1 — *Investigating*" in line[0]


async def test_without_a_communications_manager_the_ic_publishes(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 High API latency")
    await open_draft(bot, p.bob, inc)
    reply = await bot.driver.submit(p.bob, {})
    assert f"the Incident Commander (<@{p.alice}>) can" in reply.json["errors"]["message"]
    await bot.driver.close_modal(p.bob)
    reply = await publish(bot, p.alice, inc)
    assert reply.status == 200
    (msg,) = await external_messages(bot)
    assert msg.author == p.alice and msg.components == {"api": "partial_outage", "dashboard": "partial_outage"}


async def test_bad_message_fields_are_refused_on_their_field(bot: Bot) -> None:
    inc = await bot.declare("sev1 Payment gateway down")
    await open_draft(bot, bot.people.alice, inc)
    reply = await bot.driver.submit(bot.people.alice, {"message": "   "}, validate=False)
    assert reply.json == {"response_action": "errors",
                          "errors": {"message": "Write the message customers will read."}}
    reply = await bot.driver.submit(bot.people.alice, {"components": []}, validate=False)
    assert reply.json["errors"] == {"components": "Choose the affected components."}
    assert await external_messages(bot) == []


async def test_private_incidents_have_no_customer_messages(bot: Bot) -> None:
    p = bot.people
    await bot.driver.command(p.alice, p.general, "declare")
    await bot.driver.submit(p.alice, {"title": "Fraud rule leak", "severity": "2", "private": ["private"]})
    await bot.drain()
    inc = await bot.incident(1)
    assert "incident_draft_message" not in str(bot.card(inc).blocks)
    reply = await bot.command(p.alice, "draft", channel=inc.channel_id)
    assert "INC-1 is private: nothing about it is published to customers" in reply.body
    assert bot.ws.open_modal(p.alice) is None
