"""Alert webhook fixtures: a bot with a credential per source, and realistic payloads written from
each vendor's documented example (Alertmanager webhook v4, Datadog's default webhook payload,
Grafana's webhook contact point, our generic JSON)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlmodel import select

from bot.core.clock import FakeClock
from models import Alert, AlertGroup
from tests.conftest import Bot

TOKENS = {"alertmanager": "am-token-1", "datadog": "dd-token-2", "grafana": "gf-token-3", "generic": "gen-token-4"}
SECRETS = {"grafana": "grafana-hmac-secret", "generic": "generic-hmac-secret"}


@pytest.fixture(autouse=True)
def _no_alert_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ALERTS_"):
            monkeypatch.delenv(name, raising=False)


@dataclass
class Answer:
    status: int
    json: dict[str, Any]


class AlertBot:
    """The bot plus an HTTP client that plays the alert sources."""

    def __init__(self, bot: Bot, http: aiohttp.ClientSession) -> None:
        self.bot, self.http = bot, http
        self.base = bot.url.removesuffix("/slack/events")

    async def send(self, source: str, payload: Any, *, token: str | None = "default",
                   headers: dict[str, str] | None = None, raw: bytes | None = None) -> Answer:
        body = raw if raw is not None else json.dumps(payload).encode()
        sent = {"Content-Type": "application/json"}
        if token == "default":
            token = TOKENS[source]
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        async with self.http.post(f"{self.base}/alerts/{source}", data=io.BytesIO(body), headers=sent) as resp:
            text = await resp.text()
            return Answer(resp.status, json.loads(text) if text.startswith("{") else {"raw": text})

    async def alerts(self) -> list[Alert]:
        async with self.bot.rt.sessionmaker() as s:
            return list((await s.execute(select(Alert).order_by(Alert.id))).scalars())

    async def groups(self) -> list[AlertGroup]:
        async with self.bot.rt.sessionmaker() as s:
            return list((await s.execute(select(AlertGroup).order_by(AlertGroup.id))).scalars())

    def triage_messages(self) -> list[Any]:
        return [m for m in self.bot.messages(self.bot.people.announce)
                if any(b.get("block_id", "").startswith("alert_triage:") for b in m.blocks)
                or m.text.startswith(("Firing:", "Resolved:"))]


def sign(secret: str, body: bytes, timestamp: str | None = None) -> str:
    signed = f"{timestamp}:".encode() + body if timestamp else body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@pytest_asyncio.fixture
async def make_alert_bot(bot_factory: Any) -> AsyncIterator[Any]:
    sessions: list[aiohttp.ClientSession] = []

    async def make(clock: FakeClock | None = None, **overrides: Any) -> AlertBot:
        overrides.setdefault("alert_tokens", TOKENS)
        overrides.setdefault("alert_secrets", SECRETS)
        bot = await bot_factory(clock=clock, **overrides)
        http = aiohttp.ClientSession()
        sessions.append(http)
        return AlertBot(bot, http)

    yield make
    for s in sessions:
        await s.close()


@pytest_asyncio.fixture
async def ab(make_alert_bot: Any) -> AlertBot:
    return await make_alert_bot()


# -- payloads, after each vendor's documented example ---------------------------------------------

def alertmanager(*alerts: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    """Alertmanager's webhook (version 4) for one alert group."""
    first = alerts[0]
    return {
        "version": "4",
        "groupKey": '{}/{severity=~"critical|warning"}:{alertname="' + first["labels"]["alertname"] + '"}',
        "truncatedAlerts": 0,
        "status": status or ("firing" if any(a["status"] == "firing" for a in alerts) else "resolved"),
        "receiver": "incident-bot",
        "groupLabels": {"alertname": first["labels"]["alertname"]},
        "commonLabels": {"alertname": first["labels"]["alertname"], "env": "prod"},
        "commonAnnotations": {},
        "externalURL": "https://alertmanager.example.com",
        "alerts": list(alerts),
    }


