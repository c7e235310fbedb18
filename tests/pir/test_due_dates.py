"""Due dates are range-checked, and `tomorrow` is the tomorrow of whoever typed it (Slack's time zone)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.clock import FakeClock
from tests.conftest import Bot


async def test_a_due_date_far_in_the_future_is_a_clear_error(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Refund delays", user=p.alice)
    reply = await bot.command(p.alice, f"action <@{p.bob}> 9999-12-31 prevent: Add a canary", inc.channel_id)
    assert reply.status == 200 and "within five years" in reply.json["text"]
    assert "Something went wrong" not in reply.json["text"]


async def test_tomorrow_is_the_users_tomorrow(bot_factory: Any) -> None:
    clock = FakeClock(datetime(2026, 1, 15, 13, 30, tzinfo=UTC))  # already the 16th in Auckland
    bot: Bot = await bot_factory(clock=clock)
    kiri = bot.ws.add_user("kiri", "Kiri Ngata", tz="Pacific/Auckland", tz_offset=13 * 3600)
    bot.ws.channel(bot.people.general).members.add(kiri)
    await bot.command(kiri, "declare sev2 Refund delays")
    await bot.drain()
    inc = await bot.incident(1)
    reply = await bot.command(kiri, f"action <@{bot.people.bob}> tomorrow detect: Alert on refund lag",
                              inc.channel_id)
    assert "due 2026-01-17" in reply.json["text"], reply.json
    reply = await bot.command(bot.people.alice, f"action <@{bot.people.bob}> tomorrow detect: Another",
                              inc.channel_id)
    assert "due 2026-01-16" in reply.json["text"]  # alice is on London time
