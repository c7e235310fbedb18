"""Outgoing webhooks: signed JSON events the receiver verifies, in order per incident, retried with
backoff (a 429 as long as Retry-After says), private incidents only to private-safe destinations, and a
delivery that keeps failing given up after an hour and reported, never dropped silently."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.receiver import WebhookReceiver
from bot.records.delivery import GIVE_UP
from tests.conftest import Bot
from tests.records.conftest import deliveries

Receivers = tuple[WebhookReceiver, WebhookReceiver]


async def _walk(bot: Bot) -> None:
    """Declare, raise the severity, post an update, resolve."""
    inc = await bot.declare("sev2 Card payments failing")
    for text in ("severity 1", "update Failover started"):
        assert (await bot.command(bot.people.alice, text, inc.channel_id)).status == 200
    await bot.drain()
    await bot.resolve(inc.number)


async def test_events_arrive_signed_and_in_order(rbot: Bot, receivers: Receivers) -> None:
    public, safe = receivers
    await _walk(rbot)
    assert public.events() == ["incident.declared", "incident.severity_changed", "incident.update_posted",
                               "incident.resolved"], public.events()
    assert public.refused == [] and len({r.event_id for r in public.accepted}) == len(public.accepted)
    first = public.accepted[0]
    assert first.headers["X-Incident-Bot-Event-Id"] == first.body["id"]
    assert first.body["incident"]["key"] == "INC-1" and first.body["data"]["severity"] == 2
    sev = next(r.body for r in public.accepted if r.body["type"] == "incident.severity_changed")
    assert sev["data"] == {"from": "SEV-2", "to": "SEV-1"} and sev["actor"] == rbot.people.alice
    # the private-safe destination asked only for two events
    assert safe.events() == ["incident.declared", "incident.resolved"]
    assert {d.state for d in await deliveries(rbot)} == {"delivered"}


async def test_a_bad_signature_is_refused_by_the_receiver(rbot: Bot, receivers: Receivers) -> None:
    public, _ = receivers
    public.secret = "another-secret-entirely-0123456789"  # the receiver was set up with a different secret
    await rbot.declare()
    assert public.accepted == [] and public.refused and public.refused[0] == "signature mismatch"
    failed = [e for e in await rbot.timeline(1) if e.kind == "job_failed"]
    assert failed and "HTTP 401" in failed[0].data["error"]  # a 4xx fails at once, and is reported


async def test_private_incidents_go_only_to_private_safe_destinations(rbot: Bot, receivers: Receivers) -> None:
    public, safe = receivers
    p = rbot.people
    await rbot.command(p.alice, "declare")
    await rbot.driver.submit(p.alice, {"title": "Fraud rule leak", "severity": "1", "source": "internal",
                                       "commander": p.alice, "private": ["private"]})
    await rbot.drain()
    assert (await rbot.incident(1)).private
    assert public.accepted == []
    assert safe.events() == ["incident.declared"] and safe.accepted[0].body["incident"]["private"] is True


async def test_failures_retry_with_backoff_and_keep_the_order(rbot: Bot, receivers: Receivers) -> None:
    public, _ = receivers
    public.fail(2, 503)
    inc = await rbot.declare()
    await rbot.command(rbot.people.alice, "severity 2", inc.channel_id)
    await rbot.drain()
    assert public.accepted == []  # the first delivery is backing off; the later one waits behind it
    for _ in range(6):
        rbot.clock.advance(10)
        await rbot.drain()
    kinds = public.events()
    assert kinds[0] == "incident.declared" and kinds[-1] == "incident.severity_changed"
    assert [e for e in await rbot.timeline(1) if e.kind == "job_failed"] == []


async def test_a_429_waits_for_retry_after(rbot: Bot, receivers: Receivers) -> None:
    public, _ = receivers
    public.fail(1, 429, retry_after="120")
    await rbot.declare()
    assert public.accepted == []
    rbot.clock.advance(60)
    await rbot.drain()
    assert public.accepted == []
    rbot.clock.advance(61)
    await rbot.drain()
    assert public.events()[0] == "incident.declared"


async def test_a_delivery_that_keeps_failing_stops_after_an_hour_and_is_reported(rbot: Bot,
                                                                                 receivers: Receivers) -> None:
    public, _ = receivers
    public.fail(10_000, 502)
    inc = await rbot.declare()
    elapsed = timedelta()
    while elapsed <= GIVE_UP + timedelta(minutes=11):
        rbot.clock.advance(timedelta(minutes=5))
        elapsed += timedelta(minutes=5)
        await rbot.drain()
    rows = await deliveries(rbot)
    dashboard = [d for d in rows if d.destination == "dashboard"]
    assert dashboard and {d.state for d in dashboard} == {"failed"}
    assert all(d.attempts > 3 and "last error: HTTP 502" in (d.last_error or "") for d in dashboard)
    failed = [e for e in await rbot.timeline(1) if e.kind == "job_failed" and e.data["kind"] == "webhook_deliver"]
    assert failed and "gave up delivering incident.declared to webhook 'dashboard' after 60 minutes" in \
        failed[0].data["error"]
    told = " ".join(m.text for m in rbot.messages(inc.commander_id))  # the IC hears it
    assert "deliver an outgoing webhook" in told
    # once the receiver is back, later events are delivered again
    public._failures.clear()
    await rbot.command(rbot.people.alice, "severity 3", inc.channel_id)
    await rbot.drain()
    assert public.events()[-1] == "incident.severity_changed"


async def test_drills_send_nothing(rbot: Bot, receivers: Receivers) -> None:
    public, safe = receivers
    reply = await rbot.command(rbot.people.alice, "drill gateway")
    assert reply.status == 200
    await rbot.drain()
    assert (await rbot.incidents())[0].drill
    assert public.accepted == [] and safe.accepted == [] and await deliveries(rbot) == []
