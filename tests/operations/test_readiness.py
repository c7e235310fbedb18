"""GET /readyz and the start-up checks: the token (auth.test), the schema, the configured channels."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ConfigError
from bot.core.clock import FakeClock
from bot.emulator import SlackEmulator
from bot.ops.startup import Readiness, check_slack, check_token
from bot.policy import default_policy
from bot.policy.escalation import Escalation
from bot.runtime import Runtime
from tests.conftest import settings_for
from tests.serving import free_port


@pytest_asyncio.fixture
async def served(migrated: AsyncEngine, emulator: SlackEmulator, db_url: str) -> AsyncIterator[tuple[Runtime, str]]:
    rt = Runtime.create(settings_for(emulator, db_url), clock=FakeClock(), engine=migrated)
    runner = web.AppRunner(rt.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield rt, f"http://127.0.0.1:{port}"
    await runner.cleanup()
    await rt.worker_engine.dispose()


async def _get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.json()


async def test_ready_once_the_token_passed_auth_test(served: tuple[Runtime, str], caplog: pytest.LogCaptureFixture,
                                                     emulator: SlackEmulator) -> None:
    rt, url = served
    status, body = await _get(f"{url}/readyz")
    assert status == 503 and body["slack"] == "not checked" and body["database"] == body["schema"] == "ok"
    with caplog.at_level(logging.INFO, logger="bot.ops.startup"):
        await check_slack(rt.client, rt.settings, rt.readiness)
    ws = emulator.workspace
    assert f"workspace {ws.team_name} ({ws.team_id})" in caplog.text and ws.bot_user_id in caplog.text
    assert await _get(f"{url}/readyz") == (200, {"ok": True, "database": "ok", "schema": "ok", "slack": "ok"})
    assert (await _get(f"{url}/healthz"))[0] == 200


async def test_not_ready_when_the_schema_is_behind(served: tuple[Runtime, str]) -> None:
    rt, url = served
    await check_slack(rt.client, rt.settings, rt.readiness)
    async with rt.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    status, body = await _get(f"{url}/readyz")
    assert status == 503
    assert body["schema"].startswith("schema at revision 0001, this version needs ")
    assert body["schema"].endswith("run `incident-bot db upgrade`") and body["slack"] == "ok"


async def test_an_invalid_token_stops_start_up_naming_it(served: tuple[Runtime, str], emulator: SlackEmulator) -> None:
    rt, url = served
    emulator.bot_token = "xoxb-another"  # the bot's token no longer matches: Slack answers invalid_auth
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"):
        await check_slack(rt.client, rt.settings, rt.readiness)
    status, body = await _get(f"{url}/readyz")
    assert status == 503 and body["slack"] == "SLACK_BOT_TOKEN refused (invalid_auth)"


async def test_start_up_joins_public_channels_and_names_the_ones_it_cannot(
        served: tuple[Runtime, str], emulator: SlackEmulator) -> None:
    rt, _ = served
    ws = emulator.workspace
    alice = ws.add_user("alice")
    leaders = ws.add_channel("leadership", members=[alice])  # public, the bot not in it
    operators = ws.add_channel("bot-ops", members=[alice], is_private=True)  # private, the bot not invited
    announce = ws.add_channel("incidents", members=[alice], bot_member=True)
    policy = default_policy().model_copy(update={"escalation": Escalation(channel=leaders)})
    settings = replace(rt.settings, policy=policy, announce_channel=announce)
    await check_slack(rt.client, settings, rt.readiness)
    assert ws.bot_user_id in ws.channels[leaders].members and rt.readiness.joined == [leaders]

    policy = policy.model_copy(update={"escalation": Escalation(channel=leaders, operators_channel=operators,
                                                                leadership_group="S0LEADS")})
    policy = policy.model_copy(update={"alerts": policy.alerts.model_copy(update={"channel": "C0GONE"})})
    settings = replace(rt.settings, policy=policy)
    with pytest.raises(ConfigError) as caught:
        await check_slack(rt.client, settings, rt.readiness)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"escalation.operators_channel: channel {operators} was not found: it does not exist, or it is private "
        "and the bot is not in it (invite it there: /invite @incident-bot)",
        "alerts.channel: channel C0GONE was not found: it does not exist, or it is private and the bot is not in "
        "it (invite it there: /invite @incident-bot)",
    ]
    assert ws.bot_user_id not in ws.channels[operators].members


async def test_slack_away_at_start_is_asked_again_then_named(served: tuple[Runtime, str],
                                                             emulator: SlackEmulator) -> None:
    rt, _ = served
    emulator.fail("auth.test", "http_500", times=2)
    await check_token(rt.client, rt.readiness, retry_delays=(0, 0))
    assert rt.readiness.slack == "ok"
    emulator.fail("auth.test", "http_500", times=3)
    with pytest.raises(ConfigError) as caught:
        await check_token(rt.client, rt.readiness, retry_delays=(0, 0))
    assert str(caught.value) == (f"SLACK_API_URL: Slack could not be reached at {emulator.api_url} (HTTP 500, 3 "
                                 "tries): is Slack up, and does this host reach it?")
    assert rt.readiness.slack == "Slack unreachable (HTTP 500)"
    nowhere = AsyncWebClient(token="xoxb-1", base_url=f"http://127.0.0.1:{free_port()}/api/")
    with pytest.raises(ConfigError, match=r"^SLACK_API_URL: Slack could not be reached at .* \(ClientConnectorError"):
        await check_token(nowhere, Readiness(), retry_delays=(0,))


async def test_not_ready_when_the_database_is_away(emulator: SlackEmulator, db_url: str) -> None:
    away = "sqlite+aiosqlite:////nonexistent/dir/x.db" if db_url.startswith("sqlite") \
        else db_url.rsplit("/", 1)[0] + "/no_such_database_16"
    rt = Runtime.create(settings_for(emulator, away), clock=FakeClock())
    await check_slack(rt.client, rt.settings, rt.readiness)
    runner = web.AppRunner(rt.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        status, body = await _get(f"http://127.0.0.1:{port}/readyz")
    finally:
        await runner.cleanup()
        await rt.close()
    assert status == 503 and body == {"ok": False, "database": "database unavailable",
                                      "schema": "database unavailable", "slack": "ok"}
