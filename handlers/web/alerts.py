"""Alert webhooks: POST /alerts/alertmanager, /alerts/datadog, /alerts/grafana, /alerts/generic.

Each source is authenticated with its own credential from the environment: a bearer token
(`Authorization: Bearer …`, ALERTS_<SOURCE>_TOKEN) or an HMAC-SHA256 signature of the raw body
(ALERTS_<SOURCE>_HMAC_SECRET) in `X-Signature-256` / `X-Hub-Signature-256` /
`X-Grafana-Alerting-Signature` as hex or `sha256=<hex>`; when a timestamp header comes with it
(`X-Signature-Timestamp`, `X-Grafana-Alerting-Signature-Timestamp`) the signed text is
`<timestamp>:<body>` and it must be within five minutes. Answers, always JSON:

    200 stored (every alert as received), with the groups it went to
    400 the body cannot be used: the message names the field; nothing stored
    401 no or wrong credential, or the source is not enabled; nothing stored
    503 the database is unreachable; nothing stored, the sender should retry

Only the store happens here; Slack hears about it through jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from typing import Any

from aiohttp import web

from bot.alerts import service as alerts
from bot.alerts import sources as alerting
from bot.core.errors import IncidentBotError
from bot.deps import Deps

log = logging.getLogger(__name__)

SIGNATURE_HEADERS = ("X-Signature-256", "X-Hub-Signature-256", "X-Grafana-Alerting-Signature", "X-Signature")
TIMESTAMP_HEADERS = ("X-Signature-Timestamp", "X-Grafana-Alerting-Signature-Timestamp")
MAX_SKEW = 300  # seconds, as Slack's own signatures


def _answer(status: int, **body: Any) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="incident-bot alerts"'} if status == 401 else None
    return web.json_response({"ok": 200 <= status < 300, **body}, status=status, headers=headers)


def _first(request: web.Request, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = request.headers.get(name)
        if value:
            return value.strip()
    return None


def authenticate(request: web.Request, body: bytes, source: str, deps: Deps) -> str | None:
    """None when the request carries this source's credential, else why not."""
    env = f"ALERTS_{source.upper()}"
    token = deps.settings.alert_tokens.get(source)
    secret = deps.settings.alert_secrets.get(source)
    if not token and not secret:
        return f"alerts from {source} are not enabled: set {env}_TOKEN or {env}_HMAC_SECRET"
    given = request.headers.get("Authorization", "")
    if token and given:
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode()):
            return None
    signature = _first(request, SIGNATURE_HEADERS)
    if secret and signature:
        signed = body
        stamp = _first(request, TIMESTAMP_HEADERS)
        if stamp is not None:
            try:
                skew = abs(deps.clock.now().timestamp() - float(stamp))
            except ValueError:
                return "the signature timestamp is not a number"
            if not math.isfinite(skew) or skew > MAX_SKEW:
                return "the signature timestamp is more than five minutes off"
            signed = stamp.encode() + b":" + body
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if hmac.compare_digest(signature.removeprefix("sha256=").lower().encode(), expected.encode()):
            return None
        return "the signature does not match the body"
    if given or signature:
        return "wrong credential"
    wanted = " or ".join(w for w, on in (("an Authorization: Bearer token", token),
                                         ("an X-Signature-256 HMAC signature", secret)) if on)
    return f"missing credential: send {wanted}"


def add_routes(app: web.Application, deps: Deps) -> None:
    for source in alerting.PARSERS:
        app.router.add_post(f"/alerts/{source}", _receiver(source, deps))


def _receiver(source: str, deps: Deps) -> Any:
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        problem = authenticate(request, body, source, deps)
        if problem:
            log.info("refused alert webhook %s: %s", source, problem)
            return _answer(401, error=problem)
        try:
            parsed = alerting.parse(source, body)
        except alerting.MalformedPayload as exc:
            return _answer(400, error=f"malformed {source} payload: {exc}")
        except Exception:  # a parser's blind spot: still the body's fault, and never a 500
            log.exception("could not parse a %s payload", source)
            return _answer(400, error=f"malformed {source} payload: it could not be read")
        channel = deps.policy.alerts.channel or deps.settings.announce_channel
        try:
            done = await deps.run(alerts.ingest, alerts=parsed, channel=channel,
                                  announce_channel=deps.settings.announce_channel)
        except IncidentBotError as exc:  # e.g. an auto-declare rule whose title the declare refuses
            return _answer(400, error=exc.message)
        except Exception:
            log.exception("could not store %s alerts", source)
            return _answer(503, error="the alerts could not be stored right now; nothing was kept, retry later")
        return _answer(200, stored=done.stored, groups=done.groups, new_groups=done.new_groups,
                       declared=done.declared)

    receive.__name__ = f"receive_{source}"
    return receive
