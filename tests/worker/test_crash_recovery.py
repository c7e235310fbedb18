"""After kill -9, effects resume within seconds, exactly once: leases are short and renewed by the worker
that holds them, a worker waiting for a lease sleeps instead of spinning, and an effect run again after a
crash recognises the message or channel its first attempt made."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core.clock import SystemClock
from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from bot.jobs.worker import Worker
from tests.conftest import Bot
from tests.serving import serve, until


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def test_after_kill_9_the_restarted_bot_finishes_within_15_seconds_and_sleeps_meanwhile(
        tmp_path: Path) -> None:
    async with SlackEmulator() as emu:
        ws = emu.workspace
        alice = ws.add_user("alice")
        general = ws.add_channel("general", members=[alice], bot_member=True)
        env = {"SLACK_SIGNING_SECRET": "crash-secret", "INCIDENT_ANNOUNCE_CHANNEL": general}
        emu.slow("conversations.setTopic", 8.0)  # the first process dies while Slack is answering this
        async with serve(emu, tmp_path, **env) as first:
            async with SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{first.port}/slack/events",
                                                signing_secret="crash-secret") as driver:
                assert (await driver.command(alice, general, "declare sev1 Gateway down")).status == 200
            channel = await until(lambda: ws.channel_by_name("inc-1-gateway-down"), "the channel", timeout=20)
            await until(lambda: any(c.method == "conversations.invite" for c in ws.calls), "the invite")
            await asyncio.sleep(0.5)
            first.proc.kill()  # kill -9, with jobs claimed and one Slack call in flight
            await asyncio.to_thread(first.proc.wait, 10)
        killed = time.monotonic()
        emu.clear_faults()
        async with serve(emu, tmp_path, **env) as second:
            cpu_before, wall_before = _cpu_seconds(second.proc.pid), time.monotonic()
            await until(lambda: channel.pins, "the pinned card", timeout=30)
            resumed = time.monotonic() - killed
            busy = (_cpu_seconds(second.proc.pid) - cpu_before) / (time.monotonic() - wall_before)
            await until(lambda: ws.messages_in(general), "the announcement", timeout=10)
            await asyncio.sleep(1.0)
            assert await second.stop() == 0
    print(f"effects resumed {resumed:.1f}s after kill -9; the waiting worker used {busy:.0%} of a core")
    assert resumed < 15, f"effects resumed {resumed:.1f}s after the crash"
    assert busy < 0.5, f"the waiting worker used {busy:.0%} of a core"
    cards = [m for m in ws.messages_in(channel.id) if m.text.startswith("INC-1 (SEV-1")]
    assert len(cards) == 1 and channel.topic.startswith("SEV-1")
    assert len([m for m in ws.messages_in(general) if "INC-1" in m.text]) == 1


async def test_a_dead_workers_lease_is_taken_back_within_one_lease(bot: Bot) -> None:
    """On both databases: the survivor sleeps until the lease runs out, then runs the job once."""
    await bot.command(bot.people.alice, "declare sev1 Gateway down")
    clock = SystemClock()
    lease = timedelta(seconds=2)
    bot.emu.slow("conversations.create", 5.0)
    dying = Worker(sessionmaker=bot.rt.sessionmaker, clock=clock, client=bot.rt.client, policy=bot.rt.settings.policy,
                   lease=lease, worker_id="dying")
    task = asyncio.create_task(dying.run_once())
    await asyncio.sleep(0.5)
    task.cancel()  # it dies holding the create_channel job; Slack still creates the channel
    await asyncio.gather(task, return_exceptions=True)
    survivor = Worker(sessionmaker=bot.rt.sessionmaker, clock=clock, client=bot.rt.client,
                      policy=bot.rt.settings.policy, lease=lease, worker_id="survivor", poll_interval=30)
    stop = asyncio.Event()
    started = time.monotonic()
    running = asyncio.create_task(survivor.run_forever(stop))
    try:
        await until(lambda: bot.ws.channel_by_name("inc-1-gateway-down") and bot.ws.channel_by_name(
            "inc-1-gateway-down").pins, "the pinned card", timeout=20)
    finally:
        stop.set()
        await running
    assert time.monotonic() - started < 10
    # the channel Slack made for the dead worker is the incident's: no second one, one card
    assert [c.name for c in bot.ws.channels.values() if c.name.startswith("inc-1")] == ["inc-1-gateway-down"]
    inc = await bot.incident(1)
    assert inc.channel_name == "inc-1-gateway-down"
    assert len([m for m in bot.messages(inc.channel_id) if m.text.startswith("INC-1 (SEV-1")]) == 1


async def test_a_message_posted_before_a_crash_is_not_posted_again(bot: Bot) -> None:
    await bot.declare("sev2 Refund delays")
    inc = await bot.incident(1)
    bot.emu.slow("chat.postMessage", 2.0)
    await bot.command(bot.people.alice, "note Acquirer paged", inc.channel_id)
    dying = Worker(sessionmaker=bot.rt.sessionmaker, clock=bot.clock, client=bot.rt.client,
                   policy=bot.rt.settings.policy, worker_id="dying")
    task = asyncio.create_task(dying.run_once())
    await asyncio.sleep(0.3)
    task.cancel()  # Slack posts the note, but the job never hears it did
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(2.5)
    bot.clock.advance(timedelta(minutes=1))  # the dead worker's lease runs out
    await bot.drain()
    notes: list[Any] = [m for m in bot.messages(inc.channel_id) if "Acquirer paged" in m.text]
    assert len(notes) == 1
    assert {j.state for j in await bot.jobs() if j.kind == "post_fact"} == {"done"}
