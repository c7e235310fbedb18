"""`GET /charts/metrics-30d.png` and `/charts/metrics-90d.png`: the metrics chart the App Home shows.

Slack fetches an image block's URL itself, so the route is unauthenticated: the image holds only weekly
counts of the incidents the public may know of (private ones and drills left out), nothing about any one
incident. It is drawn at most once a CACHE_SECONDS per period, however often it is fetched.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from bot.deps import Deps
from bot.metrics import service as metrics
from bot.metrics.chart import metrics_chart
from bot.metrics.figures import PERIODS

log = logging.getLogger(__name__)
CACHE_SECONDS = 60.0
_HEADERS = {"Cache-Control": f"public, max-age={int(CACHE_SECONDS)}", "X-Content-Type-Options": "nosniff"}


def add_routes(app: web.Application, deps: Deps) -> None:
    drawn: dict[int, tuple[float, bytes]] = {}  # days -> (when, the PNG)
    drawing = asyncio.Lock()  # one drawing at a time: a burst of fetches waits for it, then reads the cache

    async def draw(days: int) -> bytes:
        async with drawing:
            cached = drawn.get(days)
            if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
                return cached[1]
            figures = await deps.read(metrics.period, now=deps.clock.now(), days=days, public_only=True)
            png = await asyncio.to_thread(metrics_chart, figures, deps.policy)  # ~30 ms of CPU: off the loop
            drawn[days] = (time.monotonic(), png)
            return png

    async def chart(request: web.Request) -> web.Response:
        days = PERIODS.get(request.match_info["period"])
        if days is None:
            raise web.HTTPNotFound(text="No such chart: try /charts/metrics-30d.png or /charts/metrics-90d.png.")
        try:
            png = await draw(days)
        except Exception:
            log.exception("could not compute the metrics chart")
            return web.Response(status=503, text="The chart is unavailable right now; try again shortly.",
                                headers={"Retry-After": "30"})
        return web.Response(body=png, content_type="image/png", headers=_HEADERS)

    app.router.add_get("/charts/metrics-{period}.png", chart)
