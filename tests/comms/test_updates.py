"""Structured updates: what the "Post update" form records, where the update goes by severity and
privacy, and the next-update time the clocks then keep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Bot


def update_posts(bot: Bot, channel: str | None) -> list:
    return [m for m in bot.messages(channel) if "Update on INC-" in m.text] if channel else []


async def post_update(bot: Bot, user: str, inc, **values) -> None:
    await bot.driver.click(user, bot.card(inc), "incident_post_update")
    reply = await bot.driver.submit(user, values)
    assert reply.ok and reply.status == 200, reply.body
    await bot.drain()


async def test_the_form_records_every_part_and_the_channel_shows_it(cbot: Bot) -> None:
    p = cbot.people
    inc = await cbot.declare("sev1 Card payments failing in EU")
    await cbot.driver.click(p.bob, cbot.card(inc), "incident_post_update")
    modal = cbot.ws.open_modal(p.bob)
    assert modal is not None
    blocks = {b["block_id"]: b for b in modal.view["blocks"]}
    assert list(blocks) == ["status", "text", "impact", "actions", "next_steps", "next_update"]
    assert blocks["next_update"]["element"]["initial_option"]["value"] == "15"  # SEV-1's cadence
    reply = await cbot.driver.submit(p.bob, {
        "status": "identified", "text": "EU acquirer returns 503 for 3-D Secure",
        "impact": "About 60% of EU card payments fail", "actions": "Paged the acquirer; disabled retries",
        "next_steps": "Fail over to the backup acquirer"})
    assert reply.status == 200
    await cbot.drain()
    inc = await cbot.incident(1)
    (posted,) = update_posts(cbot, inc.channel_id)
    body = str(posted.blocks)
    for part in ("*Customer impact*", "About 60% of EU card payments fail", "*Actions taken*",
                 "Paged the acquirer; disabled retries", "*Next steps*", "Fail over to the backup acquirer",
                 "Next update by"):
        assert part in body
    event = [e for e in await cbot.timeline(1) if e.kind == "update"][-1]
    assert event.data["impact"] == "About 60% of EU card payments fail"
    assert event.data["actions"] == "Paged the acquirer; disabled retries"
    assert event.data["status"] == "identified"


async def test_sev1_goes_to_the_thread_executives_and_support(cbot: Bot) -> None:
    st = cbot.stakeholders  # type: ignore[attr-defined]
    inc = await cbot.declare("sev1 Card payments failing in EU")
    assert inc.announce_ts
    await post_update(cbot, cbot.people.bob, inc, text="Cause found: the 08:52 gateway deploy")
    (threaded,) = update_posts(cbot, cbot.people.announce)
    assert threaded.thread_ts == inc.announce_ts
    for channel in (st.executives, st.support, st.security):
        (routed,) = update_posts(cbot, channel)
        assert "Cause found: the 08:52 gateway deploy" in str(routed.blocks)
        assert f"<#{inc.channel_id}>" in str(routed.blocks)  # stakeholders can follow the incident
    event = [e for e in await cbot.timeline(1) if e.kind == "update"][-1]
    assert set(event.data["routed_to"]) == {cbot.people.announce, st.executives, st.support, st.security}


async def test_sev2_goes_to_support_not_executives(cbot: Bot) -> None:
    st = cbot.stakeholders  # type: ignore[attr-defined]
    inc = await cbot.declare("sev2 High API latency")
    await post_update(cbot, cbot.people.bob, inc, text="p99 latency at 4s; scaling the API pool")
    assert len(update_posts(cbot, st.support)) == 1
    assert update_posts(cbot, st.executives) == []
    assert len(update_posts(cbot, cbot.people.announce)) == 1


async def test_sev3_reaches_no_stakeholder_channel(cbot: Bot) -> None:
    st = cbot.stakeholders  # type: ignore[attr-defined]
    inc = await cbot.declare("sev3 Refunds delayed")
    await post_update(cbot, cbot.people.bob, inc, text="Refund batch restarted")
    assert [update_posts(cbot, c) for c in (st.executives, st.support, st.security)] == [[], [], []]
    assert len(update_posts(cbot, inc.channel_id)) == 1


async def test_private_incident_updates_reach_only_its_channel_and_private_safe_routes(cbot: Bot) -> None:
    p, st = cbot.people, cbot.stakeholders  # type: ignore[attr-defined]
    await cbot.driver.command(p.alice, p.general, "declare")
    await cbot.driver.submit(p.alice, {"title": "Card data exposure suspected", "severity": "1",
                                       "private": ["private"]})
    await cbot.drain()
    inc = await cbot.incident(1)
    assert inc.private and inc.announce_channel is None
    await post_update(cbot, p.alice, inc, text="Secret: attacker used the leaked key AKIA123")
    assert len(update_posts(cbot, inc.channel_id)) == 1
    assert len(update_posts(cbot, st.security)) == 1
    for channel in (st.executives, st.support, p.announce, p.general):
        assert not any("AKIA123" in str(m.blocks) + m.text for m in cbot.messages(channel))


async def test_slash_command_update_still_works_and_is_routed(cbot: Bot) -> None:
    st = cbot.stakeholders  # type: ignore[attr-defined]
    inc = await cbot.declare("sev2 Delayed settlements")
    reply = await cbot.command(cbot.people.bob, "update Settlement batch 3 is re-running", channel=inc.channel_id)
    assert reply.status == 200 and "Update posted to INC-1" in reply.body
    await cbot.drain()
    assert len(update_posts(cbot, inc.channel_id)) == 1
    assert len(update_posts(cbot, st.support)) == 1
    inc = await cbot.incident(1)
    assert inc.update_due_at == cbot.clock.now() + timedelta(minutes=30)  # SEV-2's cadence


@pytest.mark.parametrize("minutes", [45, 10])
async def test_the_chosen_next_update_time_drives_the_reminder(cbot: Bot, minutes: int) -> None:
    inc = await cbot.declare("sev1 Card payments failing in EU")
    start = cbot.clock.now()
    await post_update(cbot, cbot.people.bob, inc, text="Investigating the acquirer", next_update=str(minutes))
    inc = await cbot.incident(1)
    assert inc.update_due_at == start + timedelta(minutes=minutes)
    posted = update_posts(cbot, inc.channel_id)[-1]
    assert f"<!date^{int((start + timedelta(minutes=minutes)).timestamp())}^" in str(posted.blocks)

    def reminders() -> int:
        return sum("an update on" in m.text for m in cbot.messages(inc.channel_id))

    before = reminders()
    cbot.clock.set(start + timedelta(minutes=minutes) - timedelta(seconds=30))
    await cbot.drain()
    assert reminders() == before
    cbot.clock.set(start + timedelta(minutes=minutes))
    await cbot.drain()
    assert reminders() == before + 1


async def test_an_update_without_a_required_field_changes_nothing(cbot: Bot) -> None:
    inc = await cbot.declare("sev1 Card payments failing in EU")
    await cbot.driver.click(cbot.people.bob, cbot.card(inc), "incident_post_update")
    reply = await cbot.driver.submit(cbot.people.bob, {"text": "x", "impact": "y" * 3001}, validate=False)
    assert reply.json == {"response_action": "errors",
                          "errors": {"impact": "Keep the customer impact to 3000 characters."}}
    await cbot.drain()
    assert [e for e in await cbot.timeline(1) if e.kind == "update"] == []
    assert update_posts(cbot, cbot.stakeholders.support) == []  # type: ignore[attr-defined]
