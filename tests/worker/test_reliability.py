"""The durable jobs: Slack failing, the worker dying, two workers on one database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.context import JobContext
from bot.jobs.table import enqueue
from bot.jobs.worker import Worker
from bot.timeline.blocks import fact_text
from models.db import make_engine, make_sessionmaker
from tests.conftest import Bot


def _cards(bot: Bot, channel: str) -> list:
    return [m for m in bot.messages(channel) if m.blocks and m.blocks[0].get("type") == "header"]


async def test_a_429_is_retried_after_retry_after_and_posts_once(bot: Bot) -> None:
    bot.emu.fail("chat.postMessage", "ratelimited", times=1, retry_after=7)
    await bot.command(bot.people.alice, "declare sev1 Gateway down")
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.card_ts is None and _cards(bot, inc.channel_id) == []
    bot.clock.advance(6)
    await bot.drain()
    assert _cards(bot, inc.channel_id) == []  # Retry-After is honoured
    bot.clock.advance(1)
    await bot.drain()
    assert len(_cards(bot, inc.channel_id)) == 1
    card_posts = [c.status for c in bot.ws.calls_to("chat.postMessage")
                  if c.args.get("channel") == inc.channel_id and str(c.args.get("text", "")).startswith("INC-1 (")]
    assert card_posts == [429, 200]


async def test_a_500_is_retried_with_backoff_and_posts_once(bot: Bot) -> None:
    inc = await bot.declare("sev2 Latency")
    bot.emu.fail("chat.postMessage", "http_500", times=2)
    await bot.command(bot.people.alice, "update Failing over", inc.channel_id)
    await bot.drain()
    for _ in range(3):
        bot.clock.advance(10)
        await bot.drain()
    updates = [m for m in bot.messages(inc.channel_id) if "Update on INC-1" in m.text]
    assert len(updates) == 1
    assert all(j.state == "done" for j in await bot.jobs() if j.due_at <= bot.clock.now())


async def test_a_permanent_failure_is_recorded_on_the_timeline(bot: Bot) -> None:
    bot.emu.fail("conversations.setTopic", "restricted_action", times=1)
    await bot.declare("sev2 Latency")
    failed = [e for e in await bot.timeline(1) if e.kind == "job_failed"]
    assert [fact_text(e) for e in failed] == ["Could not set the channel topic: Slack answered restricted_action"]
    assert [j.state for j in await bot.jobs() if j.kind == "set_topic"] == ["failed"]


async def test_a_channel_that_cannot_be_created_never_loses_the_incident(bot: Bot) -> None:
    bot.emu.fail("conversations.create", "restricted_action", times=1)
    await bot.command(bot.people.alice, "declare sev1 Gateway down")
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.channel_id is None and inc.severity == 1
    assert any("could not be created" in e for e in bot.ephemerals(bot.people.alice))
    assert "INC-1" in (await bot.command(bot.people.bob, "list")).json["text"]


async def test_killing_the_worker_between_and_during_jobs_loses_nothing(bot: Bot) -> None:
    await bot.command(bot.people.alice, "declare sev1 Gateway down")
    first = Worker(sessionmaker=bot.rt.sessionmaker, clock=bot.clock, client=bot.rt.client,
                   policy=bot.rt.settings.policy, batch=1)
    assert await first.run_once() == 1  # the channel exists; invite, topic, card … are still queued
    # a second worker dies in the middle of a Slack call
    bot.emu.slow("conversations.invite", 5.0)
    dying = Worker(sessionmaker=bot.rt.sessionmaker, clock=bot.clock, client=bot.rt.client,
                   policy=bot.rt.settings.policy, batch=1)
    task = asyncio.create_task(dying.run_once())
    await asyncio.sleep(0.3)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    bot.emu.clear_faults()
    # a restarted worker finishes the rest once the dead worker's lease runs out
    bot.clock.advance(timedelta(minutes=3))
    await bot.drain()
    inc = await bot.incident(1)
    assert inc.card_ts is not None and len(_cards(bot, inc.channel_id)) == 1
    assert bot.ws.channel(inc.channel_id).topic.startswith("SEV-1")
    assert len(bot.messages(bot.people.announce)) == 1
    assert all(j.state == "done" for j in await bot.jobs() if j.due_at <= bot.clock.now())


async def test_two_workers_run_each_of_500_jobs_exactly_once(bot: Bot, db_url: str) -> None:
    channel = bot.people.general

    async def post(ctx: JobContext) -> None:
        await ctx.client.chat_postMessage(channel=channel, text=f"job {ctx.job.payload['n']}")

    async with bot.rt.sessionmaker() as s, s.begin():
        for n in range(500):
            enqueue(s, kind="probe", now=bot.clock.now(), payload={"n": n})

    engines: list[AsyncEngine] = [make_engine(db_url) for _ in range(2)]  # two processes' connection pools
    workers = [Worker(sessionmaker=make_sessionmaker(e), clock=bot.clock, client=bot.rt.client,
                      policy=bot.rt.settings.policy, batch=20, effects={"probe": post}, worker_id=f"w{i}")
               for i, e in enumerate(engines)]
    try:
        done: list[Any] = await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for e in engines:
            await e.dispose()
    texts = [m.text for m in bot.messages(channel)]
    assert sorted(texts) == sorted(f"job {n}" for n in range(500))
    assert sum(done) == 500 and all(d > 0 for d in done), done  # both took part
    assert {j.state for j in await bot.jobs()} == {"done"}


async def test_a_worker_sleeps_until_woken_by_a_commit(bot_factory: Any) -> None:
    from bot.core.clock import SystemClock

    bot = await bot_factory(clock=SystemClock())  # type: ignore[arg-type]
    bot.worker.poll_interval = 30
    stop = asyncio.Event()
    task = asyncio.create_task(bot.worker.run_forever(stop))
    await asyncio.sleep(0.1)
    await bot.command(bot.people.alice, "declare sev2 Latency")
    for _ in range(100):
        if bot.ws.channel_by_name("inc-1-latency") and _cards(bot, bot.ws.channel_by_name("inc-1-latency").id):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert bot.ws.channel_by_name("inc-1-latency") is not None



async def test_a_commit_in_another_process_wakes_a_sleeping_worker(bot: Bot, db_url: str) -> None:
    """PostgreSQL wakes the worker by NOTIFY; SQLite has no such thing and relies on a short poll."""
    from bot.core.clock import SystemClock

    ran = asyncio.Event()

    async def probe(ctx: JobContext) -> None:
        ran.set()

    postgres = db_url.startswith("postgresql")
    engines = [make_engine(db_url), make_engine(db_url)]  # the serving process's and the worker process's
    worker = Worker(sessionmaker=make_sessionmaker(engines[1]), clock=SystemClock(), client=bot.rt.client,
                    policy=bot.rt.settings.policy, effects={"probe": probe}, poll_interval=30 if postgres else 0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop))
    try:
        await asyncio.sleep(0.3)  # asleep, with nothing due
        async with make_sessionmaker(engines[0])() as s, s.begin():
            enqueue(s, kind="probe", now=SystemClock().now())
        await asyncio.wait_for(ran.wait(), timeout=2)
    finally:
        stop.set()
        await task
        for e in engines:
            await e.dispose()
