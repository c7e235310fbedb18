"""The pagers' webhooks: POST /webhooks/pagerduty (webhooks v3, X-PagerDuty-Signature with
PAGERDUTY_WEBHOOK_SECRET) and POST /webhooks/opsgenie (outgoing webhook, OPSGENIE_WEBHOOK_TOKEN sent as
`X-Opsgenie-Token`, `Authorization: Bearer …` or `?token=`). Answers, always JSON:

    200 taken: applied, ignored (nothing to change), duplicate (a redelivery), unknown (not an incident
        the bot paged: logged, and answered 2xx so the pager does not retry it forever)
    400 the body cannot be read; 401 no or wrong signature/token, or the pager is not set up
    413 too long; 503 the database is unreachable (the pager retries later)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.core.errors import IncidentBotError
from bot.deps import Deps
from bot.paging import inbound
from bot.paging import service as paging
from handlers.web.limits import read_within

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # a webhook event is a few KiB


def _answer(status: int, **body: Any) -> web.Response:
    return web.json_response({"ok": 200 <= status < 300, **body}, status=status)


def _pagerduty_auth(request: web.Request, body: bytes, deps: Deps) -> str | None:
    secret = deps.settings.pagerduty_webhook_secret
    if not secret:
        return "PagerDuty webhooks are not enabled: set PAGERDUTY_WEBHOOK_SECRET to the subscription's secret"
    if not inbound.pagerduty_signed(secret, body, request.headers.get("X-PagerDuty-Signature")):
        return "the X-PagerDuty-Signature does not match the body"
    return None


def _opsgenie_auth(request: web.Request, body: bytes, deps: Deps) -> str | None:
    token = deps.settings.opsgenie_webhook_token
    if not token:
        return "Opsgenie webhooks are not enabled: set OPSGENIE_WEBHOOK_TOKEN"
    bearer = request.headers.get("Authorization", "")
    given = [request.headers.get("X-Opsgenie-Token"), request.query.get("token"),
             bearer[7:] if bearer.lower().startswith("bearer ") else None]
    if not any(inbound.token_matches(token, g) for g in given):
        return "missing or wrong token (X-Opsgenie-Token, Authorization: Bearer, or ?token=)"
    return None


def _receiver(pager: str, auth: Callable[[web.Request, bytes, Deps], str | None],
              parse: Callable[[bytes], inbound.PagerSignal], deps: Deps) -> Any:
    async def receive(request: web.Request) -> web.Response:
        body = await read_within(request, MAX_BODY)
        if body is None:
            return _answer(413, error="the body is over 1 MiB")
        problem = auth(request, body, deps)
        if problem:
            log.info("refused a %s webhook: %s", pager, problem)
            return _answer(401, error=problem)
        try:
            signal = parse(body)
        except inbound.BadPayload as exc:
            return _answer(400, error=f"malformed {pager} webhook: {exc}")
        try:
            outcome = await deps.run(paging.receive, signal=signal)
        except IncidentBotError as exc:  # e.g. the incident is closed: nothing the pager can change
            log.info("%s webhook %s changes nothing: %s", pager, signal.event_id, exc.message)
            return _answer(200, outcome="ignored")
        except Exception:
            log.exception("could not take a %s webhook event %s", pager, signal.event_id)
            return _answer(503, error="the event could not be taken right now; retry later")
        if outcome == "unknown":
            log.info("%s webhook %s (%s) is about no incident the bot paged (key %s); ignored", pager,
                     signal.event_id, signal.kind, signal.key)
        return _answer(200, outcome=outcome)

    receive.__name__ = f"receive_{pager}"
    return receive


def add_routes(app: web.Application, deps: Deps) -> None:
    app.router.add_post("/webhooks/pagerduty", _receiver("pagerduty", _pagerduty_auth, inbound.parse_pagerduty, deps))
    app.router.add_post("/webhooks/opsgenie", _receiver("opsgenie", _opsgenie_auth, inbound.parse_opsgenie, deps))
