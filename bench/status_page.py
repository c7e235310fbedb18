"""How long the public status page takes to serve as its history grows.

Fills a SQLite file with N public incidents, three published customer messages each (one in ten
still open), spread over the 90 days the page shows, serves the real web app on loopback and times
GET /status and GET /status.json, printing the page size and the median and slowest of R requests,
next to GET /healthz (one `SELECT 1` through the same server) as the baseline.

    .venv/bin/python bench/status_page.py [--incidents 10 300] [--requests 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from models import ExternalMessage, Incident  # noqa: E402
from models.migrate import upgrade  # noqa: E402


async def measure(n: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        clock = FakeClock()
        rt = Runtime.create(Settings(database_url=url, slack_signing_secret="bench", slack_bot_token="xoxb-bench"),
                            clock=clock)
        now = clock.now()
        async with rt.sessionmaker() as s, s.begin():
            s.add_all(Incident(id=i, number=i, title=f"Incident {i}", severity=2, declared_by="U1", created_at=now,
                               updated_at=now, status="resolved" if i % 10 else "identified")
                      for i in range(1, n + 1))
            await s.flush()
            for i in range(1, n + 1):
                kinds = ("investigating", "identified", "resolved" if i % 10 else "monitoring")
                s.add_all(ExternalMessage(incident_id=i, kind=kind, title=f"Incident {i}", text="x" * 300,
                                          components={"api": "partial_outage"}, author="U1",
                                          published_at=now - timedelta(days=i % 89, minutes=30 - k))
                          for k, kind in enumerate(kinds))
        runner = web.AppRunner(rt.web_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with aiohttp.ClientSession() as http:
                for path in ("/healthz", "/status", "/status.json"):
                    times, size = [], 0
                    for _ in range(requests):
                        start = time.perf_counter()
                        async with http.get(f"http://127.0.0.1:{port}{path}") as resp:
                            size = len(await resp.read())
                        times.append((time.perf_counter() - start) * 1000)
                    print(f"{path:<13} {n:>5} incidents {3 * n:>6} messages {size // 1024:>5} KiB   "
                          f"median {statistics.median(times):7.1f} ms   slowest {max(times):7.1f} ms")
        finally:
            await runner.cleanup()
            await rt.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[10, 300])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    for n in args.incidents:
        await measure(n, args.requests)


if __name__ == "__main__":
    asyncio.run(main())
