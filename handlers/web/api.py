"""The read API and Jira's webhook.

    GET  /api/v1/incidents                   ?status=&severity=&since=&limit=&cursor=
    GET  /api/v1/incidents/{key}             roles, impact, durations, review, action items
    GET  /api/v1/incidents/{key}/timeline    ?limit=&cursor=
    GET  /api/v1/openapi.json                the OpenAPI 3 description (no token needed)
    POST /webhooks/jira                      Jira's issue events, signed with JIRA_WEBHOOK_SECRET

The API takes `Authorization: Bearer <token>` with a token from API_TOKENS; a token without the private
grant sees no private incident. Every answer is JSON; bad input is a 400 naming the parameter, an unknown
(or hidden) incident a 404, the database away a 503.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.core.errors import IncidentBotError, InvalidInput, NotFound
from bot.deps import Deps
from bot.records import api, issues
from bot.records.openapi import spec
from handlers.web.limits import json_content_type, read_within

log = logging.getLogger(__name__)
JIRA_MAX_BODY = 2 * 1024 * 1024  # an issue event with its changelog is a few KiB
Handler = Callable[[web.Request, api.Viewer], Awaitable[Any]]


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


def viewer_of(request: web.Request, deps: Deps) -> api.Viewer | None:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    found = None
    for token in deps.settings.api_tokens:  # compare with every token, so the time says nothing
        if hmac.compare_digest(given.strip().encode(), token.token.encode()):
            found = token
    return api.Viewer(found.name, found.private) if found else None


def _route(deps: Deps, handler: Handler, params: tuple[str, ...]) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        viewer = viewer_of(request, deps)
        if viewer is None:
            return _error(401, "send Authorization: Bearer <token> with a token from API_TOKENS",
                          **{"WWW-Authenticate": 'Bearer realm="incident-bot api"'})
        unknown = sorted(set(request.query) - set(params))
        if unknown:  # a misspelt filter must not silently return everything
            takes = ", ".join(params) or "none"
            return _error(400, f"unknown parameter {unknown[0][:40]!r}; this route takes {takes}")
        try:
            return web.json_response(await handler(request, viewer))
        except NotFound as exc:
            return _error(404, exc.message)
        except InvalidInput as exc:
            return _error(400, exc.message)
        except Exception:
            log.exception("read API: %s failed", request.path)
            return _error(503, "the incidents cannot be read right now; try again shortly", **{"Retry-After": "5"})

    serve.__name__ = handler.__name__
    return serve


def add_routes(app: web.Application, deps: Deps) -> None:
    async def incidents(request: web.Request, viewer: api.Viewer) -> Any:
        args = request.query
        return await deps.read(api.list_incidents, viewer=viewer, status=api.parse_status(args.get("status")),
                               severity=api.parse_severity(args.get("severity"), deps.policy),
                               since=api.parse_since(args.get("since")), limit=api.parse_limit(args.get("limit")),
                               cursor=api.parse_cursor(args.get("cursor")))

    async def incident(request: web.Request, viewer: api.Viewer) -> Any:
        return await deps.read(api.incident, viewer=viewer, key=request.match_info["key"])

    async def timeline(request: web.Request, viewer: api.Viewer) -> Any:
        args = request.query
        return await deps.read(api.timeline, viewer=viewer, key=request.match_info["key"],
                               limit=api.parse_limit(args.get("limit")), cursor=api.parse_cursor(args.get("cursor")))

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(spec([s.name for s in deps.policy.severities]))

    app.router.add_get("/api/v1/openapi.json", openapi)
    app.router.add_get("/api/v1/incidents", _route(deps, incidents, ("status", "severity", "since", "limit", "cursor")))
    app.router.add_get("/api/v1/incidents/{key}", _route(deps, incident, ()))
    app.router.add_get("/api/v1/incidents/{key}/timeline", _route(deps, timeline, ("limit", "cursor")))
    app.router.add_post("/webhooks/jira", _jira_webhook(deps))


def _jira_webhook(deps: Deps) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def receive(request: web.Request) -> web.Response:
        secret = deps.settings.jira_webhook_secret
        if not secret:
            return _error(401, "Jira webhooks are not enabled: set JIRA_WEBHOOK_SECRET and the same secret in Jira")
        if not json_content_type(request):
            return _error(415, "send JSON (Content-Type: application/json)")
        body = await read_within(request, JIRA_MAX_BODY)
        if body is None:
            return _error(413, "the body is over 2 MiB")
        given = request.headers.get("X-Hub-Signature", "").strip()
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.lower().encode(), expected.encode()):
            log.info("refused a Jira webhook: %s", "no signature" if not given else "the signature does not match")
            return _error(401, "missing or wrong X-Hub-Signature (sha256=<HMAC-SHA256 of the body>)")
        try:
            payload = json.loads(body)
        except ValueError:
            return _error(400, "the body is not JSON")
        try:
            outcome = await deps.run(issues.issue_changed, payload=payload)
        except IncidentBotError as exc:
            return _error(400, exc.message)
        except Exception:
            log.exception("could not apply a Jira webhook")
            return _error(503, "the event could not be applied right now; Jira retries")
        return web.json_response({"ok": True, "issue": outcome.issue, "action_item_done": outcome.done})

    return receive
