"""The post-incident review through Slack: the card at resolution, its reminders, the form and its
revisions, completion closing the incident. Everything is driven by signed requests to the served bot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.core.clock import FakeClock
from models import Pir, PirRevision
from tests.conftest import Bot


async def _resolved(bot: Bot, text: str = "sev1 Card payments failing in EU") -> int:
    inc = await bot.declare(text)
    await bot.resolve(inc.number)
    return inc.number


def _pir_card(bot: Bot, channel: str):
    cards = [m for m in bot.messages(channel) if "Post-incident review: INC-" in str(m.blocks)]
    assert len(cards) == 1, [m.text for m in bot.messages(channel)]
    return cards[0]


async def _review(bot: Bot) -> Pir:
    async with bot.rt.sessionmaker() as s:
        return (await s.execute(select(Pir))).scalar_one()


async def _revisions(bot: Bot) -> list[PirRevision]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(PirRevision).order_by(PirRevision.number))).scalars())


def _dms(bot: Bot, user: str) -> list[str]:
    return [m.text for m in bot.messages(user)]


async def _said(bot: Bot, user: str, text: str, channel: str) -> str:
    """Run a command; what the bot answered the user privately."""
    reply = await bot.command(user, text, channel)
    assert reply.status == 200
    return bot.ephemerals(user)[-1]


async def test_resolving_a_sev1_posts_the_review_card_owned_by_the_ic(bot: Bot) -> None:
    p = bot.people
    number = await _resolved(bot)
    inc = await bot.incident(number)
    card = _pir_card(bot, inc.channel_id)
    text = str(card.blocks)
    assert f"*Owner*\\n<@{p.alice}>" in text
    assert "Blameless" in text and "Fill in the PIR" in text and "Mark PIR complete" in text
    review = await _review(bot)
    assert review.owner_id == p.alice and review.required
    assert review.due_at == bot.clock.now() + timedelta(days=3)
    assert review.card_ts == card.ts
    assert "pir_requested" in [e.kind for e in await bot.timeline(number)]


async def test_sev2_review_is_due_in_five_business_days(bot_factory) -> None:
    friday = datetime(2026, 1, 16, 15, 0, tzinfo=UTC)
    bot = await bot_factory(clock=FakeClock(friday))
    await _resolved(bot, "sev2 Delayed settlements")
    review = await _review(bot)
    assert review.due_at == datetime(2026, 1, 23, 15, 0, tzinfo=UTC)  # the next Friday


async def test_sev3_review_is_optional_and_sev4_gets_none(bot: Bot) -> None:
    await _resolved(bot, "sev3 One payment method failing")
    inc3 = await bot.incident(1)
    card = _pir_card(bot, inc3.channel_id)
    assert "optional" in str(card.blocks)
    review = await _review(bot)
    assert not review.required and review.due_at is None
    await _resolved(bot, "sev4 Wrong status display")
    inc4 = await bot.incident(2)
    assert not [m for m in bot.messages(inc4.channel_id) if "Post-incident review" in str(m.blocks)]
    # the optional one can be closed without a review, with a reason; a required one cannot
    said = await _said(bot, bot.people.alice, "pir skip Known vendor bug, tracked upstream", inc3.channel_id)
    assert "closed without a review" in said
    await bot.drain()
    assert (await bot.incident(1)).status == "closed"


async def test_required_review_cannot_be_skipped(bot: Bot) -> None:
    number = await _resolved(bot)
    inc = await bot.incident(number)
    said = await _said(bot, bot.people.alice, "pir skip no time", inc.channel_id)
    assert "required for SEV-1" in said
    assert (await bot.incident(number)).status == "resolved"


async def test_owner_is_reminded_before_and_after_the_due_date(bot: Bot) -> None:
    p = bot.people
    await _resolved(bot)
    bot.clock.advance(timedelta(days=2, hours=1))  # one day before it is due
    await bot.drain()
    dms = _dms(bot, p.alice)
    assert any("is due" in d and "INC-1" in d for d in dms), dms
    bot.clock.advance(timedelta(days=1))
    await bot.drain()
    assert any("was due" in d for d in _dms(bot, p.alice))
    overdue = len([d for d in _dms(bot, p.alice) if "was due" in d])
    bot.clock.advance(timedelta(days=1))
    await bot.drain()
    assert len([d for d in _dms(bot, p.alice) if "was due" in d]) == overdue + 1  # again the next day
    kinds = [e.kind for e in await bot.timeline(1)]
    assert "pir_reminder" in kinds and kinds.count("pir_overdue") == 2


async def test_form_prefills_the_impact_window_and_saves_a_revision(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    bot.clock.advance(600)
    await bot.command(p.alice, "status mitigated", inc.channel_id)
    bot.clock.advance(600)
    await bot.resolve(inc.number)
    await bot.driver.click(p.bob, _pir_card(bot, inc.channel_id), "pir_fill")
    modal = bot.ws.open_modal(p.bob)
    assert modal is not None
    blocks = {b.get("block_id"): b for b in modal.view["blocks"]}
    start = int(datetime(2026, 1, 15, 9, 0, tzinfo=UTC).timestamp())
    assert blocks["impact_start"]["element"]["initial_date_time"] == start
    assert blocks["impact_end"]["element"]["initial_date_time"] == start + 600  # mitigated
    reply = await bot.driver.submit(p.bob, {
        "summary": "Card authorisations failed in the EU for 10 minutes.",
        "root_cause": "An expired TLS certificate on the acquirer link.",
        "failed_transactions": "12,400 authorisations", "settlements": "yes", "docs": ["runbooks", "alerts"]})
    assert reply.status == 200 and bot.ws.open_modal(p.bob) is None
    await bot.drain()
    review = await _review(bot)
    assert review.revision == 1
    assert review.answers["root_cause"] == "An expired TLS certificate on the acquirer link."
    assert review.answers["docs"] == ["runbooks", "alerts"] and review.answers["settlements"] == "yes"
    assert review.answers["impact_start"] == datetime(2026, 1, 15, 9, 0, tzinfo=UTC).isoformat()
    [rev] = await _revisions(bot)
    assert rev.author == p.bob and rev.saved_at == bot.clock.now() and "root_cause" in rev.changed
    assert "revision 1" in str(_pir_card(bot, inc.channel_id).blocks)
    # the latest answers pre-fill the form for the next person
    await bot.driver.click(p.carol, _pir_card(bot, inc.channel_id), "pir_fill")
    again = {b.get("block_id"): b for b in bot.ws.open_modal(p.carol).view["blocks"]}
    assert again["root_cause"]["element"]["initial_value"] == "An expired TLS certificate on the acquirer link."
    assert [o["value"] for o in again["docs"]["element"]["initial_options"]] == ["runbooks", "alerts"]


async def test_an_over_long_answer_comes_back_on_its_field_and_nothing_is_saved(bot: Bot) -> None:
    p = bot.people
    number = await _resolved(bot)
    inc = await bot.incident(number)
    await bot.command(p.alice, "pir", inc.channel_id)
    reply = await bot.driver.submit(p.alice, {"root_cause": "x" * 3001, "summary": "fine"}, validate=False)
    assert reply.status == 200
    assert reply.json["response_action"] == "errors"
    assert "3000 characters" in reply.json["errors"]["root_cause"]
    reply = await bot.driver.submit(p.alice, {"root_cause": "ok", "regions": "y" * 151}, validate=False)
    assert "150 characters" in reply.json["errors"]["regions"]
    assert await _revisions(bot) == []


async def test_two_people_writing_at_once_lose_nothing(bot: Bot) -> None:
    p = bot.people
    number = await _resolved(bot)
    inc = await bot.incident(number)
    card = _pir_card(bot, inc.channel_id)
    await bot.driver.click(p.alice, card, "pir_fill")
    await bot.driver.click(p.bob, card, "pir_fill")  # both forms show the empty review
    alice = bot.driver.submit(p.alice, {"root_cause": "Expired certificate.", "went_well": "Fast rollback."})
    bob = bot.driver.submit(p.bob, {"root_cause": "No expiry monitoring.", "trigger": "Certificate rotation job"})
    replies = await asyncio.gather(alice, bob)
    assert [r.status for r in replies] == [200, 200]
    await bot.drain()
    review = await _review(bot)
    assert review.revision == 2
    assert review.answers["went_well"] == "Fast rollback."
    assert review.answers["trigger"] == "Certificate rotation job"
    assert "Expired certificate." in review.answers["root_cause"]
    assert "No expiry monitoring." in review.answers["root_cause"]
    revs = await _revisions(bot)
    assert {r.author for r in revs} == {p.alice, p.bob}
    assert revs[1].merged == ["root_cause"]
    second = p.alice if revs[1].author == p.alice else p.bob
    assert any("Both versions of root cause" in d for d in _dms(bot, second))


async def test_completing_needs_a_root_cause_and_an_action_or_a_reason_then_closes(bot: Bot) -> None:
    p = bot.people
    number = await _resolved(bot)
    inc = await bot.incident(number)
    said = await _said(bot, p.alice, "pir complete", inc.channel_id)
    assert "needs a root cause and an action item" in said
    await bot.command(p.alice, "pir", inc.channel_id)
    await bot.driver.submit(p.alice, {"root_cause": "Expired certificate."})
    said = await _said(bot, p.alice, "pir complete", inc.channel_id)
    assert "needs an action item, or a reason" in said
    said = await _said(bot, p.bob, "pir complete", inc.channel_id)
    assert "Only the Incident Commander" in said
    await bot.command(p.alice, "pir", inc.channel_id)
    await bot.driver.submit(p.alice, {"no_action_reason": "The vendor fixed it; nothing of ours to change."})
    await bot.drain()
    await bot.driver.click(p.alice, _pir_card(bot, inc.channel_id), "pir_complete")
    await bot.drain()
    inc = await bot.incident(number)
    assert inc.status == "closed" and inc.closed_at == bot.clock.now()
    assert bot.ws.channel(inc.channel_id).topic.startswith("SEV-1 · Closed (review done)")
    card = str(bot.card(inc).blocks)
    assert ":lock: Closed" in card and "review done" in card and "incident_controls" not in card
    pir_card = str(_pir_card(bot, inc.channel_id).blocks)
    assert "Complete" in pir_card and "pir_fill" not in pir_card
    assert [e.kind for e in await bot.timeline(number)][-2:] == ["pir_completed", "closed"]
    # a closed review no longer changes
    await bot.command(p.alice, "pir", inc.channel_id)
    reply = await bot.driver.submit(p.alice, {"root_cause": "changed"})
    assert "complete" in str(reply.json.get("errors"))
    assert (await _review(bot)).answers["root_cause"] == "Expired certificate."


async def test_the_review_follows_the_highest_severity_reached(bot: Bot) -> None:
    inc = await bot.declare("sev1 Gateway down")
    await bot.command(bot.people.alice, "severity 3", inc.channel_id)
    await bot.resolve(inc.number)
    review = await _review(bot)
    assert review.required and review.due_at == bot.clock.now() + timedelta(days=3)
