"""The summary card's controls: every change updates the card in place, the topic, a line in the
channel, and the timeline."""

from __future__ import annotations

from tests.conftest import Bot


def _calls_since(bot: Bot, n: int, method: str) -> list:
    return [c for c in bot.ws.calls[n:] if c.method == method and c.ok]


async def test_severity_select_changes_card_topic_channel_and_timeline(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 High API latency")
    before = len(bot.ws.calls)
    bot.clock.advance(120)
    reply = await bot.driver.select(p.bob, bot.card(inc), "incident_severity", "1")
    assert reply.status == 200
    await bot.drain()
    card = bot.card(inc)
    assert card.edited and ":red_circle: SEV-1 Critical" in str(card.blocks)
    assert [c.args["ts"] for c in _calls_since(bot, before, "chat.update")] == [card.ts]  # in place, no repost
    ch = bot.ws.channel(inc.channel_id)
    assert ch.topic.startswith("SEV-1 · Investigating")
    assert any(f"<@{p.bob}> raised severity SEV-2 → *SEV-1*" in m.text for m in bot.messages(inc.channel_id))
    event = [e for e in await bot.timeline(1) if e.kind == "severity_changed"][-1]
    assert (event.kind, event.actor, event.via, event.data) == ("severity_changed", p.bob, "card",
                                                                {"from": "SEV-2", "to": "SEV-1"})
    assert event.at == bot.clock.now()


async def test_status_select_and_resolve_button(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Refunds delayed")
    await bot.driver.select(p.alice, bot.card(inc), "incident_status", "mitigated")
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.status == "mitigated" and inc.mitigated_at is not None
    assert bot.ws.channel(inc.channel_id).topic.startswith("SEV-2 · Mitigated")
    await bot.driver.click(p.alice, bot.card(inc), "incident_resolve")  # the resolution checks
    await bot.driver.submit(p.alice, {"checks": ["0", "1", "2", "3"]})
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.status == "resolved" and inc.resolved_at is not None
    card = bot.card(inc)
    assert "incident_resolve" not in str(card.blocks)  # nothing left to resolve
    assert any(f"<@{p.alice}> resolved INC-1" in m.text for m in bot.messages(inc.channel_id))
    kinds = [e.kind for e in await bot.timeline(1)]
    assert kinds[-1] == "resolved" and "resolution_checks" in kinds and "status_changed" in kinds


async def test_assign_roles_modal_invites_and_records(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Gateway down")
    await bot.driver.click(p.alice, bot.card(inc), "incident_assign_roles")
    modal = bot.ws.open_modal(p.alice)
    assert modal is not None and [b["block_id"] for b in modal.view["blocks"]] == [
        "ic", "tl", "comms", "oncall", "support"]
    assert modal.view["blocks"][0]["element"]["initial_user"] == p.alice
    reply = await bot.driver.submit(p.alice, {"tl": p.bob, "comms": p.carol, "oncall": p.dave})
    assert reply.status == 200 and bot.ws.open_modal(p.alice) is None
    await bot.drain()
    inc = await bot.incident(1)
    assert (inc.commander_id, inc.tech_lead_id, inc.comms_id, inc.oncall_id, inc.support_id) == (
        p.alice, p.bob, p.carol, p.dave, None)
    assert {p.bob, p.carol, p.dave} <= bot.ws.channel(inc.channel_id).members
    card = str(bot.card(inc).blocks)
    assert f"*Technical Lead*\\n<@{p.bob}>" in card
    roles = [e for e in await bot.timeline(1) if e.kind == "role_assigned"]
    assert {(e.data["role"], e.data["to"]) for e in roles} == {("tl", p.bob), ("comms", p.carol), ("oncall", p.dave)}


async def test_post_update_modal_posts_and_records(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Gateway down")
    await bot.driver.click(p.bob, bot.card(inc), "incident_post_update")
    reply = await bot.driver.submit(p.bob, {"status": "identified", "text": "Acquirer <!here> returns 503s",
                                            "next_steps": "Fail over to the backup acquirer"})
    assert reply.status == 200
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.status == "identified" and inc.last_update_at is not None
    posted = [m for m in bot.messages(inc.channel_id) if "Update on INC-1" in m.text]
    assert len(posted) == 1
    body = str(posted[0].blocks)
    assert "Acquirer &lt;!here&gt; returns 503s" in body and "Fail over to the backup acquirer" in body
    update = [e for e in await bot.timeline(1) if e.kind == "update"]
    assert update[0].data["text"] == "Acquirer <!here> returns 503s" and update[0].actor == p.bob


async def test_empty_update_is_an_error_on_its_field(bot: Bot) -> None:
    inc = await bot.declare("sev1 Gateway down")
    await bot.driver.click(bot.people.bob, bot.card(inc), "incident_post_update")
    reply = await bot.driver.submit(bot.people.bob, {"text": "   "}, validate=False)
    assert reply.json == {"response_action": "errors", "errors": {"text": "Write what changed."}}
    await bot.drain()
    assert [e for e in await bot.timeline(1) if e.kind == "update"] == []


async def test_unknown_buttons_are_acknowledged(bot: Bot) -> None:
    inc = await bot.declare("sev3 Wrong status display")
    card = bot.card(inc)
    card.blocks.append({"type": "actions", "elements": [
        {"type": "button", "action_id": "runbook_link", "text": {"type": "plain_text", "text": "Runbook"},
         "url": "https://runbooks.example/gateway"}]})
    reply = await bot.driver.click(bot.people.alice, card, "runbook_link")
    assert reply.status == 200
