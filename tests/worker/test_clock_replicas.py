"""Two workers on one database, 1,000 open incidents whose timers come due together: each reminder
reaches Slack exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import update

from bot.clocks import service as clocks
from bot.incidents import service as incidents
from bot.jobs.worker import Worker
from bot.policy import default_policy
from bot.policy.oncall import OnCall
from models import Incident, Job
from models.db import make_engine, make_sessionmaker
from tests.conftest import Bot

INCIDENTS = 1000


async def test_two_workers_give_each_of_1000_incidents_each_reminder_once(bot: Bot, db_url: str) -> None:
    policy = default_policy().model_copy(update={"oncall": OnCall(group="S0ONCALL")})
    ws = bot.ws
    async with bot.rt.sessionmaker() as s, s.begin():
        for n in range(INCIDENTS):
            inc = await incidents.declare(session=s, clock=bot.clock, policy=policy, title=f"Latency {n}",
                                          severity=2, declared_by=bot.people.alice)
            # their channels exist already: this test is about the timers, not about set-up
            inc.channel_id = ws.add_channel(f"inc-{inc.number}", bot_member=True)
        await s.execute(update(Job).where(Job.kind.not_in(clocks.TIMER_KINDS)).values(state="done"))
    bot.clock.advance(timedelta(minutes=16))  # SEV-2: the role watch (10 min) and the ack reminder (15 min)

    engines = [make_engine(db_url) for _ in range(2)]
    workers = [Worker(sessionmaker=make_sessionmaker(e), clock=bot.clock, client=bot.rt.client, policy=policy,
                      worker_id=f"replica-{i}", batch=50) for i, e in enumerate(engines)]
    try:
        ran = await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for e in engines:
            await e.dispose()
    assert all(n > 0 for n in ran), ran  # both replicas took part

    posted: Counter[tuple[str, str]] = Counter()
    for call in ws.calls_to("chat.postMessage"):
        if call.ok:
            text = call.args.get("text", "")
            kind = "ack" if "still unacknowledged" in text else "roles" if "still has nobody" in text else "other"
            posted[(call.args["channel"], kind)] += 1
    async with bot.rt.sessionmaker() as s:
        channels = [c for (c,) in (await s.execute(Incident.__table__.select().with_only_columns(
            Incident.channel_id))).all()]
    assert len(channels) == INCIDENTS
    assert {posted[(c, "ack")] for c in channels} == {1}
    assert {posted[(c, "roles")] for c in channels} == {1}
    assert sum(n for (_, kind), n in posted.items() if kind == "other") == 0
