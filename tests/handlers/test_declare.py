"""Declaring an incident, by command and by modal, as a user in Slack would."""

from __future__ import annotations

import pytest
from sqlmodel import delete, select

from models import Checklist, Incident, IncidentMember, Job, TimelineEvent
from tests.conftest import Bot


async def test_declare_with_severity_and_title_sets_everything_up(bot: Bot) -> None:
    p = bot.people
    reply = await bot.command(p.alice, "declare sev1 Card payments failing in EU")
    assert reply.status == 200
    # the declarer hears at once, before any channel exists
    assert "INC-1" in reply.json["text"] and reply.json["response_type"] == "ephemeral"
    assert bot.ws.channel_by_name("inc-1-card-payments-failing-in-eu") is None

    await bot.drain()
    inc = (await bot.incidents())[0]
    assert (inc.number, inc.severity, inc.status, inc.commander_id) == (1, 1, "investigating", p.alice)
    ch = bot.ws.channel_by_name("inc-1-card-payments-failing-in-eu")
    assert ch is not None and not ch.is_private and ch.id == inc.channel_id
    assert p.alice in ch.members
    assert ch.topic.startswith("SEV-1 · Investigating · IC: <@" + p.alice + ">")
    card = bot.card(inc)
    assert card.ts in ch.pins
    assert card.blocks[0]["text"]["text"] == "INC-1: Card payments failing in EU"
    announced = bot.messages(p.announce)
    assert len(announced) == 1 and f"<#{ch.id}>" in announced[0].text and "INC-1" in announced[0].text
    # then the link, privately
    assert any(f"<#{ch.id}>" in e for e in bot.ephemerals(p.alice))
    kinds = [e.kind for e in await bot.timeline(1)]
    assert kinds[0] == "declared" and "channel_created" in kinds


@pytest.mark.parametrize("form", ["sev2", "SEV-2", "sev-2", "2", "Sev2"])
async def test_every_severity_form_parses(bot: Bot, form: str) -> None:
    await bot.command(bot.people.bob, f"declare {form} Settlements delayed")
    await bot.drain()
    assert [(i.severity, i.title) for i in await bot.incidents()] == [(2, "Settlements delayed")]


@pytest.mark.parametrize("form", ["sev7", "SEV-0", "sevx", "9"])
async def test_bad_severity_lists_the_accepted_forms_and_creates_nothing(bot: Bot, form: str) -> None:
    reply = await bot.command(bot.people.bob, f"declare {form} Settlements delayed")
    assert reply.status == 200
    assert "`sev1`, `SEV-1`, `sev-1` or `1`" in reply.json["text"]
    assert await bot.incidents() == []
    await bot.drain()
    assert bot.ws.calls_to("conversations.create") == []


async def test_declare_alone_opens_the_modal(bot: Bot) -> None:
    reply = await bot.command(bot.people.alice, "declare")
    assert reply.status == 200
    modal = bot.ws.open_modal(bot.people.alice)
    assert modal is not None and modal.view["callback_id"] == "incident_declare"
    severity = next(b for b in modal.view["blocks"] if b["block_id"] == "severity")
    impacts = [o["description"]["text"] for o in severity["element"]["options"]]
    assert impacts[0].startswith("Major outage")
    commander = next(b for b in modal.view["blocks"] if b["block_id"] == "commander")
    assert commander["element"]["initial_user"] == bot.people.alice


