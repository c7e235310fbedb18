"""Socket Mode: the emulator's side of it against slack_sdk's real client, then the real bot over it.

The emulator hands out WebSocket URLs from apps.connections.open and pushes envelopes; the
driver sends its usual payloads that way (SlackDriver.for_emulator(emu, socket=True)), so
Bolt's AsyncSocketModeHandler, not a stand-in, is what answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from bot.emulator.socket_mode import AckTimeout, NotConnected
from bot.runtime import Runtime, serve
from tests.serving import free_port, until
from tests.serving import serve as serve_bot


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[SlackEmulator]:
    emulator = SlackEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


# -- apps.connections.open ---------------------------------------------------------------
async def test_apps_connections_open_takes_the_app_level_token_only(emu: SlackEmulator) -> None:
    client = AsyncWebClient(base_url=emu.api_url)
    url = (await client.apps_connections_open(app_token=emu.app_token))["url"]
    assert url.startswith(emu.base_url.replace("http://", "ws://") + "/socket/")
    for token, error in [(emu.bot_token, "not_allowed_token_type"), ("xapp-wrong", "invalid_auth")]:
        with pytest.raises(SlackApiError) as exc:
            await client.apps_connections_open(app_token=token)
        assert exc.value.response["error"] == error
    with pytest.raises(SlackApiError) as exc:  # and the app-level token is no bot token
        await AsyncWebClient(token=emu.app_token, base_url=emu.api_url).auth_test()
    assert exc.value.response["error"] == "not_allowed_token_type"
    assert SlackEmulator(app_token="xapp-1-custom").app_token == "xapp-1-custom"


async def test_a_socket_url_is_good_for_one_connection(emu: SlackEmulator) -> None:
    url = (await AsyncWebClient(base_url=emu.api_url).apps_connections_open(app_token=emu.app_token))["url"]
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url) as ws:
            hello = await ws.receive_json(timeout=2)
            assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": emu.app_id}
            assert hello["num_connections"] == 1
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await http.ws_connect(url)
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(emu.base_url + "/socket/made-up")


async def test_envelopes_go_out_and_acks_come_back_over_a_raw_socket(emu: SlackEmulator) -> None:
    with pytest.raises(NotConnected):
        await emu.socket_send("events_api", {"type": "event_callback"})
    url = (await AsyncWebClient(base_url=emu.api_url).apps_connections_open(app_token=emu.app_token))["url"]
    async with aiohttp.ClientSession() as http, http.ws_connect(url, autoping=False) as ws:
        assert (await ws.receive_json(timeout=2))["type"] == "hello"
        await emu.socket.wait_connected()

        async def app(answer: dict[str, Any] | None) -> dict[str, Any]:
            msg = await ws.receive_json(timeout=2)
            ack: dict[str, Any] = {"envelope_id": msg["envelope_id"]}
            if answer is not None:
                ack["payload"] = answer
            await ws.send_json(ack)
            return msg

        got, ack = await asyncio.gather(app({"text": "hi"}), emu.socket_send("slash_commands", {"text": "x"}))
        assert ack == {"text": "hi"}
        assert (got["type"], got["payload"], got["accepts_response_payload"]) == ("slash_commands", {"text": "x"}, True)
        got, ack = await asyncio.gather(app(None), emu.socket_send("events_api", {"type": "event_callback"}))
        assert ack is None
        assert (got["accepts_response_payload"], got["retry_attempt"], got["retry_reason"]) == (False, 0, "")
        got, _ = await asyncio.gather(app(None), emu.socket_send("events_api", {}, retry_attempt=2,
                                                                   retry_reason="timeout"))
        assert (got["retry_attempt"], got["retry_reason"]) == (2, "timeout")

        with pytest.raises(AckTimeout) as exc:  # the app says nothing
            await emu.socket_send("interactive", {"type": "block_actions"}, timeout=0.1)
        late = exc.value.envelope
        await ws.send_json({"envelope_id": late.id})
        await ws.send_json({"envelope_id": "nobody"})
        ping = asyncio.ensure_future(emu.socket.ping())
        msg = await ws.receive(timeout=2)  # our pings are answered, and the app must answer ours
        while msg.type != aiohttp.WSMsgType.PING:
            msg = await ws.receive(timeout=2)
        await ws.pong(msg.data)
        assert len(await ping) == 1
        await ws.ping(b"client-ping")
        assert (await ws.receive(timeout=2)).type == aiohttp.WSMsgType.PONG
        assert late.acked and late.late
        assert emu.socket.strays == [{"envelope_id": "nobody"}]


# -- slack_sdk's client and Bolt --------------------------------------------------------------
async def test_a_bolt_app_answers_over_socket_mode_and_reconnects_when_told(emu: SlackEmulator) -> None:
    ws = emu.workspace
    alice = ws.add_user("alice")
    general = ws.add_channel("general", members=[alice], bot_member=True)
    app = AsyncApp(client=AsyncWebClient(token=emu.bot_token, base_url=emu.api_url))
    seen: list[str] = []

    @app.command("/incident")
    async def command(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"got {command['text']}")

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any]) -> None:
        seen.append(event["text"])

    @app.view("form")
    async def submitted(ack: Any) -> None:
        await ack(response_action="errors", errors={"what": "Say more"})

    handler = AsyncSocketModeHandler(app, emu.app_token, ping_interval=1)
    driver = SlackDriver.for_emulator(emu, socket=True, ack_timeout=1.0)
    await handler.connect_async()
    try:
        [conn] = await emu.socket.wait_connected()
        reply = await driver.command(alice, general, "declare sev1 x")
        assert reply.ok and reply.json == {"text": "got declare sev1 x"}
        assert [e.text for e in ws.ephemerals_for(alice)] == ["got declare sev1 x"]

        await emu.socket.disconnect("refresh_requested")  # the client opens a new connection, drops this one
        await emu.socket.wait_opened(2)
        deadline = time.monotonic() + 5
        while not conn.closed and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert conn.closed and len(emu.socket.open_connections()) == 1
        assert conn.pings >= 1  # slack_sdk pings right after connecting
        assert len(await emu.socket.ping()) == 1

        reply = await driver.event({"type": "app_mention", "user": alice, "channel": general,
                                    "text": f"<@{ws.bot_user_id}> hello", "ts": ws.new_ts()})
        assert reply.ok and reply.json is None
        assert seen[-1] == f"<@{ws.bot_user_id}> hello"

        trigger = emu.new_trigger_id(alice)
        await app.client.views_open(trigger_id=trigger, view={
            "type": "modal", "callback_id": "form", "title": {"type": "plain_text", "text": "Form"},
            "submit": {"type": "plain_text", "text": "Send"},
            "blocks": [{"type": "input", "block_id": "what", "label": {"type": "plain_text", "text": "What"},
                        "element": {"type": "plain_text_input", "action_id": "what"}}]})
        reply = await driver.submit(alice, {"what": "x"})
        assert reply.ok and reply.errors == {"what": "Say more"} and reply.view is not None

        card = await app.client.chat_postMessage(channel=general, text="card", blocks=[
            {"type": "actions", "elements": [{"type": "button", "action_id": "nobody_listens",
                                              "text": {"type": "plain_text", "text": "Press"}}]}])
        message = ws.message(general, card["ts"])
        assert message is not None
        driver.ack_timeout, driver.socket_grace = 0.3, 0.2
        reply = await driver.click(alice, message, "nobody_listens")  # Bolt acks nothing it has no listener for
        assert reply.status == 0 and reply.slack_error == "operation_timeout"
    finally:
        await handler.close_async()
    assert emu.socket.strays == []


# -- the real bot, as an operator runs it ------------------------------------------------------
async def test_serve_in_socket_mode_runs_the_bot_over_the_socket(tmp_path: Path, emu: SlackEmulator) -> None:
    ws = emu.workspace
    alice = ws.add_user("alice")
    general = ws.add_channel("general", members=[alice], bot_member=True)
    driver = SlackDriver.for_emulator(emu, socket=True)
    async with serve_bot(emu, tmp_path, SLACK_APP_TOKEN=emu.app_token, INCIDENT_ANNOUNCE_CHANNEL=general) as served:
        await emu.socket.wait_connected(timeout=10)
        reply = await driver.command(alice, general, "declare sev1 Gateway down")
        assert reply.status == 200 and reply.json is not None and "INC-1" in reply.json["text"], reply
        channel = await until(lambda: ws.channel_by_name("inc-1-gateway-down"), "the incident channel")
        card = await until(lambda: channel.pins and ws.message(channel.id, channel.pins[0]), "the pinned card")
        assert "SEV-1" in str(card.blocks)

        reply = await driver.select(alice, card, "incident_severity", "2")
        assert reply.ok, reply
        await until(lambda: "SEV-2" in str(ws.message(channel.id, card.ts).blocks), "the card at SEV-2")  # type: ignore[union-attr]
        assert emu.socket.strays == []
        assert await served.stop() == 0
    assert "Traceback" not in served.output, served.output
    assert "connected to Slack in Socket Mode" in served.output, served.output


# -- Socket Mode's failure modes -------------------------------------------------------------------
async def test_serve_stops_when_told_even_while_slack_refuses_the_app_token(tmp_path: Path,
                                                                            emu: SlackEmulator) -> None:
    settings = Settings(slack_bot_token=emu.bot_token, slack_app_token="xapp-revoked", slack_api_url=emu.api_url,
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db", port=free_port())
    rt = Runtime.create(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(rt, host="127.0.0.1", with_worker=False, stop=stop))
    try:
        await asyncio.sleep(0.3)
        stop.set()  # what SIGTERM does
        done, _ = await asyncio.wait({task}, timeout=2)
        assert task in done, "serve() ignored stop while Socket Mode kept failing to connect"
        task.exception()  # a clean stop, or a ConfigError naming SLACK_APP_TOKEN: either is fine
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await rt.close()


async def test_in_socket_mode_without_a_signing_secret_http_slack_requests_are_refused(
        bot_factory: Any, caplog: pytest.LogCaptureFixture) -> None:
    bot = await bot_factory(slack_signing_secret=None, slack_app_token="xapp-emulator")
    reply = await bot.command(bot.people.alice, "declare sev1 Sent over HTTP")
    assert reply.status != 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
