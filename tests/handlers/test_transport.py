"""What every request from Slack gets: signature checks, and never a 500."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.intake.writer import Intake
from tests.conftest import Bot


def _form(bot: Bot) -> bytes:
    return urlencode({"command": "/incident", "text": "help", "user_id": bot.people.alice,
                      "channel_id": bot.people.general, "team_id": bot.ws.team_id,
                      "response_url": "http://127.0.0.1:1/x", "trigger_id": "t"}).encode()


async def test_a_bad_signature_gets_401(bot: Bot) -> None:
    reply = await bot.driver.raw(_form(bot), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert reply.status == 401


async def test_a_stale_timestamp_gets_401(bot: Bot) -> None:
    reply = await bot.driver.raw(_form(bot), "application/x-www-form-urlencoded", timestamp=int(time.time()) - 301)
    assert reply.status == 401


async def test_a_correctly_signed_request_passes(bot: Bot) -> None:
    reply = await bot.driver.raw(_form(bot), "application/x-www-form-urlencoded")
    assert reply.status == 200 and "/incident declare" in reply.json["text"]


async def test_an_unexpected_error_is_shown_with_an_id_not_a_500(bot: Bot, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(Intake, "_write", broken)  # the commit on the ack path fails
    reply = await bot.command(bot.people.alice, "declare sev1 Gateway down")
    assert reply.status == 200
    text = reply.json["text"]
    assert "Something went wrong" in text and "error id `" in text
    error_id = text.split("error id `")[1].split("`")[0]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_garbage_payloads_never_get_a_500(bot: Bot) -> None:
    for body, kind in [(b"payload=not-json", "application/x-www-form-urlencoded"),
                       (b"{", "application/json"),
                       (urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode(),
                        "application/x-www-form-urlencoded")]:
        reply = await bot.driver.raw(body, kind)
        assert reply.status < 500, (body, reply.status)


async def test_healthz(bot: Bot) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as s, s.get(bot.url.replace("/slack/events", "/healthz")) as r:
        assert r.status == 200 and (await r.json()) == {"ok": True, "database": "ok"}
