"""Assembling a running bot: engine, sessions, Web API client, Bolt app, worker, HTTP server."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app, make_client
from bot.config import ConfigError, Settings
from bot.core.clock import Clock, SystemClock
from bot.core.inflight import InFlight
from bot.deps import Deps
from bot.jobs.table import WAKE, Notifier
from bot.jobs.worker import Worker
from bot.ops.startup import Readiness
from bot.records.events import OUTBOX
from handlers.web import make_web_app
from models.db import Sessionmaker, make_engine, make_sessionmaker

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 10.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    worker_engine: AsyncEngine
    sessionmaker: Sessionmaker
    client: AsyncWebClient
    clock: Clock
    notifier: Notifier
    app: AsyncApp
    worker: Worker
    inflight: InFlight
    readiness: Readiness = field(default_factory=Readiness)  # what the start-up checks found, for /readyz

    @classmethod
    def create(cls, settings: Settings, *, clock: Clock | None = None, client: AsyncWebClient | None = None,
               engine: AsyncEngine | None = None) -> Runtime:
        """The worker gets a connection pool of its own, so a burst of jobs never queues in front of
        the transactions that acks wait for."""
        clock = clock or SystemClock()
        notifier = Notifier()
        engine = engine or make_engine(settings.database_url)
        worker_engine = make_engine(settings.database_url)
        # OUTBOX: the policy the records outbox (bot/records/events.py) follows the timeline with
        info = {WAKE: notifier.wake, OUTBOX: settings.policy}
        sessionmaker = make_sessionmaker(engine, info=info)
        worker_sessionmaker = make_sessionmaker(worker_engine, info=info)
        client = client or make_client(settings)
        inflight = InFlight()
        app = build_app(settings, client, sessionmaker, clock, notifier, inflight)
        worker = Worker(sessionmaker=worker_sessionmaker, clock=clock, client=client, policy=settings.policy,
                        notifier=notifier, inflight=inflight, settings=settings)
        return cls(settings, engine, worker_engine, sessionmaker, client, clock, notifier, app, worker, inflight)

    def web_app(self) -> web.Application:
        # Without a signing secret (Socket Mode) nothing could verify a request from Slack over HTTP.
        deps = Deps(settings=self.settings, policy=self.settings.policy, sessionmaker=self.sessionmaker,
                    clock=self.clock, notifier=self.notifier)
        return make_web_app(self.app, deps, slack_events=bool(self.settings.slack_signing_secret),
                            readiness=self.readiness)

    async def close(self) -> None:
        await self.worker_engine.dispose()
        await self.engine.dispose()


async def serve(rt: Runtime, *, host: str = "0.0.0.0", with_worker: bool = True,
                stop: asyncio.Event | None = None) -> None:
    """HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set; the worker runs alongside unless told not to."""
    stop = stop or asyncio.Event()
    tasks = []
    if with_worker:
        tasks.append(asyncio.create_task(rt.worker.run_forever(stop)))
    runner: web.AppRunner | None = None
    socket_handler = None
    try:
        if rt.settings.slack_app_token:
            socket_handler = await _connect_socket_mode(rt, stop)
            if socket_handler is None:
                return
        # The HTTP server also runs in Socket Mode, for /healthz and the routes later issues add.
        runner = web.AppRunner(rt.web_app())
        await runner.setup()
        await web.TCPSite(runner, host, rt.settings.port).start()
        routes = "POST /slack/events, GET /healthz" if rt.settings.slack_signing_secret else "GET /healthz"
        routes += ", GET /readyz"
        routes += ", GET /status (the public status page)"
        log.info("listening on http://%s:%s (%s)", host, rt.settings.port, routes)
        await stop.wait()
    finally:
        stop.set()
        if socket_handler is not None:
            await socket_handler.close_async()
        if runner is not None:
            await runner.cleanup()
        # Listeners that acked before the server closed still write their change.
        if not await rt.inflight.idle(SHUTDOWN_GRACE):
            log.warning("%s listeners were still running at shutdown", rt.inflight.count)
        for task in tasks:
            # A job cut off mid-call is not lost: its lease runs out and a worker runs it again.
            try:
                await asyncio.wait_for(task, timeout=SHUTDOWN_GRACE)
            except TimeoutError:
                log.warning("job worker did not finish within %ss; its claimed jobs will be retried", SHUTDOWN_GRACE)


async def _connect_socket_mode(rt: Runtime, stop: asyncio.Event) -> Any:
    """Connect, or fail fast: slack_sdk retries a refused app token forever, deaf to SIGTERM, so the
    first URL is asked for here and a refusal stops startup. None when told to stop meanwhile."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    token = rt.settings.slack_app_token
    try:
        opened = await rt.client.apps_connections_open(app_token=token)
    except SlackApiError as exc:
        error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else exc.response.status_code
        if error in ("invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked"):
            raise ConfigError(f"SLACK_APP_TOKEN was refused by Slack ({error}); it must be an app-level "
                              "token (xapp-…) with connections:write") from None
        raise
    handler = AsyncSocketModeHandler(rt.app, token, web_client=rt.client)
    handler.client.wss_uri = opened["url"]  # the SDK reuses this URL instead of asking again
    connecting = asyncio.create_task(handler.connect_async())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not connecting.done():
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        await handler.close_async()
        return None
    stopping.cancel()
    connecting.result()
    log.info("connected to Slack in Socket Mode")
    return handler


async def run_worker(rt: Runtime, stop: asyncio.Event) -> None:
    await rt.worker.run_forever(stop)
