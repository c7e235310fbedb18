"""Two bot processes on one database page once: the page row and the trigger job's key are the incident's."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.paging.conftest import Pagers


async def test_two_replicas_page_once(make_pbot: Any, pagers: Pagers) -> None:
    one, two = await make_pbot(), await make_pbot()
    reply = await one.command(one.people.alice, "declare sev1 Card payments failing in EU")
    assert reply.status == 200
    await one.rt.inflight.idle()
    for _ in range(5):
        await asyncio.gather(one.worker.drain(), two.worker.drain())
    triggers = [e for e in pagers.pd.events if e["event_action"] == "trigger"]
    assert len(triggers) == 1 and len(pagers.pd.incidents) == 1
    # the acknowledgement delivered to each replica once is taken once
    status, _ = await pagers.pd.acknowledge("INC-1", pagers.pd_erin), None
    assert status == 200
    body = pagers.pd.delivered[-1][1]
    pagers.pd.webhook_url = two.url.replace("/slack/events", "/webhooks/pagerduty")
    assert await pagers.pd.redeliver(body) == 200
    acks = [e for e in await one.timeline(1) if e.kind == "acknowledged"]
    assert len(acks) == 1
