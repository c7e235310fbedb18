"""Running the real `incident-bot serve` as a subprocess against the emulator in the test's loop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.emulator import SlackEmulator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def until(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


class Served:
    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc, self.port, self.output = proc, port, ""

    async def stop(self) -> int:
        """SIGTERM, as an orchestrator stops it; the exit code. Waits off the loop, where the
        emulator must keep answering the bot meanwhile."""
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.proc.wait, 20)


@asynccontextmanager
async def serve(emu: SlackEmulator, tmp_path: Path, **env: str) -> AsyncIterator[Served]:
    """`python -m bot serve` on a free port with a SQLite file, healthy before this yields."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INCIDENT_", "DATABASE_URL"))}
    base.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_API_URL=emu.api_url, PORT=str(port),
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    base.update(env)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],  # noqa: ASYNC220
                            env=base, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = Served(proc, port)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if proc.poll() is not None:
                    break
                await asyncio.sleep(0.05)
        assert proc.poll() is None, "serve exited early"
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            await asyncio.to_thread(proc.wait, 10)
        if proc.stdout:
            served.output = proc.stdout.read()
            proc.stdout.close()
