"""The HTTP server's routes: Slack's requests, liveness (/healthz) and readiness (/readyz) for load balancers
and orchestrators, the public status page."""

from __future__ import annotations

import json
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.core.health import database_reachable, schema_problem
from bot.deps import Deps
from bot.ops import logs, telemetry
from bot.ops.startup import Readiness
from handlers.web import alerts, api, charts, paging, status
from handlers.web.limits import SERVER_MAX_BODY, read_within

log = logging.getLogger(__name__)
SLACK_MAX_BODY = 1024 * 1024  # Slack's requests are a few KiB; a view submission stays far below this


def make_web_app(bolt_app: AsyncApp, deps: Deps, *, slack_events: bool = True,
                 readiness: Readiness | None = None) -> web.Application:
    async def handle_slack(request: web.Request) -> web.Response:
        started = time.monotonic()
        logs.new_request_id(request.headers.get("X-Request-Id"))
        raw = await read_within(request, SLACK_MAX_BODY)
        if raw is None:
            log.warning("refused a request to /slack/events: its body is over %s bytes", SLACK_MAX_BODY)
            return web.json_response({"ok": False, "error": "request body too large"}, status=413)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a request to /slack/events: its body is not UTF-8")
            return web.json_response({"ok": False, "error": "the body is not UTF-8"}, status=400)
        try:
            request_ = AsyncBoltRequest(body=body, query=request.query_string, headers=request.headers)
            answer = await to_aiohttp_response(await bolt_app.async_dispatch(request_))
            telemetry.acked(telemetry.listener_of(request_.body), time.monotonic() - started)
            return answer
        except Exception:  # Bolt maps listener errors itself; this is the last line before a 500
            log.exception("unhandled error dispatching a Slack request")
            return web.Response(status=200, text="")

    async def healthz(_: web.Request) -> web.Response:
        try:
            await deps.read(database_reachable)
        except Exception as exc:  # the driver's words can carry hosts and users: they go to the log only
            log.warning("health check: the database is unavailable: %s", exc)
            return web.json_response({"ok": False, "database": "database unavailable"}, status=503)
        return web.json_response({"ok": True, "database": "ok"}, dumps=json.dumps)

    async def readyz(_: web.Request) -> web.Response:
        """Ready to take traffic: the database answers, its schema is current, the token passed auth.test."""
        found = {"database": "ok", "schema": "ok", "slack": readiness.slack if readiness else "not checked"}
        try:
            await deps.read(database_reachable)  # first, so an unreachable database is not read as no schema
            found["schema"] = await deps.read(schema_problem) or "ok"
        except Exception as exc:
            log.warning("readiness check: the database is unavailable: %s", exc)
            found["database"] = found["schema"] = "database unavailable"
        ok = all(v == "ok" for v in found.values())
        return web.json_response({"ok": ok, **found}, status=200 if ok else 503)

    app = web.Application(client_max_size=SERVER_MAX_BODY)
    if slack_events:
        app.router.add_post("/slack/events", handle_slack)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    alerts.add_routes(app, deps)
    status.add_routes(app, deps)
    charts.add_routes(app, deps)
    paging.add_routes(app, deps)
    api.add_routes(app, deps)  # the read API and Jira's webhook
    return app
