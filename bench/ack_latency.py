"""Acknowledgement latency of the bot against a bare Bolt app, in one run.

Both run as their own processes on loopback, as they would be deployed: the bot is the real
`incident-bot serve` (HTTP mode, job worker in the same process, SQLite unless --database),
talking to the Slack emulator that this script hosts. This script plays Slack: it sends signed
`/incident declare sev2 …` commands and severity changes from the summary card, N requests at C
concurrent, and prints p50/p99 of the time until the HTTP answer (the ack) arrives.

    .venv/bin/python bench/ack_latency.py [--requests 2000] [--concurrency 50] [--rounds 4] [--database URL]
        [--profile DIR]   (py-spy samples of the bot during each load, summarised to DIR/<load>.txt)
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


async def quiesce(ws: object, quiet: float = 1.0, limit: float = 900) -> None:
    """Wait until the bot's worker has stopped calling the emulator for `quiet` seconds."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline:
        calls = len(ws.calls)  # type: ignore[attr-defined]
        if calls == seen:
            return
        seen = calls
        await asyncio.sleep(quiet)


def profile(directory: str, pid: int, name: str) -> Callable[[], Awaitable[None]]:
    """Start py-spy on the bot; the returned coroutine stops it and writes a summary (share of samples
    per function, inclusive, and where the time is spent itself)."""
    os.makedirs(directory, exist_ok=True)
    raw = os.path.join(directory, f"{name}.raw")
    spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid), "-r", "250",
                            "-f", "raw", "-o", raw], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def stop() -> None:
        spy.send_signal(2)
        await asyncio.to_thread(spy.wait, 30)
        with open(os.path.join(directory, f"{name}.txt"), "w") as out:
            out.write(summarise(raw))

    return stop


def summarise(raw: str, top: int = 40) -> str:
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    with open(raw) as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            if not n.isdigit():
                continue
            total += int(n)
            frames = [fr.split(" (")[0] + " " + fr.rsplit("/", 1)[-1].split(":")[0].rstrip(")")
                      for fr in stack.split(";")]
            for fr in set(frames):
                inclusive[fr] = inclusive.get(fr, 0) + int(n)
            own[frames[-1]] = own.get(frames[-1], 0) + int(n)
    lines = [f"{total} samples", "-- inclusive"]
    def share(counts: dict[str, int], n: int) -> list[str]:
        return [f"{100 * v / max(total, 1):5.1f}% {k}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:n]]

    lines += share(inclusive, top) + ["-- self"] + share(own, 20)
    return "\n".join(lines) + "\n"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--database", help="DATABASE_URL for the bot (default: a fresh SQLite file)")
    ap.add_argument("--profile", help="a directory: sample the bot with py-spy during each load of the bot")
    ap.add_argument("--rounds", type=int, default=4, help="turns each app takes at each load (default 4)")
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
        levels = [(args.requests, args.concurrency)]
        if args.concurrency != 5:  # and a busy incident room, for scale
            levels.append((max(100, args.requests // 4), 5))
        declared = 1
        catchup: list[tuple[int, int, int, int, float]] = []
        for n, concurrency in levels:
            for label in ("declare", "severity"):
                # the two apps take turns, `--rounds` times each, so a machine whose speed drifts (other
                # work on it) slows both alike; the figures are over all of an app's rounds
                got: dict[str, tuple[list[float], int, float]] = {name: ([], 0, 0.0) for name in targets}
                part = max(1, n // args.rounds)
                for r in range(args.rounds):
                    for name, driver in targets.items():
                        if label == "declare":
                            async def send(i: int, d: SlackDriver = driver,
                                           tag: str = f"{name} {concurrency} {r}") -> Reply:
                                return await d.command(users[i % 20], general, f"declare sev2 {tag} load {i}")
                        else:
                            async def send(i: int, d: SlackDriver = driver) -> Reply:
                                return await d.select(users[i % 20], card, "incident_severity", "1" if i % 2 else "2")
                        spy = profile(args.profile, procs[0].pid, f"{label}-{n}-at-{concurrency}-{r}") \
                            if args.profile and name == "incident-bot" else None
                        started = time.perf_counter()
                        lat, errors = await load(part, concurrency, send)
                        wall = time.perf_counter() - started
                        if spy is not None:
                            await spy()
                        before = got[name]
                        got[name] = (before[0] + lat, before[1] + errors, before[2] + wall)
                        if name != "incident-bot":
                            continue
                        # let the bot's worker finish what the load queued, so it never slows the next run
                        created = sum(1 for c in ws.calls_to("conversations.create") if c.ok)
                        t0 = time.monotonic()
                        if label == "declare":  # every channel first: the worker may pause a moment between
                            want = declared + part
                            while (sum(1 for c in ws.calls_to("conversations.create") if c.ok) < want
                                   and time.monotonic() - t0 < 900):
                                await asyncio.sleep(0.2)
                        await quiesce(ws)
                        if label == "declare":
                            declared += part
                            done = sum(1 for c in ws.calls_to("conversations.create") if c.ok)
                            catchup.append((part, created - (declared - part), done, declared,
                                            time.monotonic() - t0))
                for name in targets:
                    lat, errors, wall = got[name]
                    rows.append((f"{len(lat)} at {concurrency}", label, name, statistics.median(lat), pct(lat, 99),
                                 max(lat), errors, len(lat) / wall))

        print(f"\nAck latency (time to the HTTP answer), database "
              f"{'SQLite' if not args.database else args.database.split('://')[0]}")
        print(f"{'requests':<13}{'request':<27}{'app':<14}{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
              f"{'req/s':>8}")
        names = {"declare": "/incident declare sev2 …", "severity": "card severity change"}
        ratio: dict[tuple[str, str], float] = {}
        for level, label, name, p50, p99, mx, errors, rate in rows:
            # rows come in pairs, the bot first: its p99, then divided by the bare app's
            ratio[(level, label)] = ratio[(level, label)] / p99 if (level, label) in ratio else p99
            print(f"{level:<13}{names[label]:<27}{name:<14}{p50:>8.1f}{p99:>9.1f}{mx:>9.1f}{errors:>8}{rate:>8.0f}")
        print("\np99 ratio, incident-bot / bare Bolt: " + ", ".join(
            f"{names[label]} {level}: {r:.2f}x" for (level, label), r in ratio.items()))
        print("Catch-up (the bot's worker applying and setting up what the acks stored; acks go first):")
        for part, during, done, total, seconds in catchup:
            print(f"  {part} declarations: {during} channels made during the load; {done} of {total} existed "
                  f"{seconds:.1f}s after it ended ({part / seconds if seconds else 0:.0f} declarations/s)")
        for d in targets.values():
            await d.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:  # wait off the loop: the emulator in this loop must keep answering meanwhile
            try:
                await asyncio.to_thread(p.wait, 20)
            except subprocess.TimeoutExpired:
                p.kill()
        await emu.stop()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
