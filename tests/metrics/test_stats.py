"""`/incident stats [30d|90d]` through signed HTTP: the panel as a channel message, the chart uploaded
after it, bad arguments refused; and the chart route the App Home's image block points at."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlmodel import select

from models import Job
from tests.conftest import Bot
from tests.metrics.conftest import read_png
from tests.metrics.test_metrics import FIXTURE, insert

RED = bytes((220, 38, 38))  # SEV-1's bars
PLOT_TOP = 84  # rows above it hold the title and the legend


def _has_bar(raw: bytes, width: int, color: bytes) -> bool:
    """Whether any pixel below the legend has `color` (each scanline starts with its filter byte)."""
    row = 1 + 3 * width
    lines = (raw[y * row + 1:(y + 1) * row] for y in range(PLOT_TOP, len(raw) // row))
    return any(line[x:x + 3] == color for line in lines for x in range(0, 3 * width, 3))


async def test_stats_posts_the_panel_and_then_the_chart_in_the_channel(bot: Bot) -> None:
    p = bot.people
    await insert(bot.rt.sessionmaker, FIXTURE)
    reply = await bot.command(p.carol, "stats 90d", p.general)
    assert reply.status == 200
    assert "Posting the metrics of the last 90 days here" in bot.ephemerals(p.carol)[-1]
    await bot.drain()

    message, upload = bot.messages(p.general)[-2:]
    assert message.text.startswith(":bar_chart: Incident metrics, last 90 days")
    body = str(message.blocks)
    # the figures of tests/metrics/test_metrics.py's 90-day case, in words
    assert "Incidents: *6* — SEV-1 1 · SEV-2 3 · SEV-3 1 · SEV-4 1" in body
    assert "Time to acknowledge: mean 11m 44s · p90 40m (5 incidents)" in body
    assert "Time to mitigate: mean 33m 20s · p90 1h (3 incidents)" in body
    assert "Time to resolve: mean 1h 40m · p90 3h 40m (5 incidents)" in body
    assert "SLA breaches: 2 acknowledgement · 4 missed update periods · 1 escalated" in body
    assert "Update punctuality: 67% (8 of 12 update periods" in body
    assert "drills never count" in body

    [file_id] = upload.files
    file = bot.ws.files[file_id]
    assert file.channels == [p.general] and file.filename == "incident-metrics-90d-2026-01-15.png"
    width, height, raw = read_png(file.content)
    assert (width, height) == (800, 400)
    assert _has_bar(raw, width, RED)  # the SEV-1 of two days ago


async def test_stats_defaults_to_30_days(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.alice, "stats", p.general)
    await bot.drain()
    message, upload = bot.messages(p.general)[-2:]
    assert "last 30 days" in message.text and "Incidents: *0*" in str(message.blocks)
    width, height, raw = read_png(bot.ws.files[upload.files[0]].content)
    assert not _has_bar(raw, width, RED)


async def test_a_bad_period_gets_the_usage_and_posts_nothing(bot: Bot) -> None:
    p = bot.people
    for text in ("stats 7d", "stats last-month", "stats 30d 90d"):
        reply = await bot.command(p.alice, text, p.general)
        assert reply.status == 200
        said = bot.ephemerals(p.alice)[-1]
        assert "Usage: `/incident stats [30d|90d]` (default 30d)" in said, said
    await bot.drain()
    assert bot.messages(p.general) == [] and bot.ws.files == {}
    async with bot.rt.sessionmaker() as s:
        assert (await s.execute(select(Job).where(Job.kind.in_(("post_stats", "stats_chart"))))).first() is None


async def test_stats_joins_a_public_channel_it_is_not_in(bot: Bot) -> None:
    p = bot.people
    lounge = bot.ws.add_channel("payments-lounge", members=[p.alice, p.bob])
    await bot.command(p.bob, "stats 30d", lounge)
    await bot.drain()
    assert bot.ws.bot_user_id in bot.ws.channels[lounge].members
    message, upload = bot.messages(lounge)[-2:]
    assert "Incident metrics, last 30 days" in message.text and upload.files


async def test_stats_in_a_private_channel_without_the_bot_tells_the_user(bot: Bot) -> None:
    p = bot.people
    secret = bot.ws.add_channel("leadership", is_private=True, members=[p.alice])
    await bot.command(p.alice, "stats", secret)
    await bot.drain()
    assert bot.messages(secret) == [] and bot.ws.files == {}
    assert "I can't post in this channel" in bot.ephemerals(p.alice)[-1]


def _base(bot: Bot) -> str:
    return bot.url.removesuffix("/slack/events")


async def test_the_chart_route_serves_the_png(bot: Bot) -> None:
    await insert(bot.rt.sessionmaker, FIXTURE)
    async with aiohttp.ClientSession() as http:
        for period in ("30d", "90d"):
            async with http.get(f"{_base(bot)}/charts/metrics-{period}.png?v=anything") as resp:
                assert resp.status == 200 and resp.content_type == "image/png"
                assert "max-age" in resp.headers["Cache-Control"]
                width, _, raw = read_png(await resp.read())
                assert width == 800 and _has_bar(raw, width, RED)
        for path in ("/charts/metrics-7d.png", "/charts/other.png", "/charts/metrics-30d.gif"):
            async with http.get(_base(bot) + path) as resp:
                assert resp.status == 404, path


async def test_stats_and_the_chart_route_work_without_any_incident(bot_factory: Any) -> None:
    bot: Bot = await bot_factory(public_url="https://incident-bot.example.com")
    async with aiohttp.ClientSession() as http, http.get(f"{_base(bot)}/charts/metrics-90d.png") as resp:
        assert resp.status == 200
        width, height, _ = read_png(await resp.read())
    assert (width, height) == (800, 400)


async def test_stats_in_the_bots_direct_messages(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.dave, "stats 90d", p.dave)  # typed in the bot's DM with dave
    await bot.drain()
    message, upload = bot.messages(p.dave)[-2:]
    assert "Incident metrics, last 90 days" in message.text and upload.files
