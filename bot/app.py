"""build_app: the Bolt AsyncApp with every listener registered. Tests build the real app with fakes
(an emulator's URL, a test database, a FakeClock)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.config import Settings
from bot.core.clock import Clock
from bot.core.inflight import InFlight
from bot.deps import Deps
from bot.jobs.table import Notifier
from bot.ops.telemetry import InstrumentedWebClient
from models.db import Sessionmaker


class _TokenNoticeFilter(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and, given our client too, warns at every start that the
    token will be unused; the client carries that same token, so the warning only misleads."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_log = logging.getLogger("bot.app")
if not any(isinstance(f, _TokenNoticeFilter) for f in _log.filters):
    _log.addFilter(_TokenNoticeFilter())


def make_client(settings: Settings) -> AsyncWebClient:
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url
    return InstrumentedWebClient(**kwargs)


def build_app(settings: Settings, client: AsyncWebClient, sessionmaker: Sessionmaker, clock: Clock,
              notifier: Notifier | None = None, inflight: InFlight | None = None) -> AsyncApp:
    """The sessionmaker should carry the notifier's wake callback (bot.jobs.WAKE) in its info so
    that commits wake this process's worker at once."""
    deps = Deps(settings=settings, policy=settings.policy, sessionmaker=sessionmaker, clock=clock,
                notifier=notifier or Notifier())
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        logger=_log,
        # Without a token at start (tests may build the app before the emulator answers),
        # Bolt would call auth.test on first use; the client already carries the token.
        request_verification_enabled=True,
    )

    async def inject_deps(context: dict[str, Any], next: Any) -> None:
        context["deps"] = deps
        await next()

    app.middleware(inject_deps)
    handlers.register(app, inflight or InFlight())
    return app
