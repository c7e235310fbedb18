"""The HTTP server's routes: Slack's requests, a health check for load balancers, the public status page."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.core.health import database_reachable
from bot.deps import Deps
from handlers.web import alerts, charts, status

log = logging.getLogger(__name__)


def make_web_app(bolt_app: AsyncApp, deps: Deps, *, slack_events: bool = True) -> web.Application:
    async def handle_slack(request: web.Request) -> web.Response:
        try:
            bolt_resp = await bolt_app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_resp)
        except Exception:  # Bolt maps listener errors itself; this is the last line before a 500
            log.exception("unhandled error dispatching a Slack request")
            return web.Response(status=200, text="")

    async def healthz(_: web.Request) -> web.Response:
        try:
            await deps.read(database_reachable)
        except Exception as exc:
            return web.json_response({"ok": False, "database": str(exc)[:200]}, status=503)
        return web.json_response({"ok": True, "database": "ok"}, dumps=json.dumps)

    app = web.Application()
    if slack_events:
        app.router.add_post("/slack/events", handle_slack)
    app.router.add_get("/healthz", healthz)
    alerts.add_routes(app, deps)
    status.add_routes(app, deps)
    charts.add_routes(app, deps)
    return app
