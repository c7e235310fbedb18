"""deploy/ agrees with the code: Docker cannot run here, so the files are parsed and every command, port,
route and metric they name is checked against the CLI, the settings and bot.ops.telemetry."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from bot.cli import _parser
from bot.ops import telemetry

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
_METRIC = re.compile(r"\bincident_bot_[a-z_]+")


def _cli_ok(argv: list[str]) -> None:
    assert argv[0] == "incident-bot", argv
    try:
        _parser().parse_args(argv[1:])
    except SystemExit as exc:  # argparse exits on an unknown command or option
        pytest.fail(f"`{' '.join(argv)}` is not a command incident-bot knows ({exc})")


def _exposed(name: str) -> bool:
    for base in telemetry.NAMES:
        if name == base or name in (f"{base}_bucket", f"{base}_sum", f"{base}_count"):
            return True
    return False


def dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_dockerfile_is_slim_non_root_locked_and_serves() -> None:
    steps = dockerfile()
    instructions = dict(steps)
    assert instructions["FROM"].startswith("python:3.11-slim")
    runs = [arg for ins, arg in steps if ins == "RUN"]
    assert "pip install --require-hashes -r requirements/main.lock" in runs[0]
    assert "pip install --no-deps ." in runs[1]  # nothing unpinned is installed
    assert (ROOT / "requirements/main.lock").is_file()
    copied = [arg.split()[0] for ins, arg in steps if ins == "COPY"]
    for path in copied:
        assert (ROOT / path).exists(), path
    user = instructions["USER"]
    assert user not in ("root", "0") and f"useradd --system --uid 10001 --home-dir /app {user}" in runs[1]
    _cli_ok(json.loads(instructions["CMD"]))
    health = instructions["HEALTHCHECK"]
    assert "/healthz" in health and "PORT" in health
    env = dict(pair.split("=", 1) for pair in shlex.split(instructions["ENV"]))
    assert env["PORT"] in instructions["EXPOSE"].split() and env["METRICS_PORT"] in instructions["EXPOSE"].split()
    assert env["DATABASE_URL"].startswith("sqlite+aiosqlite:////data/") and "/data" in instructions["VOLUME"]


def test_every_python_dependency_is_pinned_with_hashes() -> None:
    for lock in ("main.lock", "dev.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        pins = re.findall(r"^([a-z0-9_.-]+)==([^\s]+) \\$", text, re.M)
        assert len(pins) > 10
        for block in re.split(r"\n(?=[a-z0-9_.-]+==)", text)[1:]:
            assert "--hash=sha256:" in block, block.splitlines()[0]
        aiohttp = dict(pins)["aiohttp"].split(".")
        assert tuple(int(p) for p in aiohttp[:3]) >= (3, 12, 14)
    assert "prometheus-client" in dict(re.findall(r"^([a-z0-9_.-]+)==([^\s]+) \\$",
                                                    (ROOT / "requirements/main.lock").read_text(), re.M))


def test_compose_runs_postgresql_a_migration_two_replicas_and_a_worker() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    for name, service in services.items():
        if "command" in service and service["command"][0] == "incident-bot":
            _cli_ok(service["command"])
    replicas = [n for n, s in services.items() if s.get("command", [None])[:2] == ["incident-bot", "serve"]]
    assert len(replicas) == 2
    assert services["worker"]["command"] == ["incident-bot", "worker"]
    assert services["migrate"]["command"] == ["incident-bot", "db", "upgrade"]
    for name in (*replicas, "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert service["environment"]["LOG_FORMAT"] in ("text", "json")
    assert services["db"]["image"].startswith("postgres:")
    metrics_port = services["worker"]["environment"]["METRICS_PORT"]
    assert f":{metrics_port}/healthz" in " ".join(services["worker"]["healthcheck"]["test"])
    prometheus = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = prometheus["scrape_configs"][0]["static_configs"][0]["targets"]
    assert sorted(targets) == sorted(f"{n}:{metrics_port}" for n in (*replicas, "worker"))
    assert prometheus["scrape_configs"][0]["metrics_path"] == "/metrics"


def test_alert_rules_and_the_dashboard_name_only_exposed_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {r["alert"]: r["expr"] for r in rules}
    assert {"IncidentBotQueueStuck", "IncidentBotJobsFailing", "IncidentBotRemindersLate"} <= set(alerts)
    assert "incident_bot_oldest_due_job_age_seconds" in alerts["IncidentBotQueueStuck"]
    assert "incident_bot_job_failures_total" in alerts["IncidentBotJobsFailing"]
    assert "incident_bot_reminder_lateness_seconds_bucket" in alerts["IncidentBotRemindersLate"]
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    named = {m for expr in (*alerts.values(), *exprs) for m in _METRIC.findall(expr)}
    assert named and all(_exposed(m) for m in named), sorted(m for m in named if not _exposed(m))
    assert {n.removesuffix("_total") for n in telemetry.NAMES} <= {
        m.removesuffix("_bucket").removesuffix("_total") for m in named}  # the dashboard shows every metric


def test_the_kubernetes_guide_probes_the_routes_the_bot_serves() -> None:
    guide = (DEPLOY / "kubernetes.md").read_text()
    assert "path: /healthz" in guide and "path: /readyz" in guide and "terminationGracePeriodSeconds" in guide
    for command in re.findall(r"`(incident-bot [^`]+)`", guide):
        _cli_ok(shlex.split(command))
