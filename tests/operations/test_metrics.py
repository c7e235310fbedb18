"""Prometheus metrics, scraped over HTTP and parsed with prometheus_client's own exposition parser."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest_asyncio
from aiohttp import web
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.jobs import table as jobs
from bot.ops import telemetry
from tests.alerts.conftest import generic
from tests.conftest import Bot

Scrape = Callable[[], Awaitable[dict[tuple[str, tuple[tuple[str, str], ...]], float]]]


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest_asyncio.fixture
async def scrape(bot: Bot) -> AsyncIterator[Scrape]:
    runner = web.AppRunner(telemetry.metrics_app(bot.rt.sessionmaker, bot.clock))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def get() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=")
            return parse(await r.text())

    yield get
    await runner.cleanup()


def value(m: dict, name: str, **labels: str) -> float:
    return m.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_the_queue_the_jobs_and_the_calls_are_measured(bot: Bot, scrape: Scrape) -> None:
    before = await scrape()
    await bot.declare("sev1 Card payments failing in EU")
    after = await scrape()
    assert value(after, "incident_bot_open_incidents", severity="SEV-1") == 1
    for kind in ("create_channel", "post_card", "announce"):
        assert value(after, "incident_bot_job_attempts_total", kind=kind) - \
            value(before, "incident_bot_job_attempts_total", kind=kind) == 1, kind
    posted = value(after, "incident_bot_vendor_calls_total", vendor="slack", method="chat.postMessage", result="ok")
    assert posted - value(before, "incident_bot_vendor_calls_total", vendor="slack", method="chat.postMessage",
                          result="ok") >= 2
    acks = value(after, "incident_bot_ack_latency_seconds_count", listener="command:/incident")
    assert acks - value(before, "incident_bot_ack_latency_seconds_count", listener="command:/incident") == 1
    assert value(after, "incident_bot_oldest_due_job_age_seconds") == 0

    # nobody acknowledges; the worker is away for 7 minutes: the reminder is due, then overdue
    bot.clock.advance(timedelta(minutes=7))
    stuck = await scrape()
    assert value(stuck, "incident_bot_jobs_due", kind="ack_reminder") == 1
    assert value(stuck, "incident_bot_jobs_overdue", kind="ack_reminder") == 1
    assert value(stuck, "incident_bot_oldest_due_job_age_seconds") >= 120

    # Slack rate-limits the reminder once: a 429, counted as such, and a wait rather than an attempt
    bot.emu.fail("chat.postMessage", "ratelimited", retry_after=1)
    await bot.drain()
    bot.clock.advance(timedelta(seconds=2))
    await bot.drain()
    late = await scrape()
    assert value(late, "incident_bot_vendor_calls_total", vendor="slack", method="chat.postMessage",
                 result="ratelimited") - value(stuck, "incident_bot_vendor_calls_total", vendor="slack",
                                               method="chat.postMessage", result="ratelimited") == 1
    # the reminder's message (a clock_message job) waited; the timer itself ran 2 minutes late
    assert value(late, "incident_bot_job_rate_limited_total", kind="clock_message") - \
        value(stuck, "incident_bot_job_rate_limited_total", kind="clock_message") == 1
    assert value(late, "incident_bot_reminder_lateness_seconds_count", kind="ack_reminder") - \
        value(stuck, "incident_bot_reminder_lateness_seconds_count", kind="ack_reminder") == 1
    for le, more in (("60.0", 0), ("120.0", 1)):
        assert value(late, "incident_bot_reminder_lateness_seconds_bucket", kind="ack_reminder", le=le) - \
            value(stuck, "incident_bot_reminder_lateness_seconds_bucket", kind="ack_reminder", le=le) == more
    assert value(late, "incident_bot_jobs_due", kind="ack_reminder") == 0


async def test_retries_and_final_failures_by_kind(bot: Bot, scrape: Scrape) -> None:
    await bot.declare()
    before = await scrape()
    async with bot.rt.sessionmaker() as session, session.begin():
        jobs.enqueue(session, kind="retired_kind", incident_id=None, now=bot.clock.now())
    bot.emu.fail("chat.postMessage", "http_500")
    await bot.command(bot.people.alice, "declare sev2 Refunds delayed")
    await bot.drain()
    after = await scrape()
    assert value(after, "incident_bot_job_failures_total", kind="retired_kind") - \
        value(before, "incident_bot_job_failures_total", kind="retired_kind") == 1
    assert value(after, "incident_bot_vendor_calls_total", vendor="slack", method="chat.postMessage",
                 result="500") - value(before, "incident_bot_vendor_calls_total", vendor="slack",
                                       method="chat.postMessage", result="500") == 1
    retried = sum(value(after, "incident_bot_job_retries_total", kind=k) -
                  value(before, "incident_bot_job_retries_total", kind=k) for k in ("post_card", "announce"))
    assert retried == 1
    assert value(after, "incident_bot_open_incidents", severity="SEV-2") == 1


async def test_alert_webhooks_by_source_and_result(bot_factory: Callable[..., Awaitable[Bot]]) -> None:
    bot = await bot_factory(alert_tokens={"generic": "gen-token"})
    base = bot.url.removesuffix("/slack/events")

    async def send(token: str, body: str) -> int:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession() as http, http.post(f"{base}/alerts/generic", data=body,
                                                              headers=headers) as r:
            return r.status

    def count(result: str) -> float:
        return telemetry.WEBHOOKS.labels("generic", result)._value.get()  # the registry's own number

    before = {r: count(r) for r in ("accepted", "refused", "rejected")}
    assert await send("gen-token", json.dumps(generic())) == 200
    assert await send("wrong", json.dumps(generic())) == 401
    assert await send("gen-token", "{not json") == 400
    runner = web.AppRunner(telemetry.metrics_app(bot.rt.sessionmaker, bot.clock))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as r:
        scraped = parse(await r.text())
    await runner.cleanup()
    for result in ("accepted", "refused", "rejected"):
        assert value(scraped, "incident_bot_webhook_requests_total", source="generic", result=result) \
            - before[result] == 1, result


def test_every_metric_the_docs_name_is_exposed() -> None:
    exposed = {family.name for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())}
    for name in telemetry.NAMES:
        assert name.removesuffix("_total") in exposed, name
