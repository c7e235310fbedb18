"""`/incident oncall`: each route's on-call now, asked of the pagers by a job, answered privately."""

from __future__ import annotations

from typing import Any

from tests.conftest import Bot
from tests.paging.conftest import Pagers


async def test_oncall_lists_each_route(pbot: Bot, pagers: Pagers) -> None:
    reply = await pbot.command(pbot.people.bob, "oncall")
    assert reply.status == 200
    await pbot.drain()
    answers = [t for t in pbot.ephemerals(pbot.people.bob) if "Who is on call now" in t]
    assert answers, pbot.ephemerals(pbot.people.bob)
    text = answers[-1]
    assert f"*Payment gateway* (PagerDuty; SEV-1, SEV-2): <@{pagers.erin}>" in text
    assert f"*Payouts* (Opsgenie; SEV-1, SEV-2): <@{pagers.erin}>" in text


async def test_oncall_says_when_a_pager_cannot_be_asked(pbot: Bot, pagers: Pagers) -> None:
    pagers.og.schedules.clear()
    await pbot.command(pbot.people.bob, "oncall")
    await pbot.drain()
    text = [t for t in pbot.ephemerals(pbot.people.bob) if "Who is on call now" in t][-1]
    assert "Payouts* (Opsgenie; SEV-1, SEV-2): could not ask" in text and "does not exist" in text


async def test_oncall_without_routes_says_how_to_set_them_up(bot_factory: Any) -> None:
    bot = await bot_factory()
    reply = await bot.command(bot.people.bob, "oncall")
    assert reply.status == 200 and "No paging routes" in reply.body
