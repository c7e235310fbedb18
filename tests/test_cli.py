"""The `incident-bot` command as an operator runs it: real processes, real signals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from models.migrate import head_revision
from tests.serving import serve, until

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
    assert f"database at revision {head_revision()}" in first.stdout
    assert run("db", "upgrade", env={"DATABASE_URL": url}).returncode == 0


def test_the_demo_plays_a_whole_incident() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for seen in ("#inc-1-card-payments-failing-in-eu", "[pinned]", "@maya made @priya *Incident Commander*",
                 "Update on INC-1", "changed status identified → *mitigated*", "lowered severity SEV-1 → *SEV-3*",
                 "resolved INC-1", "#incidents", "is still unacknowledged after 5m",
                 "Acknowledged in PagerDuty by @sam",
                 "*Paged:* Payment gateway (PagerDuty)", "[PagerDuty → POST /webhooks/pagerduty] incident.acknowledged",
                 "an update on *INC-1* is due", "Leadership escalation: *INC-1* (declared SEV-1)",
                 "*INC-1 clocks*"):
        assert seen in out, seen


async def test_serve_runs_the_bot_and_its_worker_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with SlackEmulator() as emu:
        ws = emu.workspace
        alice = ws.add_user("alice")
        general = ws.add_channel("general", members=[alice], bot_member=True)
        async with serve(emu, tmp_path, SLACK_SIGNING_SECRET="cli-secret", INCIDENT_ANNOUNCE_CHANNEL=general) as served:
            async with SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{served.port}/slack/events",
                                                signing_secret="cli-secret") as driver:
                reply = await driver.command(alice, general, "declare sev1 Gateway down")
            assert reply.status == 200 and "INC-1" in reply.json["text"]
            # the worker inside serve picks the job up without being asked
            await until(lambda: ws.channel_by_name("inc-1-gateway-down"), "the incident channel", timeout=20)
            assert await served.stop() == 0
    assert "Traceback" not in served.output, served.output
