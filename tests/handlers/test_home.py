"""The App Home tab lists the open incidents its viewer may see."""

from __future__ import annotations

import asyncio

from tests.conftest import Bot


async def test_opening_home_publishes_the_incidents_the_user_may_see(bot: Bot) -> None:
    p = bot.people
    await bot.declare("sev1 Gateway down", user=p.alice)
    await bot.command(p.bob, "declare")
    await bot.driver.submit(p.bob, {"title": "Fraud model leak", "severity": "2", "private": ["private"]})
    await bot.drain()
    for user in (p.bob, p.carol):
        reply = await bot.driver.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
        assert reply.status == 200
    for _ in range(100):  # Bolt acknowledges an event first and handles it just after
        await bot.drain()
        if len([c for c in bot.ws.calls_to("views.publish") if c.ok]) == 2:
            break
        await asyncio.sleep(0.02)
    published = {c.args["user_id"]: str(c.args["view"]) for c in bot.ws.calls_to("views.publish") if c.ok}
    assert "INC-1" in published[p.bob] and "INC-2" in published[p.bob]
    assert "INC-1" in published[p.carol] and "INC-2" not in published[p.carol]
