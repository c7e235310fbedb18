"""New Relic's workflow webhook and Splunk's webhook alert action, over HTTP like the other sources:
their credentials, their payloads (written from each vendor's documented template), grouping and triage."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest_asyncio

from tests.alerts.conftest import TOKENS, AlertBot

NR_TOKEN, SPLUNK_TOKEN = "nr-token-5", "splunk-token-6"
JSON = {"Content-Type": "application/json"}


@pytest_asyncio.fixture
async def nb(make_alert_bot: Any) -> AlertBot:
    return await make_alert_bot(alert_tokens={**TOKENS, "newrelic": NR_TOKEN, "splunk": SPLUNK_TOKEN})


def newrelic(state: str = "ACTIVATED") -> dict[str, Any]:
    return {"id": "0ea2df1c-adab-45d2-aae0-042b609d2322", "issueUrl": "https://radar-api.service.newrelic.com/"
            "accounts/1/issues/0ea2df1c-adab-45d2-aae0-042b609d2322", "title": "Card authorisation errors > 5% on "
            "checkout-api", "priority": "CRITICAL", "impactedEntities": ["checkout-api"], "totalIncidents": 1,
            "state": state, "trigger": "STATE_CHANGE", "isCorrelated": False, "createdAt": 1736931480000,
            "updatedAt": 1736931780000, "sources": ["newrelic"], "alertPolicyNames": ["Payments"],
            "alertConditionNames": ["Card auth errors"], "workflowName": "payments-oncall"}


def splunk(sid: str = "scheduler__admin__search__RMD5a1b2c3_at_1736931480_42") -> dict[str, Any]:
    return {"result": {"host": "settle-01", "count": "17", "severity": "high", "_raw": "batch settle-eu failed",
                       "sourcetype": "settlement"},
            "sid": sid, "results_link": "https://splunk.example.com/app/search/search?q=%7Cloadjob%20" + sid,
            "search_name": "Settlement batch failures", "owner": "admin", "app": "search"}


async def test_newrelic_issue_fires_and_closes_one_group(nb: AlertBot) -> None:
    answer = await nb.send("newrelic", newrelic(), token=NR_TOKEN)
    assert answer.status == 200 and answer.json["stored"] == 1
    [group] = await nb.groups()
    assert group.source == "newrelic" and group.title == "Card authorisation errors > 5% on checkout-api"
    assert group.suggested_severity == 1 and group.labels["condition"] == "Card auth errors"
    assert group.started_at.isoformat() == "2025-01-15T08:58:00+00:00"
    await nb.bot.drain()
    [msg] = nb.triage_messages()
    assert "Open in New Relic" in json.dumps(msg.blocks)
    assert (await nb.send("newrelic", newrelic("CLOSED"), token=NR_TOKEN)).status == 200
    [group] = await nb.groups()
    assert group.status == "resolved"


async def test_splunk_runs_of_one_search_fold_together(nb: AlertBot) -> None:
    assert (await nb.send("splunk", splunk(), token=SPLUNK_TOKEN)).status == 200
    assert (await nb.send("splunk", splunk("scheduler__admin__search__RMD5a1b2c3_at_1736931780_43"),
                          token=SPLUNK_TOKEN)).status == 200
    [group] = await nb.groups()
    assert group.count == 2 and group.suggested_severity == 2 and group.labels["host"] == "settle-01"
    assert group.link and group.link.startswith("https://splunk.example.com/")


async def test_splunk_token_in_the_query_and_refusals(nb: AlertBot) -> None:
    body = json.dumps(splunk()).encode()
    url = f"{nb.base}/alerts/splunk"
    async with nb.http.post(f"{url}?token={SPLUNK_TOKEN}", data=io.BytesIO(body), headers=JSON) as resp:
        assert resp.status == 200
    async with nb.http.post(f"{nb.base}/alerts/splunk?token=wrong", data=io.BytesIO(body), headers=JSON) as resp:
        assert resp.status == 401
    assert (await nb.send("newrelic", newrelic(), token="wrong")).status == 401
    bad = await nb.send("splunk", {"result": {}}, token=SPLUNK_TOKEN)
    assert bad.status == 400 and "search_name" in bad.json["error"]
    bad = await nb.send("newrelic", {**newrelic(), "state": "SLEEPING"}, token=NR_TOKEN)
    assert bad.status == 400 and "state" in bad.json["error"]
    assert len(await nb.alerts()) == 1
