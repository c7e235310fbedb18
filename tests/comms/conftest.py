"""Fixtures for communications: a bot whose policy routes updates to stakeholder channels and maps
components to Statuspage ids, a fake Statuspage, and helpers that act as people in Slack would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.emulator import SlackEmulator
from bot.emulator.driver import Reply
from bot.policy import Policy, default_policy
from bot.policy.comms import Comms, Component, Route
from models import ExternalMessage, Incident
from tests.comms.fake_statuspage import FakeStatuspage
from tests.conftest import Bot

STATUSPAGE_IDS = {"card_payments": "cmpcards", "bank_transfers": "cmpbank", "payouts": "cmppayouts",
                  "refunds": "cmprefunds", "api": "cmpapi", "dashboard": "cmpdash"}


@dataclass
class Stakeholders:
    executives: str  # SEV-1 only
    support: str  # SEV-1 and SEV-2
    security: str  # SEV-1 and SEV-2, private-safe


def comms_policy(st: Stakeholders | None = None, **comms: Any) -> Policy:
    base = default_policy()
    routes = {}
    if st is not None:
        routes = {
            "executives": Route(channel=st.executives, severities=("SEV-1",)),
            "support": Route(channel=st.support, severities=("SEV-1", "SEV-2")),
            "security": Route(channel=st.security, severities=("SEV-1", "SEV-2"), private_safe=True),
        }
    components = {k: Component(name=c.name, statuspage_id=STATUSPAGE_IDS[k])
                  for k, c in base.comms.components.items()}
    section = Comms(routes=routes, components=components, **comms)
    return base.model_copy(update={"comms": section})


@pytest.fixture
def stakeholders(emulator: SlackEmulator) -> Stakeholders:
    ws = emulator.workspace
    return Stakeholders(executives=ws.add_channel("exec-briefing", bot_member=True),
                        support=ws.add_channel("support-leads", bot_member=True),
                        security=ws.add_channel("security-council", is_private=True, bot_member=True))


@pytest_asyncio.fixture
async def cbot(bot_factory: Any, stakeholders: Stakeholders) -> Bot:
    bot: Bot = await bot_factory(policy=comms_policy(stakeholders))
    bot.stakeholders = stakeholders  # type: ignore[attr-defined]
    return bot


@pytest_asyncio.fixture
async def statuspage() -> AsyncIterator[FakeStatuspage]:
    fake = FakeStatuspage(components={sid: "operational" for sid in STATUSPAGE_IDS.values()})
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def spbot(bot_factory: Any, statuspage: FakeStatuspage) -> Bot:
    """A bot with the Statuspage connector on, pointed at the fake."""
    return await bot_factory(policy=comms_policy(), statuspage_page_id=statuspage.page_id,
                             statuspage_api_key=statuspage.api_key, statuspage_api_url=statuspage.url)


async def open_draft(bot: Bot, user: str, inc: Incident) -> dict[str, Any]:
    """Click "Draft customer message" on the card; the modal as the user sees it."""
    reply = await bot.driver.click(user, bot.card(inc), "incident_draft_message")
    assert reply.ok, reply.body
    modal = bot.ws.open_modal(user)
    assert modal is not None, "the draft modal did not open"
    return modal.view


def field_value(view: dict[str, Any], block_id: str) -> Any:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    el = block["element"]
    if "initial_option" in el:
        return el["initial_option"]["value"]
    if "initial_options" in el:
        return [o["value"] for o in el["initial_options"]]
    return el.get("initial_value")


async def publish(bot: Bot, user: str, inc: Incident, **values: Any) -> Reply:
    """Open the draft from the card and publish it, changing `values` (block id -> value) first."""
    await open_draft(bot, user, inc)
    reply = await bot.driver.submit(user, values)
    await bot.drain()
    return reply


async def external_messages(bot: Bot) -> list[ExternalMessage]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(ExternalMessage).order_by(ExternalMessage.id))).scalars())


def page_url(bot: Bot, path: str = "/status") -> str:
    return bot.url.replace("/slack/events", path)


async def get_json(bot: Bot, path: str = "/status.json") -> Any:
    async with aiohttp.ClientSession() as http, http.get(page_url(bot, path)) as resp:
        assert resp.status == 200
        return await resp.json()


async def get_html(bot: Bot, path: str = "/status") -> str:
    async with aiohttp.ClientSession() as http, http.get(page_url(bot, path)) as resp:
        assert resp.status == 200 and resp.content_type == "text/html"
        return await resp.text()
