"""Shared fixtures: a fresh database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL names
one), the Slack emulator over real HTTP, and the real bot served on a local port with a FakeClock.

Every database test runs once per backend through the `db_url` parameter.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, select

import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.emulator import SlackEmulator
from bot.emulator.driver import Reply, SlackDriver
from bot.emulator.state import Message, Workspace
from bot.runtime import Runtime
from models import Incident, Job, TimelineEvent
from models.db import make_engine

SIGNING_SECRET = "test-signing-secret"
PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

_ENV_PREFIXES = ("SLACK_", "INCIDENT_", "DATABASE_URL", "PORT", "LOG_LEVEL", "LOG_FORMAT", "METRICS_PORT",
                 "STATUSPAGE_", "ALERTS_", "PUBLIC_URL", "PAGERDUTY_", "OPSGENIE_",
                 "JIRA_", "CONFLUENCE_", "ATLASSIAN_", "API_TOKENS")


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's .env or shell must never leak into a test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name, raising=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        params = [pytest.param("sqlite", id="sqlite")]
        params.append(pytest.param("postgresql", id="postgresql",
                                   marks=[] if PG_URL else [pytest.mark.skip(reason="TEST_DATABASE_URL not set")]))
        metafunc.parametrize("db_url", params, indirect=True)


_pg_schema_ready = False


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/incidents.db"
    return PG_URL


async def _reset_postgres(engine: AsyncEngine) -> None:
    """Recreate the schema once per run (models may have changed), then empty every table per test."""
    global _pg_schema_ready
    async with engine.begin() as conn:
        if not _pg_schema_ready:
            await conn.run_sync(SQLModel.metadata.drop_all)
            await conn.run_sync(SQLModel.metadata.create_all)
            _pg_schema_ready = True
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)
    if db_url.startswith("postgresql"):
        await _reset_postgres(eng)
    else:
        async with eng.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[SlackEmulator]:
    emu = SlackEmulator()
    await emu.start()
    yield emu
    await emu.stop()


@dataclass
class People:
    alice: str
    bob: str
    carol: str
    dave: str
    general: str  # a public channel everyone is in, where commands are typed
    announce: str  # the announcement channel


def seed(ws: Workspace) -> People:
    alice = ws.add_user("alice", "Alice Adams")
    bob = ws.add_user("bob", "Bob Brown")
    carol = ws.add_user("carol", "Carol Chen")
    dave = ws.add_user("dave", "Dave Diaz")
    general = ws.add_channel("payments-support", members=[alice, bob, carol, dave], bot_member=True)
    announce = ws.add_channel("incidents", members=[alice, bob, carol, dave], bot_member=True)
    return People(alice, bob, carol, dave, general, announce)


class Bot:
    """The real bot served over HTTP, the emulator it talks to, and a driver that plays Slack."""

    def __init__(self, rt: Runtime, emu: SlackEmulator, driver: SlackDriver, clock: FakeClock, people: People,
                 url: str) -> None:
        self.rt, self.emu, self.driver, self.clock, self.people, self.url = rt, emu, driver, clock, people, url
        self.ws = emu.workspace
        self.worker = rt.worker

    async def command(self, user: str, text: str, channel: str | None = None) -> Reply:
        return await self.driver.command(user, channel or self.people.general, text)

    async def drain(self) -> int:
        """Let listeners that already acked finish, then run every job that is due."""
        await self.rt.inflight.idle()
        return await self.worker.drain()

    async def declare(self, text: str = "sev1 Card payments failing in EU", user: str | None = None) -> Incident:
        """Declare by command and let the worker set everything up; the incident as stored."""
        reply = await self.command(user or self.people.alice, f"declare {text}")
        assert reply.status == 200, reply.body
        await self.drain()
        return (await self.incidents())[-1]

    async def resolve(self, number: int = 1, user: str | None = None, *, checks: list[int] | None = None,
                      reason: str | None = None) -> Reply:
        """Resolve through the resolution checks (every check ticked unless `checks` names some)."""
        inc = await self.incident(number)
        user = user or self.people.alice
        reply = await self.command(user, "resolve", inc.channel_id)
        assert reply.status == 200, reply.body
        count = len(self.rt.settings.policy.resolution.checks)
        values: dict[str, Any] = {"checks": [str(i) for i in (range(count) if checks is None else checks)]}
        if reason is not None:
            values["reason"] = reason
        reply = await self.driver.submit(user, values)
        await self.drain()
        return reply

    async def incidents(self) -> list[Incident]:
        async with self.rt.sessionmaker() as s:
            return list((await s.execute(select(Incident).order_by(Incident.number))).scalars())

    async def incident(self, number: int) -> Incident:
        async with self.rt.sessionmaker() as s:
            return (await s.execute(select(Incident).where(Incident.number == number))).scalar_one()

    async def timeline(self, number: int) -> list[TimelineEvent]:
        inc = await self.incident(number)
        async with self.rt.sessionmaker() as s:
            rows = await s.execute(select(TimelineEvent).where(TimelineEvent.incident_id == inc.id)
                                   .order_by(TimelineEvent.id))
            return list(rows.scalars())

    async def jobs(self) -> list[Job]:
        async with self.rt.sessionmaker() as s:
            return list((await s.execute(select(Job).order_by(Job.id))).scalars())

    def card(self, inc: Incident) -> Message:
        assert inc.channel_id and inc.card_ts
        msg = self.ws.message(inc.channel_id, inc.card_ts)
        assert msg is not None
        return msg

    def messages(self, channel: str) -> list[Message]:
        return self.ws.messages_in(channel)

    def ephemerals(self, user: str) -> list[str]:
        return [e.text for e in self.ws.ephemerals_for(user)]


def settings_for(emu: SlackEmulator, db_url: str, **overrides: Any) -> Settings:
    base = dict(slack_bot_token=emu.bot_token, slack_signing_secret=SIGNING_SECRET, slack_api_url=emu.api_url,
                database_url=db_url)
    base.update(overrides)
    return Settings(**base)


@pytest_asyncio.fixture
async def bot_factory(engine: AsyncEngine, emulator: SlackEmulator, db_url: str) -> AsyncIterator[Any]:
    """Builds bots on one database and emulator: most tests need one, replica tests two."""
    people = seed(emulator.workspace)
    started: list[tuple[web.AppRunner, SlackDriver, Runtime]] = []

    async def make(clock: FakeClock | None = None, **overrides: Any) -> Bot:
        clock = clock or FakeClock()
        overrides.setdefault("announce_channel", people.announce)
        rt = Runtime.create(settings_for(emulator, db_url, **overrides), clock=clock, engine=engine)
        runner = web.AppRunner(rt.web_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/slack/events"
        driver = SlackDriver.for_emulator(emulator, app_url=url, signing_secret=SIGNING_SECRET)
        started.append((runner, driver, rt))
        return Bot(rt, emulator, driver, clock, people, url)

    yield make
    for runner, driver, rt in started:
        await driver.close()
        await runner.cleanup()
        await rt.worker_engine.dispose()


@pytest_asyncio.fixture
async def bot(bot_factory: Any) -> Bot:
    return await bot_factory()
