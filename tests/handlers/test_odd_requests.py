"""Odd requests get a clear status and one log line, never a 200 with a traceback: a huge unsigned body
is a 413, a body that is not UTF-8 a 400, and /healthz says the database is unavailable without
repeating the driver's words (which can name hosts and users)."""

from __future__ import annotations

import io
import logging
from typing import Any

import aiohttp
import pytest

from tests.conftest import Bot

FORM = "application/x-www-form-urlencoded"


async def _post(bot: Bot, body: bytes, content_type: str = FORM) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http:
        async with http.post(bot.url, data=io.BytesIO(body), headers={"Content-Type": content_type}) as resp:
            await resp.read()
            return resp


async def test_a_two_mib_unsigned_body_is_a_413_and_one_line(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        resp = await _post(bot, b"payload=" + b"x" * (2 * 1024 * 1024))
    assert resp.status == 413
    lines = [r for r in caplog.records if r.name.startswith(("handlers", "bot", "slack_bolt"))]
    assert len(lines) == 1 and lines[0].exc_info is None


async def test_a_body_that_is_not_utf8_is_a_400_and_one_line(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        resp = await _post(bot, b"payload=\xff\xfe\xfa")
    assert resp.status == 400
    assert not [r for r in caplog.records if r.exc_info is not None]


async def test_healthz_says_database_unavailable_and_logs_the_detail(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    original = bot.rt.sessionmaker.kw["bind"]

    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise ConnectionRefusedError("could not connect to db.internal:5432 as incident_bot")

    bot.rt.sessionmaker.configure(bind=Broken())
    try:
        with caplog.at_level(logging.WARNING):
            async with aiohttp.ClientSession() as http, http.get(bot.url.replace("/slack/events", "/healthz")) as r:
                status, body = r.status, await r.json()
    finally:
        bot.rt.sessionmaker.configure(bind=original)
    assert status == 503 and body == {"ok": False, "database": "database unavailable"}
    assert any("db.internal" in r.getMessage() for r in caplog.records)
