"""Acknowledgement latency of the bot against a bare Bolt app, in one run.

Both run as their own processes on loopback, as they would be deployed: the bot is the real
`incident-bot serve` (HTTP mode, job worker in the same process, SQLite unless --database),
talking to the Slack emulator that this script hosts. This script plays Slack: it sends signed
`/incident declare sev2 …` commands and severity changes from the summary card, N requests at C
concurrent, and prints p50/p99 of the time until the HTTP answer (the ack) arrives.

    .venv/bin/python bench/ack_latency.py [--requests 2000] [--concurrency 50] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.emulator import SlackEmulator  # noqa: E402
from bot.emulator.driver import Reply, SlackDriver  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                async with s.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


async def load(n: int, concurrency: int, send: Callable[[int], Awaitable[Reply]]) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def client() -> None:
        nonlocal errors
        for i in counter:
            reply = await send(i)
            latencies.append(reply.elapsed * 1000)
            if reply.status != 200:
                errors += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, errors


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--database", help="DATABASE_URL for the bot (default: a fresh SQLite file)")
    args = ap.parse_args()

    emu = SlackEmulator()
    await emu.start()
    ws = emu.workspace
    users = [ws.add_user(f"user{i}") for i in range(20)]
    general = ws.add_channel("payments-support", members=users, bot_member=True)
    secret = secrets.token_hex(16)
    tmp = tempfile.TemporaryDirectory(prefix="ack-bench-")
    db = args.database or f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    bot_port, bare_port = free_port(), free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": emu.bot_token, "SLACK_SIGNING_SECRET": secret,
           "SLACK_API_URL": emu.api_url, "DATABASE_URL": db, "LOG_LEVEL": "WARNING"}
    env.pop("SLACK_APP_TOKEN", None)
    if args.database:  # PostgreSQL: serve refuses an old schema, as in production
        subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, cwd=tmp.name,
                       stdout=subprocess.DEVNULL)
    procs = [
        subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(bot_port)],
                         env={**env, "PYTHONPATH": str(ROOT)}, cwd=tmp.name),
        subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_bolt.py"), str(bare_port), secret, emu.api_url],
                         env=env, cwd=tmp.name),
    ]
    try:
        await wait_healthy(f"http://127.0.0.1:{bot_port}/healthz", procs[0])
        await wait_healthy(f"http://127.0.0.1:{bare_port}/healthz", procs[1])
        targets = {name: SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{port}/slack/events",
                                                  signing_secret=secret)
                   for name, port in (("incident-bot", bot_port), ("bare Bolt", bare_port))}

        # one incident whose card the severity clicks go to
        await targets["incident-bot"].command(users[0], general, "declare sev2 Card latency benchmark")
        for _ in range(300):
            card = next((m for ch in ws.channels.values() for m in ws.messages_in(ch.id)
                         if m.blocks and m.blocks[0].get("type") == "header"), None)
            if card:
                break
            await asyncio.sleep(0.05)
        else:
            raise SystemExit("the bot never posted its card")

        rows = []
        for label in ("declare", "severity"):
            for name, driver in targets.items():
                if label == "declare":
                    async def send(i: int, d: SlackDriver = driver, tag: str = name) -> Reply:
                        return await d.command(users[i % 20], general, f"declare sev2 {tag} load {i}")
                else:
                    async def send(i: int, d: SlackDriver = driver) -> Reply:
                        return await d.select(users[i % 20], card, "incident_severity", "1" if i % 2 else "2")
                started = time.perf_counter()
                lat, errors = await load(args.requests, args.concurrency, send)
                wall = time.perf_counter() - started
                rows.append((label, name, statistics.median(lat), pct(lat, 99), max(lat), errors, len(lat) / wall))

        created_before = len(ws.calls_to("conversations.create"))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # let the bot's worker finish what the load queued
            done = sum(1 for c in ws.calls_to("conversations.create") if c.ok)
            if done >= args.requests + 1:
                break
            await asyncio.sleep(0.25)
        catch_up = time.monotonic() - (deadline - 600)

        print(f"\nAck latency, {args.requests} requests at {args.concurrency} concurrent, "
              f"database {'SQLite' if not args.database else args.database.split('://')[0]}")
        print(f"{'request':<34}{'app':<14}{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'req/s':>8}")
        names = {"declare": "/incident declare sev2 …", "severity": "card severity change"}
        for label, name, p50, p99, mx, errors, rate in rows:
            print(f"{names[label]:<34}{name:<14}{p50:>8.1f}{p99:>9.1f}{mx:>9.1f}{errors:>8}{rate:>8.0f}")
        channels = sum(1 for c in ws.calls_to("conversations.create") if c.ok)
        print(f"\nThe bot's worker had created {created_before} channels when the load ended, and "
              f"{channels} of {args.requests + 1} {catch_up:.1f}s later.")
        for d in targets.values():
            await d.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
        await emu.stop()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
