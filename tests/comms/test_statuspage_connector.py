"""The Atlassian Statuspage connector against a local fake of its REST API v1: the requests it makes
from published messages, and retries through the durable jobs when Statuspage fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.timeline.blocks import fact_text
from tests.comms.conftest import STATUSPAGE_IDS, comms_policy, publish
from tests.comms.fake_statuspage import FakeStatuspage
from tests.conftest import Bot


async def later(bot: Bot, seconds: float) -> None:
    bot.clock.advance(timedelta(seconds=seconds))
    await bot.drain()


async def test_publishing_creates_then_updates_one_statuspage_incident(spbot: Bot, statuspage: FakeStatuspage) -> None:
    p = spbot.people
    inc = await spbot.declare("sev1 Payment gateway down")
    await publish(spbot, p.alice, inc, title="Payments failing", message="Card payments fail. Investigating.")
    (create,) = statuspage.requests
    assert (create.method, create.path) == ("POST", f"/v1/pages/{statuspage.page_id}/incidents")
    assert create.authorization == f"OAuth {statuspage.api_key}"
    assert create.body == {"incident": {
        "name": "Payments failing", "status": "investigating", "body": "Card payments fail. Investigating.",
        "components": {"cmpapi": "major_outage", "cmpcards": "major_outage"},
        "component_ids": ["cmpapi", "cmpcards"], "deliver_notifications": True, "impact_override": "critical"}}
    (remote_id,) = statuspage.incidents
    assert statuspage.components["cmpcards"] == "major_outage"

    await publish(spbot, p.alice, inc, status="identified", impact="partial_outage", components=["card_payments"],
                  message="Cause found.")
    await publish(spbot, p.alice, inc, status="resolved", message="Fixed.")
    assert [(r.method, r.path) for r in statuspage.requests[1:]] == [
        ("PATCH", f"/v1/pages/{statuspage.page_id}/incidents/{remote_id}")] * 2
    identified, resolved = (r.body["incident"] for r in statuspage.requests[1:])
    assert identified["status"] == "identified"
    # the API dropped out of the incident: it is operational again on Statuspage
    assert identified["components"] == {"cmpapi": "operational", "cmpcards": "partial_outage"}
    assert resolved["status"] == "resolved" and resolved["body"] == "Fixed."
    assert resolved["components"] == {"cmpapi": "operational", "cmpcards": "operational"}
    assert [u["body"] for u in statuspage.incidents[remote_id]["incident_updates"]] == [
        "Fixed.", "Cause found.", "Card payments fail. Investigating."]
    synced = [e for e in await spbot.timeline(1) if e.kind == "statuspage_synced"]
    assert len(synced) == 3 and remote_id in fact_text(synced[0])


async def test_5xx_429_and_network_errors_are_retried_and_nothing_is_lost(spbot: Bot,
                                                                         statuspage: FakeStatuspage) -> None:
    p = spbot.people
    inc = await spbot.declare("sev2 High API latency")
    statuspage.fail(1, 503)
    statuspage.fail(1, 429)
    statuspage.disconnect(1)
    await publish(spbot, p.alice, inc, message="Slow API.")
    assert statuspage.incidents == {}
    await publish(spbot, p.alice, inc, status="monitoring", message="Better now.")  # while Statuspage is down
    for _ in range(6):
        await later(spbot, 30)
    assert [r.status for r in statuspage.requests] == [503, 429, 0, 200, 200]
    (remote,) = statuspage.incidents.values()  # one incident, never a duplicate
    assert [u["body"] for u in remote["incident_updates"]] == ["Better now.", "Slow API."]
    assert remote["status"] == "monitoring"
    jobs = [j for j in await spbot.jobs() if j.kind == "statuspage_sync"]
    assert [j.state for j in jobs] == ["done", "done"]
    assert not [e for e in await spbot.timeline(1) if e.kind == "job_failed"]


async def test_a_refusal_is_not_retried_and_lands_on_the_timeline(bot_factory: Any,
                                                                  statuspage: FakeStatuspage) -> None:
    bot: Bot = await bot_factory(policy=comms_policy(), statuspage_page_id=statuspage.page_id,
                                 statuspage_api_key="wrong-key", statuspage_api_url=statuspage.url)
    inc = await bot.declare("sev3 Refunds delayed")
    await publish(bot, bot.people.alice, inc)
    await later(bot, 600)
    assert [r.status for r in statuspage.requests] == [401]
    (failed,) = [e for e in await bot.timeline(1) if e.kind == "job_failed"]
    assert fact_text(failed).startswith("Could not update Atlassian Statuspage: Statuspage refused POST with HTTP 401")


async def test_components_without_a_statuspage_id_are_left_out(bot_factory: Any, statuspage: FakeStatuspage) -> None:
    policy = comms_policy()
    components = dict(policy.comms.components)
    components["api"] = components["api"].model_copy(update={"statuspage_id": None})
    policy = policy.model_copy(update={"comms": policy.comms.model_copy(update={"components": components})})
    bot: Bot = await bot_factory(policy=policy, statuspage_page_id=statuspage.page_id,
                                 statuspage_api_key=statuspage.api_key, statuspage_api_url=statuspage.url)
    inc = await bot.declare("sev1 Payment gateway down")
    await publish(bot, bot.people.alice, inc)
    (create,) = statuspage.requests
    assert create.body["incident"]["components"] == {STATUSPAGE_IDS["card_payments"]: "major_outage"}


async def test_without_configuration_nothing_is_sent(bot_factory: Any, statuspage: FakeStatuspage) -> None:
    bot: Bot = await bot_factory(policy=comms_policy())
    inc = await bot.declare("sev1 Payment gateway down")
    await publish(bot, bot.people.alice, inc)
    assert statuspage.requests == []
    assert [j for j in await bot.jobs() if j.kind == "statuspage_sync"] == []


async def test_a_429_is_retried_after_the_time_statuspage_asks_for(spbot: Bot, statuspage: FakeStatuspage) -> None:
    inc = await spbot.declare("sev2 High API latency")
    statuspage.fail(1, 429, retry_after="120")
    await publish(spbot, spbot.people.alice, inc)
    (job,) = [j for j in await spbot.jobs() if j.kind == "statuspage_sync"]
    assert job.state == "pending" and job.due_at == spbot.clock.now() + timedelta(seconds=120)
    assert "HTTP 429" in (job.last_error or "")
    await later(spbot, 119)
    assert [r.status for r in statuspage.requests] == [429]
    await later(spbot, 1)
    assert [r.status for r in statuspage.requests] == [429, 200]


async def test_one_worker_at_a_time_sends_an_incidents_messages(spbot: Bot, statuspage: FakeStatuspage) -> None:
    from sqlalchemy import update

    from models import IncidentComms

    inc = await spbot.declare("sev2 High API latency")
    await publish(spbot, spbot.people.alice, inc)
    await publish(spbot, spbot.people.alice, inc, status="monitoring")
    statuspage.requests.clear()
    # another replica holds the lease while this one has a message to send
    async with spbot.rt.sessionmaker() as s, s.begin():
        await s.execute(update(IncidentComms).values(statuspage_lease_until=spbot.clock.now() + timedelta(minutes=2)))
    await publish(spbot, spbot.people.alice, inc, status="resolved")
    assert statuspage.requests == []
    await later(spbot, 121)  # its lease ran out (it died): this worker goes on
    assert [(r.method, r.body["incident"]["status"]) for r in statuspage.requests] == [("PATCH", "resolved")]
    assert len(statuspage.incidents) == 1
