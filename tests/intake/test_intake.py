"""The group-commit intake on the ack path (bot/intake): a 200 means the request is stored, requests
keep their order, a request stored before a crash is applied once after it, and a refusal that only
the incident's state can make reaches the person privately."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from bot.jobs import table as jobs
from bot.jobs.worker import LEASE
from models import Incident, Job
from models.db import make_engine, make_sessionmaker
from tests.conftest import Bot
from tests.serving import serve, until


async def _stored(bot: Bot, url: str) -> list[Job]:
    """The jobs as another process would read them: a fresh engine, nothing cached."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            return list((await s.execute(select(Job).where(Job.kind == "intake_apply").order_by(Job.id))).scalars())
    finally:
        await engine.dispose()


async def test_the_200_means_the_declaration_is_stored_and_it_is_applied_with_its_number(bot: Bot, db_url: str) -> None:
    p = bot.people
    reply = await bot.command(p.alice, "declare sev2 Refunds stuck in NL")
    assert reply.status == 200 and "*INC-1*" in reply.json["text"]
    assert "#inc-1-refunds-stuck-in-nl" in reply.json["text"]
    stored = await _stored(bot, db_url)  # durable before the answer, seen from another connection
    assert [(j.state, j.payload["service"], j.payload["args"]["number"], j.payload["args"]["title"])
            for j in stored] == [("pending", "declare", 1, "Refunds stuck in NL")]
    assert await bot.incidents() == []  # the worker applies it
    await bot.drain()
    inc = await bot.incident(1)
    assert (inc.title, inc.severity, inc.declared_by) == ("Refunds stuck in NL", 2, p.alice)
    assert inc.created_at == bot.clock.now()
    assert bot.ws.channel_by_name("inc-1-refunds-stuck-in-nl").id == inc.channel_id
    assert [j.state for j in await _stored(bot, db_url)] == ["done"]


async def test_concurrent_declarations_each_get_the_number_their_ack_said(bot: Bot) -> None:
    p = bot.people
    users = [p.alice, p.bob, p.carol, p.dave]
    replies = await asyncio.gather(*(bot.command(users[i % 4], f"declare sev3 Load number {i}") for i in range(40)))
    said = {}
    for i, reply in enumerate(replies):
        assert reply.status == 200
        said[i] = int(re.search(r"\*INC-(\d+)\*", reply.json["text"]).group(1))
    assert sorted(said.values()) == list(range(1, 41))  # gapless, never shared
    await bot.drain()
    got = {inc.title: inc.number for inc in await bot.incidents()}
    assert got == {f"Load number {i}": n for i, n in said.items()}
    assert len(bot.ws.calls_to("conversations.create")) == 40


async def test_severity_clicks_are_applied_in_the_order_they_were_acknowledged(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev3 Payouts delayed")
    card = bot.card(inc)
    for level in ("1", "4", "2"):
        bot.clock.advance(10)
        assert (await bot.driver.select(p.bob, card, "incident_severity", level)).status == 200
    assert (await bot.incident(1)).severity == 3  # stored, not applied yet
    await bot.drain()
    assert (await bot.incident(1)).severity == 2
    changes = [(e.data["from"], e.data["to"]) for e in await bot.timeline(1) if e.kind == "severity_changed"]
    assert changes == [("SEV-3", "SEV-1"), ("SEV-1", "SEV-4"), ("SEV-4", "SEV-2")]
    ats = [e.at for e in await bot.timeline(1) if e.kind == "severity_changed"]
    assert ats[1] - ats[0] == timedelta(seconds=10)  # as of each click, not of when the worker ran


async def test_a_request_claimed_by_a_worker_that_died_is_applied_once_by_another(bot_factory) -> None:
    a = await bot_factory()
    b = await bot_factory(clock=a.clock)
    assert (await a.command(a.people.alice, "declare sev1 Gateway down")).status == 200
    # worker A claims the stored request and dies before applying it (its lease is never renewed)
    dead = await jobs.claim(a.rt.worker.sessionmaker, worker_id="dead-worker", now=a.clock.now(), lease=LEASE,
                            limit=10)
    assert [j.kind for j in dead] == ["intake_apply"]
    assert await b.worker.drain() == 0  # leased: nobody else runs it meanwhile
    a.clock.advance(LEASE + timedelta(seconds=1))
    await b.drain()
    await a.drain()
    assert [(i.number, i.title) for i in await b.incidents()] == [(1, "Gateway down")]
    assert len(b.ws.calls_to("conversations.create")) == 1
    assert len([m for m in b.messages(b.people.announce) if "INC-1" in m.text]) == 1


async def test_a_change_the_incident_refuses_reaches_the_person_privately_and_changes_nothing(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Settlement file late")
    async with bot.rt.sessionmaker() as s, s.begin():
        await s.execute(update(Incident).where(Incident.id == inc.id).values(status="closed"))
    reply = await bot.driver.select(p.carol, bot.card(inc), "incident_severity", "1")
    assert reply.status == 200
    await bot.drain()
    assert (await bot.incident(1)).severity == 2
    assert any("INC-1 is closed" in e for e in bot.ephemerals(p.carol))
    assert not [e for e in await bot.timeline(1) if e.kind == "severity_changed"]


async def test_a_click_on_an_incident_that_does_not_exist_is_refused_and_stores_nothing(bot: Bot, db_url: str) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Card auth errors")
    card = bot.card(inc)
    forged = [{**b, "block_id": b["block_id"].replace(":1", ":999")} if "block_id" in b else b for b in card.blocks]
    card.blocks[:] = forged
    reply = await bot.driver.select(p.bob, card, "incident_severity", "1")
    assert reply.status == 200
    await bot.drain()
    assert any("does not exist" in e for e in bot.ephemerals(p.bob))
    assert [j.payload["service"] for j in await _stored(bot, db_url)] == ["declare"]
    assert (await bot.incident(1)).severity == 2



async def test_kill_9_right_after_the_acks_loses_no_declaration_and_repeats_no_effect(tmp_path: Path) -> None:
    async with SlackEmulator() as emu:
        ws = emu.workspace
        alice = ws.add_user("alice")
        general = ws.add_channel("general", members=[alice], bot_member=True)
        env = {"SLACK_SIGNING_SECRET": "intake-secret", "INCIDENT_ANNOUNCE_CHANNEL": general}
        emu.slow("conversations.create", 2.0)  # the worker is still busy with the first when the process dies
        async with serve(emu, tmp_path, **env) as first:
            async with SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{first.port}/slack/events",
                                                signing_secret="intake-secret") as driver:
                replies = await asyncio.gather(*(driver.command(alice, general, f"declare sev2 Crash test {i}")
                                                 for i in range(20)))
            first.proc.kill()  # kill -9 as soon as every request was acknowledged
            await asyncio.to_thread(first.proc.wait, 10)
        assert all(r.status == 200 and "INC-" in r.json["text"] for r in replies)
        emu.clear_faults()
        async with serve(emu, tmp_path, **env) as second:
            await until(lambda: len([m for m in ws.messages_in(general) if "Crash test" in m.text]) >= 20,
                        "20 announcements", timeout=60)
            await asyncio.sleep(1.0)
            assert await second.stop() == 0
    names = sorted(c.args["name"] for c in ws.calls_to("conversations.create") if c.ok)
    assert len(names) == 20 and len(set(names)) == 20
    announced = [m.text for m in ws.messages_in(general) if "Crash test" in m.text]
    assert len(announced) == 20
    said = sorted(int(re.search(r"\*INC-(\d+)\*", r.json["text"]).group(1)) for r in replies)
    assert said == list(range(1, 21))
