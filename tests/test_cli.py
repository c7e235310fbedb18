"""The `incident-bot` command as an operator runs it: real processes, real signals."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INCIDENT_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**base, **(env or {})}, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args", [[], ["serve"], ["worker"], ["demo"], ["db"], ["db", "upgrade"]])
def test_help_on_each_command(args: list[str]) -> None:
    result = run(*args, "--help")
    assert result.returncode == 0 and "usage: incident-bot" in result.stdout


def test_serve_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path)
    assert result.returncode == 2 and "SLACK_BOT_TOKEN must be set" in result.stderr


def test_a_bad_policy_stops_startup_naming_the_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[severity.SEV-3]\nack_sla = "soon"\n')
    result = run("serve", env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                               "INCIDENT_POLICY": str(policy)}, cwd=tmp_path)
    assert result.returncode == 2
    assert "severity.SEV-3.ack_sla: 'soon' is not a duration" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    first = run("db", "upgrade", env={"DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "database at revision 0001" in first.stdout
    assert run("db", "upgrade", env={"DATABASE_URL": url}).returncode == 0


def test_the_demo_plays_a_whole_incident() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for seen in ("#inc-1-card-payments-failing-in-eu", "[pinned]", "@maya made @priya *Incident Commander*",
                 "Update on INC-1", "changed status identified → *mitigated*", "lowered severity SEV-1 → *SEV-3*",
                 "resolved INC-1", "#incidents"):
        assert seen in out, seen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_runs_the_bot_and_its_worker_and_stops_on_sigterm(tmp_path: Path) -> None:
    emu = SlackEmulator()
    await emu.start()
    ws = emu.workspace
    alice = ws.add_user("alice")
    general = ws.add_channel("general", members=[alice], bot_member=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INCIDENT_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_SIGNING_SECRET="cli-secret", SLACK_API_URL=emu.api_url,
               DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db", PORT=str(port), INCIDENT_ANNOUNCE_CHANNEL=general)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    driver = SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{port}/slack/events",
                                      signing_secret="cli-secret")
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("serve never became healthy")
        reply = await driver.command(alice, general, "declare sev1 Gateway down")
        assert reply.status == 200 and "INC-1" in reply.json["text"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not ws.channel_by_name("inc-1-gateway-down"):
            await asyncio.sleep(0.05)  # the worker inside serve picks the job up without being asked
        assert ws.channel_by_name("inc-1-gateway-down") is not None
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 20)
        assert code == 0
    finally:
        await driver.close()
        if proc.poll() is None:
            proc.kill()
        output = ""
        if proc.stdout:
            output = proc.stdout.read()
            proc.stdout.close()
        await emu.stop()
    assert "Traceback" not in output, output
