"""The baseline for bench/ack_latency.py: a bare Bolt AsyncApp that only acknowledges the same
requests, served by aiohttp the same way the bot is."""

from __future__ import annotations

import re
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def main() -> None:
    port, secret, api_url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = AsyncApp(signing_secret=secret, client=AsyncWebClient(token="xoxb-emulator", base_url=api_url))

    async def just_ack(ack: Any) -> None:
        await ack()

    app.command("/incident")(just_ack)
    app.action(re.compile(".*"))(just_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    web.run_app(web_app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
