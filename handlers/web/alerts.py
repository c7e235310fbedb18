"""Alert webhooks: POST /alerts/alertmanager, /alerts/datadog, /alerts/grafana, /alerts/newrelic, /alerts/splunk,
/alerts/generic.

Each source is authenticated with its own credential from the environment: a bearer token
(`Authorization: Bearer …`, ALERTS_<SOURCE>_TOKEN) or an HMAC-SHA256 signature of the raw body
(ALERTS_<SOURCE>_HMAC_SECRET) in `X-Signature-256` / `X-Hub-Signature-256` /
`X-Grafana-Alerting-Signature` as hex or `sha256=<hex>`; when a timestamp header comes with it
(`X-Signature-Timestamp`, `X-Grafana-Alerting-Signature-Timestamp`) the signed text is
`<timestamp>:<body>`, it must be within five minutes, and the same signature is refused a second time
(a replay). ALERTS_<SOURCE>_REQUIRE_TIMESTAMP (or ALERTS_REQUIRE_TIMESTAMP for every source) refuses
signatures without a timestamp. Splunk's webhook alert action cannot send headers: its token may come
in the URL instead (`/alerts/splunk?token=…`). Answers, always JSON:

    200 stored (every alert as received), with the groups it went to
    400 the body cannot be used: the message names the field; nothing stored
    401 no or wrong credential, a replayed signature, or the source is not enabled; nothing stored
    413 the body is longer than MAX_BODY (whole notifications of big outages fit well within it)
    415 a Content-Type other than JSON
    503 the database is unreachable; nothing stored, the sender should retry

Only the store happens here; Slack hears about it through jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.alerts import service as alerts
from bot.alerts import sources as alerting
from bot.core.errors import IncidentBotError
from bot.deps import Deps
from bot.ops import telemetry
from handlers.web.limits import json_content_type, read_within

log = logging.getLogger(__name__)

SIGNATURE_HEADERS = ("X-Signature-256", "X-Hub-Signature-256", "X-Grafana-Alerting-Signature", "X-Signature")
TIMESTAMP_HEADERS = ("X-Signature-Timestamp", "X-Grafana-Alerting-Signature-Timestamp")
MAX_SKEW = 300  # seconds, as Slack's own signatures
QUERY_TOKEN_SOURCES = frozenset({"splunk"})  # senders that cannot set an Authorization header
MAX_BODY = 32 * 1024 * 1024  # an Alertmanager notification of thousands of alerts is a few MiB


def _answer(status: int, **body: Any) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="incident-bot alerts"'} if status == 401 else None
    return web.json_response({"ok": 200 <= status < 300, **body}, status=status, headers=headers)


def _first(request: web.Request, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = request.headers.get(name)
        if value:
            return value.strip()
    return None


@dataclass(frozen=True)
class Verdict:
    problem: str | None  # None: the request carries this source's credential
    signature: str | None = None  # a timestamped signature that matched: refused when it comes again


def authenticate(request: web.Request, body: bytes, source: str, deps: Deps) -> Verdict:
    verdict = _check(request, body, source, deps)
    return verdict if isinstance(verdict, Verdict) else Verdict(verdict)


def _check(request: web.Request, body: bytes, source: str, deps: Deps) -> str | Verdict | None:
    env = f"ALERTS_{source.upper()}"
    token = deps.settings.alert_tokens.get(source)
    secret = deps.settings.alert_secrets.get(source)
    if not token and not secret:
        return f"alerts from {source} are not enabled: set {env}_TOKEN or {env}_HMAC_SECRET"
    given = request.headers.get("Authorization", "")
    if token and source in QUERY_TOKEN_SOURCES and request.query.get("token"):
        if hmac.compare_digest(request.query["token"].encode(), token.encode()):
            return None
        return "wrong credential"
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
        elif source in deps.settings.alert_require_timestamp:
            return (f"a signature without a timestamp is refused ({env}_REQUIRE_TIMESTAMP): send the time it was "
                    f"signed in {TIMESTAMP_HEADERS[0]} and sign <timestamp>:<body>")
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if hmac.compare_digest(signature.removeprefix("sha256=").lower().encode(), expected.encode()):
            return Verdict(None, expected if stamp is not None else None)
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
        if not json_content_type(request):
            return _answer(415, error=f"send JSON (Content-Type: application/json), not "
                                      f"{request.headers.get('Content-Type', '')[:80]}")
        body = await read_within(request, MAX_BODY)
        if body is None:
            return _answer(413, error=f"the body is over {MAX_BODY // (1024 * 1024)} MiB; split the notification")
        verdict = authenticate(request, body, source, deps)
        problem = verdict.problem
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
            done = await deps.run_grouped(alerts.ingest, alerts=parsed, channel=channel,
                                  announce_channel=deps.settings.announce_channel,
                                  signature=verdict.signature)
        except alerts.Replayed as exc:
            log.warning("refused alert webhook %s: %s", source, exc.message)
            return _answer(401, error=exc.message)
        except IncidentBotError as exc:  # e.g. an auto-declare rule whose title the declare refuses
            return _answer(400, error=exc.message)
        except Exception:
            log.exception("could not store %s alerts", source)
            return _answer(503, error="the alerts could not be stored right now; nothing was kept, retry later")
        return _answer(200, stored=done.stored, groups=done.groups, new_groups=done.new_groups,
                       declared=done.declared)

    async def counted(request: web.Request) -> web.Response:
        answer = await receive(request)
        telemetry.webhook(source, answer.status)
        return answer

    counted.__name__ = f"receive_{source}"
    return counted
