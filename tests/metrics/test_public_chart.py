"""The chart route is unauthenticated, so it counts only what the public may know of: a private incident
never shows in it, and a burst of fetches draws it once."""

from __future__ import annotations

import aiohttp
import pytest

from handlers.web import charts
from tests.conftest import Bot
from tests.metrics.conftest import Spec, insert, read_png
from tests.metrics.test_stats import RED, _base, _has_bar


async def _fetch(bot: Bot) -> bytes:
    async with aiohttp.ClientSession() as http, http.get(f"{_base(bot)}/charts/metrics-30d.png") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        return await resp.read()


def _red(png: bytes) -> bool:
    width, _, raw = read_png(png)
    return _has_bar(raw, width, RED)


async def test_a_private_incident_never_shows_in_the_public_chart(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CACHE_SECONDS", 0.0)
    await insert(bot.rt.sessionmaker, [Spec(1, 1, days_ago=2, private=True, title="Acquirer fraud probe")])
    assert not _red(await _fetch(bot))  # the private SEV-1 is left out
    await insert(bot.rt.sessionmaker, [Spec(2, 1, days_ago=3)])
    assert _red(await _fetch(bot))  # a public one is drawn


async def test_the_chart_is_drawn_once_per_period_while_it_is_fresh(bot: Bot) -> None:
    first = await _fetch(bot)
    await insert(bot.rt.sessionmaker, [Spec(1, 1, days_ago=2)])
    assert await _fetch(bot) == first  # still the cached drawing
    assert not _red(first)