async def test_title_without_severity_prefills_the_modal(bot: Bot) -> None:
    await bot.command(bot.people.alice, "declare Card payments failing")
    modal = bot.ws.open_modal(bot.people.alice)
    assert modal is not None
    title = next(b for b in modal.view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Card payments failing"
    assert await bot.incidents() == []


async def test_modal_submission_declares_with_every_field(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.alice, "declare")
    reply = await bot.driver.submit(p.alice, {
        "title": "Bank transfers stuck", "severity": "2", "source": "merchant", "surface": "SEPA transfers",
        "commander": p.bob, "private": ["private"]})
    assert reply.status == 200 and bot.ws.open_modal(p.alice) is None
    await bot.drain()
    inc = (await bot.incidents())[0]
    assert (inc.title, inc.severity, inc.source, inc.surface, inc.commander_id, inc.private) == (
        "Bank transfers stuck", 2, "merchant", "SEPA transfers", p.bob, True)
    ch = bot.ws.channel(inc.channel_id)
    assert ch is not None and ch.is_private and {p.alice, p.bob} <= ch.members
    assert bot.messages(p.announce) == []  # private incidents are never announced
    texts = bot.ephemerals(p.alice)
    assert any("INC-1" in t and "Declared" in t for t in texts) and any(f"<#{ch.id}>" in t for t in texts)


@pytest.mark.parametrize(("values", "field"), [
    ({"title": "", "severity": "1"}, "title"),
    ({"title": "   ", "severity": "1"}, "title"),
    ({"title": "x" * 151, "severity": "1"}, "title"),
    ({"title": "Gateway down", "severity": None}, "severity"),
])
async def test_modal_errors_come_back_on_the_field_and_create_nothing(bot: Bot, values: dict, field: str) -> None:
    await bot.command(bot.people.alice, "declare")
    reply = await bot.driver.submit(bot.people.alice, values, validate=False)
    assert reply.status == 200
    assert reply.json["response_action"] == "errors" and field in reply.json["errors"]
    assert bot.ws.open_modal(bot.people.alice) is not None
    await bot.drain()
    assert await bot.incidents() == [] and bot.ws.calls_to("conversations.create") == []


async def test_numbers_count_up_and_are_never_reused(bot: Bot) -> None:
    for title in ("one", "two", "three"):
        await bot.command(bot.people.alice, f"declare sev3 {title}")
    await bot.drain()
    async with bot.rt.sessionmaker() as s, s.begin():  # an operator deletes the newest incident by hand
        last = (await s.execute(select(Incident).where(Incident.number == 3))).scalar_one()
        for table in (Job, TimelineEvent, IncidentMember, Checklist):
            await s.execute(delete(table).where(table.incident_id == last.id))
        await s.delete(last)
    await bot.command(bot.people.alice, "declare sev3 four")
    await bot.drain()
    assert [i.number for i in await bot.incidents()] == [1, 2, 4]


async def test_a_mass_mention_in_a_title_never_reaches_slack_unescaped(bot: Bot) -> None:
    await bot.declare("sev2 <!channel> @here card <@U999> failures & more")
    sent = [str(c.args) for c in bot.ws.calls if c.method.startswith(("chat.", "conversations.setTopic"))]
    assert sent and not any("<!channel>" in s or "<@U999>" in s for s in sent)
    assert not any("@here" in s for s in sent)
    card = bot.card((await bot.incidents())[0])
    assert "&lt;!channel&gt;" in card.text


async def test_a_long_title_gives_a_valid_channel_name(bot: Bot) -> None:
    title = "Ünïcode Card payments: failing!! in EU/UK " + "very long words " * 10
    inc = await bot.declare(f"sev2 {title.strip()[:150]}")
    assert inc.channel_name is not None and len(inc.channel_name) <= 80
    assert inc.channel_name.startswith("inc-1-unicode-card-payments-failing-in-eu-uk-")


async def test_a_taken_channel_name_picks_another(bot: Bot) -> None:
    bot.ws.add_channel("inc-1-gateway-down")
    inc = await bot.declare("sev1 Gateway down")
    assert inc.channel_name == "inc-1-gateway-down-2"
    assert [c.error for c in bot.ws.calls_to("conversations.create")] == ["name_taken", None]


async def test_an_expired_trigger_gets_a_clear_message(bot: Bot) -> None:
    bot.emu.trigger_ttl = 0.0  # Slack took too long: the trigger_id is dead on arrival
    reply = await bot.command(bot.people.alice, "declare")
    assert reply.status == 200
    assert "could not open the form in time (expired_trigger_id)" in reply.json["text"]
    assert bot.ws.open_modal(bot.people.alice) is None
