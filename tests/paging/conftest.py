"""Paging fixtures: the PagerDuty and Opsgenie fakes over real HTTP, a bot whose policy routes SEV-1/2
to a PagerDuty service (and payouts to an Opsgenie team), and Slack users whose emails the pagers know."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from sqlmodel import select

from bot.emulator import SlackEmulator
from bot.emulator.opsgenie import FakeOpsgenie
from bot.emulator.pagerduty import FakePagerDuty
from bot.policy import Policy, default_policy
from bot.policy.paging import PageRoute, Paging
from models import Page
from tests.conftest import Bot


@dataclass
class Pagers:
    pd: FakePagerDuty
    og: FakeOpsgenie
    key: str  # the PagerDuty service's integration key
    policy_id: str  # its escalation policy
    erin: str  # Slack user, on call first in both pagers
    frank: str  # Slack user, PagerDuty's level 2
    pd_erin: str  # PagerDuty user ids
    pd_frank: str


def paging_policy(p: Pagers, **changes: Any) -> Policy:
    routes = {
        "gateway": PageRoute(pager="pagerduty", service="Payment gateway", integration_key=p.key,
                             escalation_policy=p.policy_id),
        "payouts": PageRoute(pager="opsgenie", service="Payouts", team="payouts-team", schedule="payouts_oncall",
                             escalation="payouts_escalation", surfaces=("payout",)),
    }
    return default_policy().model_copy(update={"paging": Paging(routes=routes, **changes)})


@pytest_asyncio.fixture
async def pagers(emulator: SlackEmulator) -> AsyncIterator[Pagers]:
    pd, og = FakePagerDuty(), FakeOpsgenie()
    await pd.start()
    await og.start()
    ws = emulator.workspace
    erin = ws.add_user("erin", "Erin Evans", email="erin@payments.example")
    frank = ws.add_user("frank", "Frank Fox", email="frank@payments.example")
    pd_erin, pd_frank = pd.add_user("Erin Evans", "erin@payments.example"), pd.add_user("Frank Fox",
                                                                                        "frank@payments.example")
    key, _, ep = pd.add_service("Payment gateway", [pd_erin, pd_frank])
    og.teams.add("payouts-team")
    og.escalations.add("payouts_escalation")
    og.schedules["payouts_oncall"] = ["erin@payments.example"]
    yield Pagers(pd, og, key, ep, erin, frank, pd_erin, pd_frank)
    await pd.stop()
    await og.stop()


def pager_settings(p: Pagers) -> dict[str, Any]:
    return dict(pagerduty_events_url=p.pd.url, pagerduty_api_url=p.pd.url, pagerduty_api_token=p.pd.api_token,
                pagerduty_from_email="frank@payments.example", pagerduty_webhook_secret=p.pd.webhook_secret,
                opsgenie_api_url=p.og.url, opsgenie_api_key=p.og.api_key, opsgenie_webhook_token=p.og.webhook_token)


@pytest_asyncio.fixture
async def make_pbot(bot_factory: Any, pagers: Pagers) -> Any:
    async def make(policy: Policy | None = None, **overrides: Any) -> Bot:
        bot: Bot = await bot_factory(policy=policy or paging_policy(pagers), **{**pager_settings(pagers), **overrides})
        base = bot.url.removesuffix("/slack/events")
        pagers.pd.webhook_url = f"{base}/webhooks/pagerduty"
        pagers.og.webhook_url = f"{base}/webhooks/opsgenie"
        return bot

    return make


@pytest_asyncio.fixture
async def pbot(make_pbot: Any) -> Bot:
    return await make_pbot()


async def page_of(bot: Bot, number: int = 1) -> Page:
    inc = await bot.incident(number)
    async with bot.rt.sessionmaker() as s:
        page = (await s.execute(select(Page).where(Page.incident_id == inc.id))).scalar_one()
        return page


def card_text(bot: Bot, inc: Any) -> str:
    import json

    return json.dumps(bot.card(inc).blocks)
