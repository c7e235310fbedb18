"""Who may do what (the policy's [permissions]): the same rule for the command, the card's roles form and
the "I'll take …" buttons, because it lives in the service. A refusal is private, names who may, and
changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.policy import default_policy
from bot.policy.permissions import Permissions
from models import ALERT_ACTOR
from tests.conftest import Bot


async def _roles(bot: Bot, number: int = 1) -> dict[str, str | None]:
    inc = await bot.incident(number)
    return {r: inc.role_holder(r) for r in ("ic", "tl", "comms", "oncall", "support")}


async def test_nobody_makes_themselves_ic_or_comms_by_command(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing", user=p.alice)  # alice is the IC
    before = await _roles(bot)
    for text in (f"role ic <@{p.bob}>", f"role comms <@{p.bob}>"):
        reply = await bot.command(p.bob, text, inc.channel_id)
        assert reply.status == 200
        assert f"Only the Incident Commander (<@{p.alice}>)" in reply.json["text"]
    assert await _roles(bot) == before
    assert [e for e in await bot.timeline(1) if e.kind == "role_assigned"] == []


async def test_anyone_takes_an_empty_role_but_only_the_ic_reassigns_and_the_holder_hears(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Refund delays", user=p.alice)
    assert "is now" in (await bot.command(p.bob, f"role tl <@{p.bob}>", inc.channel_id)).json["text"]
    refused = await bot.command(p.carol, f"role tl <@{p.carol}>", inc.channel_id)
    said = refused.json["text"]
    assert "Only the Incident Commander" in said and "reassign the Technical Lead" in said
    refused = await bot.command(p.carol, f"role support <@{p.dave}>", inc.channel_id)
    assert "make someone else the Support" in refused.json["text"]
    assert (await _roles(bot))["tl"] == p.bob

    await bot.command(p.alice, f"role tl <@{p.carol}>", inc.channel_id)  # the IC reassigns
    await bot.drain()
    assert (await _roles(bot))["tl"] == p.carol
    told = [m.text for m in bot.messages(p.bob)]
    assert any(f"<@{p.alice}> made <@{p.carol}> the Technical Lead of *INC-1*" in m for m in told)
    await bot.command(p.carol, "role tl none", inc.channel_id)  # giving up one's own role
    assert (await _roles(bot))["tl"] is None


async def test_the_roles_form_and_the_take_role_button_reach_the_same_rule(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing", user=p.alice)
    await bot.driver.click(p.bob, bot.card(inc), "incident_assign_roles")
    reply = await bot.driver.submit(p.bob, {"ic": p.bob, "comms": p.bob})
    assert reply.json["response_action"] == "errors"
    assert "Only the Incident Commander" in next(iter(reply.json["errors"].values()))
    assert (await _roles(bot))["ic"] == p.alice

    bot.clock.advance(timedelta(minutes=11))  # the role watcher asks for the open roles
    await bot.drain()
    reminder = next(m for m in bot.messages(inc.channel_id) if "Can you take one?" in m.text)
    await bot.driver.click(p.bob, reminder, "incident_take_role:comms", value=f"{inc.id}:comms")
    await bot.drain()
    assert (await _roles(bot))["comms"] is None
    assert any("Only the Incident Commander" in e for e in bot.ephemerals(p.bob))
    await bot.driver.click(p.bob, reminder, "incident_take_role:tl", value=f"{inc.id}:tl")
    assert (await _roles(bot))["tl"] == p.bob


async def test_an_incident_admin_may_do_what_the_ic_may(bot_factory: Any) -> None:
    policy = default_policy().model_copy(update={"permissions": Permissions(admins="S0ADMINS")})
    bot: Bot = await bot_factory(policy=policy)
    p = bot.people
    bot.emu.usergroups["S0ADMINS"] = [p.dave]
    inc = await bot.declare("sev1 Card payments failing", user=p.alice)  # the worker reads the group meanwhile
    refused = await bot.command(p.carol, f"role ic <@{p.carol}>", inc.channel_id)
    assert "or an incident admin (<!subteam^S0ADMINS>)" in refused.json["text"]
    await bot.command(p.dave, f"role ic <@{p.carol}>", inc.channel_id)
    assert (await _roles(bot))["ic"] == p.carol


async def test_an_alert_declared_incident_without_an_ic_gets_one_from_whoever_takes_it(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Checkout errors", user=p.alice)
    async with bot.rt.sessionmaker() as s, s.begin():  # as an auto-declare rule leaves it: nobody commands
        row = await s.get(type(inc), inc.id)
        row.commander_id, row.declared_by = None, ALERT_ACTOR
    assert "is now" in (await bot.command(p.bob, f"role ic <@{p.bob}>", inc.channel_id)).json["text"]
    assert (await _roles(bot))["ic"] == p.bob
