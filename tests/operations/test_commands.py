"""The operator's commands as real processes: config check, start-up refusals, JSON logs, metrics of
serve and worker. Slack is the emulator, served in the test's loop, so processes run without blocking it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from tests.serving import free_port, serve, until

ROOT = Path(__file__).resolve().parents[2]


def _env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "INCIDENT_", "DATABASE_URL", "METRICS_PORT", "LOG_", "PORT"))}
    return {**base, **env}


async def run(*args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=cwd, env=_env(**env),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_config_check_offline_names_every_problem(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[severity.SEV-2]\nupdate_cadence = 20\n[escalation]\nchannel = "#exec"\n')
    code, out, _ = await run("config", "check", "--offline", cwd=tmp_path, SLACK_BOT_TOKEN="xoxp-user-token",
                             DATABASE_URL="postgresql://bot:pw@db:5432/incidents", PORT="http",
                             METRICS_PORT="70000", LOG_FORMAT="yaml", INCIDENT_POLICY=str(policy),
                             INCIDENT_ANNOUNCE_CHANNEL="#incidents")
    assert code == 1
    assert out.splitlines() == [
        "SLACK_BOT_TOKEN starts with 'xoxp-': a bot token starts with xoxb-",
        "SLACK_SIGNING_SECRET must be set for HTTP mode (or SLACK_APP_TOKEN for Socket Mode)",
        "DATABASE_URL starts with postgresql://, which needs a driver the bot does not use: write "
        "postgresql+asyncpg://bot:***@db:5432/incidents instead",
        "PORT='http' is not a TCP port number",
        "METRICS_PORT='70000' is not a TCP port number",
        "LOG_FORMAT='yaml' is not text or json",
        "INCIDENT_ANNOUNCE_CHANNEL: '#incidents' is not a channel id (that is a name): a channel's id (C…) is at "
        "the bottom of its details in Slack (click its name)",
        f"{policy}: severity.SEV-2.update_cadence: 20 has no unit: write a string with one, e.g. \"20m\" for 20 "
        "minutes or \"20s\" for 20 seconds",
        f"{policy}: escalation.channel: '#exec' is not a channel id (that is a name): a channel's id (C…) is at "
        "the bottom of its details in Slack (click its name)",
    ]
    assert "pw" not in out
    code, out, _ = await run("config", "check", "--offline", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-1",
                             SLACK_SIGNING_SECRET="s")
    assert (code, out.strip()) == (0, "configuration ok (offline: the database and Slack were not contacted)")


async def test_config_check_online_asks_the_database_and_slack(tmp_path: Path) -> None:
    async with SlackEmulator() as emu:
        alice = emu.workspace.add_user("alice")
        secret_room = emu.workspace.add_channel("bot-ops", members=[alice], is_private=True)
        env = dict(SLACK_BOT_TOKEN=emu.bot_token, SLACK_SIGNING_SECRET="s", SLACK_API_URL=emu.api_url,
                   DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db", INCIDENT_ANNOUNCE_CHANNEL=secret_room)
        code, out, _ = await run("config", "check", cwd=tmp_path, **env)
        assert code == 1
        lines = out.splitlines()
        assert lines[0].startswith("DATABASE_URL: the schema is at revision none, this version needs ")
        assert lines[1:] == [f"INCIDENT_ANNOUNCE_CHANNEL: channel {secret_room} was not found: it does not exist, "
                             "or it is private and the bot is not in it (invite it there: /invite @incident-bot)"]
        assert (await run("db", "upgrade", cwd=tmp_path, **env))[0] == 0
        emu.workspace.channels[secret_room].members.add(emu.workspace.bot_user_id)
        assert (await run("config", "check", cwd=tmp_path, **env))[:2] == (0, "configuration ok\n")
        code, out, _ = await run("config", "check", cwd=tmp_path, **{**env, "SLACK_BOT_TOKEN": "xoxb-revoked"})
        assert code == 1 and out.startswith("SLACK_BOT_TOKEN was refused by Slack (invalid_auth)")


async def test_start_up_refusals_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    async with SlackEmulator() as emu:
        env = dict(SLACK_BOT_TOKEN="xoxb-wrong", SLACK_SIGNING_SECRET="s", SLACK_API_URL=emu.api_url,
                   DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db", PORT=str(free_port()))
        code, _, err = await run("serve", cwd=tmp_path, **env)
        assert code == 2 and err.startswith("incident-bot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): ")
        cases = {
            "postgresql://bot@127.0.0.1/incidents": "incident-bot: DATABASE_URL starts with postgresql://, which "
            "needs a driver the bot does not use: write postgresql+asyncpg://bot@127.0.0.1/incidents instead",
            f"postgresql+asyncpg://bot@127.0.0.1:{free_port()}/incidents": "incident-bot: DATABASE_URL: nothing "
            "answers at 127.0.0.1:",
            "postgresql+asyncpg://bot@no-such-host.invalid/incidents": "incident-bot: DATABASE_URL: the host "
            "'no-such-host.invalid' is unknown (DNS lookup failed): check the host name",
            f"sqlite+aiosqlite:///{tmp_path}/missing/folder/bot.db": "incident-bot: DATABASE_URL: cannot open the "
            f"SQLite file '{tmp_path}/missing/folder/bot.db': does its folder exist",
        }
        for url, message in cases.items():
            for command in (("serve",), ("db", "upgrade")):
                code, _, err = await run(*command, cwd=tmp_path, **{**env, "SLACK_BOT_TOKEN": emu.bot_token,
                                                                    "DATABASE_URL": url})
                assert code == 2 and err.startswith(message), (command, url, err)
                assert "Traceback" not in err and len(err.splitlines()) == 1, (command, url, err)


async def test_a_missing_postgresql_database_is_named(tmp_path: Path) -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return  # needs a PostgreSQL server to ask
    base = url.rsplit("/", 1)[0]
    code, _, err = await run("db", "upgrade", cwd=tmp_path, DATABASE_URL=f"{base}/no_such_database_16")
    assert code == 2 and err.startswith("incident-bot: DATABASE_URL: the database 'no_such_database_16' does not "
                                        "exist on ")


async def test_json_logs_and_metrics_of_serve(tmp_path: Path) -> None:
    metrics_port = free_port()
    async with SlackEmulator() as emu:
        ws = emu.workspace
        alice = ws.add_user("alice")
        general = ws.add_channel("general", members=[alice], bot_member=True)
        async with serve(emu, tmp_path, SLACK_SIGNING_SECRET="cli-secret", INCIDENT_ANNOUNCE_CHANNEL=general,
                         LOG_FORMAT="json", METRICS_PORT=str(metrics_port), LOG_LEVEL="INFO") as served:
            async with SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{served.port}/slack/events",
                                                signing_secret="cli-secret") as driver:
                reply = await driver.command(alice, general, "declare sev1 Acquirer merger leaks card data")
                assert reply.status == 200
                await until(lambda: ws.channel_by_name("inc-1-acquirer-merger-leaks-card-data"), "the channel", 20)
                async with aiohttp.ClientSession() as http:
                    async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as r:
                        text = await r.text()
                    async with http.get(f"http://127.0.0.1:{served.port}/readyz") as r:
                        assert r.status == 200 and (await r.json())["slack"] == "ok"
            assert await served.stop() == 0
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples[("incident_bot_open_incidents", (("severity", "SEV-1"),))] == 1
    assert samples[("incident_bot_ack_latency_seconds_count", (("listener", "command:/incident"),))] == 1
    lines = [json.loads(line) for line in served.output.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    messages = [line["message"] for line in lines]
    assert any(m.startswith("Slack token valid: workspace ") for m in messages)
    assert any(m.startswith("metrics on http://") for m in messages)
    assert emu.bot_token not in served.output and "cli-secret" not in served.output
    assert "merger" not in served.output.lower()  # the incident's title is never logged at INFO


async def test_the_worker_serves_metrics_and_health(tmp_path: Path) -> None:
    metrics_port = free_port()
    async with SlackEmulator() as emu:
        env = _env(SLACK_BOT_TOKEN=emu.bot_token, SLACK_API_URL=emu.api_url, METRICS_PORT=str(metrics_port),
                   DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "worker", cwd=tmp_path, env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(300):
                    try:
                        async with http.get(f"http://127.0.0.1:{metrics_port}/healthz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        await asyncio.sleep(0.05)
                assert proc.returncode is None, "the worker exited"
                async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as r:
                    names = {f.name for f in text_string_to_metric_families(await r.text())}
            assert {"incident_bot_jobs_due", "incident_bot_oldest_due_job_age_seconds"} <= names
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        output = (await proc.stdout.read()).decode() if proc.stdout else ""
    assert "Traceback" not in output
