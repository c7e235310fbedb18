"""`/incident` subcommands inside an incident channel, and anywhere."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Bot


async def test_severity_status_role_update_resolve_in_the_channel(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Gateway down")
    ch = inc.channel_id
    assert (await bot.command(p.alice, "severity 2", ch)).json["text"] == "INC-1 is now SEV-2."
    assert (await bot.command(p.alice, "severity sev-2", ch)).json["text"] == "INC-1 is already SEV-2."
    assert (await bot.command(p.alice, "status identified", ch)).json["text"] == "INC-1 is now identified."
    reply = await bot.command(p.alice, f"role tl {bot.driver.mention(p.bob)}", ch)
    assert reply.json["text"] == f"Technical Lead of INC-1 is now <@{p.bob}>."
    await bot.command(p.alice, f"role comms <@{p.carol}>", ch)
    await bot.command(p.alice, "update Rolled back the 08:55 deploy", ch)
    reply = await bot.command(p.alice, "resolve", ch)  # opens the resolution checks
    assert reply.status == 200 and bot.ws.open_modal(p.alice) is not None
    await bot.driver.submit(p.alice, {"checks": ["0", "1", "2", "3"]})
    await bot.drain()
    inc = await bot.incident(1)
    assert (inc.severity, inc.status, inc.tech_lead_id, inc.comms_id) == (2, "resolved", p.bob, p.carol)
    assert {p.bob, p.carol} <= bot.ws.channel(ch).members
    assert ":white_check_mark: Resolved" in str(bot.card(inc).blocks)
    kinds = [e.kind for e in await bot.timeline(1) if e.via == "command" and e.kind != "leadership_escalation"]
    assert kinds == ["declared", "severity_changed", "status_changed", "role_assigned", "role_assigned", "update"]
    kinds = [e.kind for e in await bot.timeline(1)]
    assert kinds[-1] == "resolved" and "resolution_checks" in kinds


@pytest.mark.parametrize("text", ["severity 2", "status mitigated", "role ic <@U1>", "update hi", "resolve"])
async def test_incident_subcommands_outside_an_incident_channel(bot: Bot, text: str) -> None:
    await bot.declare("sev2 Something")
    reply = await bot.command(bot.people.alice, text)
    assert reply.status == 200
    assert "only inside an incident channel" in reply.json["text"]
    assert (await bot.incident(1)).severity == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("severity 7", "`sev1`, `SEV-1`, `sev-1` or `1`"),
    ("status sleeping", "Usage: `/incident status investigating|identified|mitigated|resolved`"),
    ("role boss <@U1>", "Usage: `/incident role ic|tl|comms|oncall|support @person`"),
    ("role ic @bob", "I can't tell who `@bob` is"),
    ("update", "Usage: `/incident update <what changed>`"),
])
async def test_bad_arguments_get_a_clear_message_and_change_nothing(bot: Bot, text: str, expected: str) -> None:
    inc = await bot.declare("sev2 Something")
    before = await bot.timeline(1)
    reply = await bot.command(bot.people.alice, text, inc.channel_id)
    assert reply.status == 200 and expected in reply.json["text"]
    assert len(await bot.timeline(1)) == len(before)


async def test_unknown_subcommand_and_help(bot: Bot) -> None:
    reply = await bot.command(bot.people.alice, "dance")
    assert "I don't know `/incident dance`" in reply.json["text"]
    for text in ("help", ""):
        reply = await bot.command(bot.people.alice, text)
        assert "/incident declare sev1 Card payments failing in EU" in reply.json["text"]


async def test_list_shows_private_incidents_only_to_members(bot: Bot) -> None:
    p = bot.people
    await bot.declare("sev2 Public latency", user=p.alice)
    await bot.command(p.bob, "declare")
    await bot.driver.submit(p.bob, {"title": "Fraud model leak", "severity": "1", "private": ["private"]})
    await bot.drain()
    bob_sees = (await bot.command(p.bob, "list")).json["text"]
    carol_sees = (await bot.command(p.carol, "list")).json["text"]
    assert "INC-1" in bob_sees and "INC-2" in bob_sees and "Fraud model leak" in bob_sees
    assert "INC-1" in carol_sees and "INC-2" not in carol_sees and "Fraud" not in carol_sees
    # someone who joins the private channel can see it from then on
    inc2 = await bot.incident(2)
    await bot.driver.event({"type": "member_joined_channel", "user": p.carol, "channel": inc2.channel_id,
                            "channel_type": "G", "team": bot.ws.team_id})
    for _ in range(100):  # Bolt acknowledges an event first and handles it just after
        if "INC-2" in (await bot.command(p.carol, "list")).json["text"]:
            break
        await asyncio.sleep(0.02)
    assert "INC-2" in (await bot.command(p.carol, "list")).json["text"]
    await bot.resolve(1)
    assert "INC-1" not in (await bot.command(p.carol, "list")).json["text"]
