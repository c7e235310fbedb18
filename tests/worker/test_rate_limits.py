"""A rate limit is a wait, never a failure: a job told "slow down" waits as long as it is told, however
often, and never counts it as a failed attempt (issue: 15 declarations at once lost 3 announcements)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.emulator import server as emulator_server
from tests.conftest import Bot


async def test_a_message_told_to_slow_down_twenty_times_still_arrives(bot: Bot) -> None:
    await bot.declare("sev2 Refund delays")
    inc = await bot.incident(1)
    bot.emu.fail("chat.postMessage", "ratelimited", times=20, retry_after=3)
    await bot.command(bot.people.alice, "note Refund queue drained by hand", inc.channel_id)
    for _ in range(25):
        await bot.drain()
        bot.clock.advance(timedelta(seconds=3))
    assert any("Refund queue drained by hand" in m.text for m in bot.messages(inc.channel_id))
    (note_job,) = [j for j in await bot.jobs() if j.kind == "post_fact"]
    assert note_job.state == "done" and note_job.attempts == 1  # twenty waits, one attempt
    assert [e for e in await bot.timeline(1) if e.kind == "job_failed"] == []


async def test_fifteen_declarations_at_once_announce_every_one_under_slacks_channel_limit(
        bot: Bot, monkeypatch) -> None:
    monkeypatch.setattr(emulator_server, "POST_PER_SECOND", 5.0)  # Slack's 1 a second, faster for the test
    bot.emu.rate_limits = True
    await asyncio.gather(*(bot.command(bot.people.alice, f"declare sev2 Checkout errors {n}") for n in range(15)))
    for _ in range(60):
        await bot.drain()
        if len(bot.messages(bot.people.announce)) == 15:
            break
        bot.clock.advance(timedelta(seconds=1))
        await asyncio.sleep(0.25)  # the emulator's buckets refill in real time
    announced = sorted(m.text for m in bot.messages(bot.people.announce))
    assert len(announced) == 15 and all("Checkout errors" in a for a in announced)
    assert any(c.status == 429 for c in bot.ws.calls)  # the limit was hit, and waited out
    assert [j for j in await bot.jobs() if j.state == "failed"] == []
