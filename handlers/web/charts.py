"""`GET /charts/metrics-30d.png` and `/charts/metrics-90d.png`: the metrics chart the App Home shows.

Slack fetches an image block's URL itself, so the route is unauthenticated; the image holds only
weekly counts of incidents by severity (drills excluded), nothing about any one incident.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.deps import Deps
from bot.metrics import service as metrics
from bot.metrics.chart import metrics_chart
from bot.metrics.figures import PERIODS

log = logging.getLogger(__name__)
_HEADERS = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}


def add_routes(app: web.Application, deps: Deps) -> None:
    async def chart(request: web.Request) -> web.Response:
        days = PERIODS.get(request.match_info["period"])
        if days is None:
            raise web.HTTPNotFound(text="No such chart: try /charts/metrics-30d.png or /charts/metrics-90d.png.")
        try:
            figures = await deps.read(metrics.period, now=deps.clock.now(), days=days)
        except Exception:
            log.exception("could not compute the metrics chart")
            return web.Response(status=503, text="The chart is unavailable right now; try again shortly.",
                                headers={"Retry-After": "30"})
        png = await asyncio.to_thread(metrics_chart, figures, deps.policy)  # ~30 ms of CPU: off the event loop
        return web.Response(body=png, content_type="image/png", headers=_HEADERS)

    app.router.add_get("/charts/metrics-{period}.png", chart)
