"""The public status page: `GET /status` (HTML) and `GET /status.json`. Read-only and unauthenticated,
so it shows only what bot.comms.statuspage.state derives from published customer messages."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.comms.statuspage import html
from bot.comms.statuspage.state import PageState, as_json, page_state
from bot.deps import Deps

log = logging.getLogger(__name__)
_HEADERS = {"Cache-Control": "public, max-age=15", "X-Content-Type-Options": "nosniff"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def add_routes(app: web.Application, deps: Deps) -> None:
    async def load() -> PageState:
        return await deps.read(page_state, now=deps.clock.now())

    async def status_html(_: web.Request) -> web.Response:
        try:
            page = await load()
        except Exception:
            log.exception("could not build the status page")
            return web.Response(status=503, text="The status page is unavailable right now; try again shortly.",
                                headers={"Retry-After": "30"})
        return web.Response(text=html.render(page), content_type="text/html", charset="utf-8",
                            headers={**_HEADERS, "Content-Security-Policy": _CSP})

    async def status_json(_: web.Request) -> web.Response:
        try:
            page = await load()
        except Exception:
            log.exception("could not build the status page")
            return web.json_response({"error": "unavailable"}, status=503, headers={"Retry-After": "30"})
        return web.json_response(as_json(page), headers={**_HEADERS, "Access-Control-Allow-Origin": "*"})

    app.router.add_get("/status", status_html)
    app.router.add_get("/status.json", status_json)