def am_alert(fingerprint: str = "5f1d2c3b4a596877", *, status: str = "firing", alertname: str = "PaymentGatewayDown",
             severity: str = "critical", service: str = "payment-gateway", starts_at: str = "2026-01-15T08:58:00Z",
             ends_at: str = "0001-01-01T00:00:00Z", summary: str = "Payment gateway is not answering health checks",
             ) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": alertname, "severity": severity, "service": service, "env": "prod",
                   "instance": "gw-eu-1:9102", "job": "payment-gateway"},
        "annotations": {"summary": summary,
                        "description": "3 of 3 gateway instances in eu-west-1 failed /healthz for 2 minutes.",
                        "runbook_url": "https://runbooks.example.com/payment-gateway-down"},
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": "https://prometheus.example.com/graph?g0.expr=up%7Bjob%3D%22payment-gateway%22%7D+%3D%3D+0",
        "fingerprint": fingerprint,
    }


def datadog(transition: str = "Triggered", *, title: str = "High card authorization error rate on checkout-api",
            with_monitor_vars: bool = True) -> dict[str, Any]:
    """Datadog's default webhook payload, with the monitor variables many setups add."""
    body: dict[str, Any] = {
        "body": "%%%\nAuthorization errors above 5% for 5 minutes on checkout-api (eu-west-1).\n%%%",
        "last_updated": "1768467480000",
        "event_type": "query_alert_monitor",
        "title": f"[{transition}] {title}",
        "date": "1768467480000",
        "org": {"id": "321813", "name": "Example Payments"},
        "id": "7405233893521640191",
    }
    if with_monitor_vars:
        body.update({"alert_id": "148520734", "alert_transition": transition, "alert_priority": "P2",
                     "tags": "env:prod,service:checkout-api,team:payments",
                     "link": "https://app.datadoghq.eu/event/event?id=7405233893521640191",
                     "aggreg_key": "d2f7c5a8b1e4e0f3"})
    return body


def grafana(*, status: str = "firing", fingerprint: str = "c6eadffa33fcdf37") -> dict[str, Any]:
    """Grafana unified alerting's webhook contact point."""
    return {
        "receiver": "incident-bot",
        "status": status,
        "orgId": 1,
        "alerts": [{
            "status": status,
            "labels": {"alertname": "SettlementBatchDelayed", "team": "payments", "severity": "warning",
                       "grafana_folder": "Payments"},
            "annotations": {"summary": "Settlement batch is 45 minutes late",
                            "description": "The nightly SEPA settlement batch has not completed."},
            "startsAt": "2026-01-15T08:30:00Z",
            "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-15T09:10:00Z",
            "generatorURL": "https://grafana.example.com/alerting/grafana/settle1/view",
            "fingerprint": fingerprint,
            "silenceURL": "https://grafana.example.com/alerting/silence/new?matchers=alertname%3DSettlementBatchDelayed",
            "dashboardURL": "https://grafana.example.com/d/payments-settlement",
            "panelURL": "https://grafana.example.com/d/payments-settlement?viewPanel=4",
            "values": {"B": 45.0, "C": 1},
            "valueString": "[ var='B' labels={} value=45 ]",
        }],
        "groupLabels": {"alertname": "SettlementBatchDelayed"},
        "commonLabels": {"alertname": "SettlementBatchDelayed", "team": "payments"},
        "commonAnnotations": {},
        "externalURL": "https://grafana.example.com/",
        "version": "1",
        "groupKey": '{}:{alertname="SettlementBatchDelayed"}',
        "truncatedAlerts": 0,
        "title": "[FIRING:1] SettlementBatchDelayed Payments",
        "state": "alerting",
        "message": "**Firing**\n\nValue: B=45\nLabels:\n - alertname = SettlementBatchDelayed",
    }


def generic(**changes: Any) -> dict[str, Any]:
    body = {"source": "synthetic-payments", "title": "Synthetic 3-D Secure card checkout failing in EU",
            "severity": "high", "fingerprint": "synthetic-checkout-eu", "status": "firing",
            "labels": {"service": "checkout", "region": "eu-west-1"},
            "link": "https://synthetics.example.com/checks/checkout-eu", "started_at": "2026-01-15T08:55:00Z"}
    body.update(changes)
    return body
