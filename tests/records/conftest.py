"""Fixtures for records: the fake Atlassian site, a webhook receiver, and a bot with Jira, Confluence and
two outgoing webhooks (one private-safe) turned on in its policy, pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from sqlmodel import select

from bot.emulator.atlassian import FakeAtlassian
from bot.emulator.receiver import WebhookReceiver
from bot.policy import default_policy
from bot.policy.confluence import ConfluencePolicy
from bot.policy.jira import JiraPolicy
from bot.policy.webhooks import Webhook
from models import ActionItem, WebhookDelivery
from tests.conftest import Bot

JIRA_SECRET = "jira-webhook-secret-0123456789"
HOOK_SECRET = "dashboard-secret-0123456789abcdef"
SAFE_SECRET = "security-secret-0123456789abcdef"
TOKEN = "read-token-0123456789abcdef"
PRIVATE_TOKEN = "private-token-0123456789abcdef"


@pytest_asyncio.fixture
async def atlassian() -> AsyncIterator[FakeAtlassian]:
    fake = FakeAtlassian()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def receivers() -> AsyncIterator[tuple[WebhookReceiver, WebhookReceiver]]:
    public, safe = WebhookReceiver(HOOK_SECRET), WebhookReceiver(SAFE_SECRET)
    await public.start()
    await safe.start()
    yield public, safe
    await public.stop()
    await safe.stop()


def records_policy(receivers: tuple[WebhookReceiver, WebhookReceiver] | None = None, **jira: Any) -> Any:
    hooks: tuple[Webhook, ...] = ()
    if receivers is not None:
        public, safe = receivers
        hooks = (Webhook(name="dashboard", url=public.url, secret=HOOK_SECRET),
                 Webhook(name="security", url=safe.url, secret=SAFE_SECRET, private_safe=True,
                         events=("incident.declared", "incident.resolved")))
    return default_policy().model_copy(update={
        "jira": JiraPolicy(enabled=True, project="PAY", labels=("incident-follow-up",), **jira),
        "confluence": ConfluencePolicy(enabled=True, space_id="98306"),
        "webhooks": hooks,
    })


@pytest_asyncio.fixture
async def rbot(bot_factory: Any, atlassian: FakeAtlassian,
               receivers: tuple[WebhookReceiver, WebhookReceiver]) -> Bot:
    bot: Bot = await bot_factory(
        policy=records_policy(receivers), jira_url=atlassian.url, confluence_url=atlassian.url,
        atlassian_email=atlassian.email, atlassian_api_token=atlassian.api_token, jira_webhook_secret=JIRA_SECRET,
        api_tokens=_tokens())
    atlassian.webhook_url = url(bot, "/webhooks/jira")
    atlassian.webhook_secret = JIRA_SECRET
    for r in receivers:
        r.clock = bot.clock
    # the owners' Slack profiles carry their email (users:read.email), and Jira knows them by it
    for user, email in ((bot.people.alice, "alice@example.com"), (bot.people.bob, "bob@example.com")):
        bot.ws.users[user].email = email
        atlassian.add_user(email, bot.ws.users[user].real_name)
    return bot


def _tokens() -> tuple[Any, ...]:
    from bot.config import parse_api_tokens
    return parse_api_tokens(f"dash:{TOKEN},audit:{PRIVATE_TOKEN}:private")


def url(bot: Bot, path: str) -> str:
    return bot.url.replace("/slack/events", path)


async def get(bot: Bot, path: str, token: str | None = TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(url(bot, path), headers=headers) as resp:
        return resp.status, await resp.json()


async def items(bot: Bot) -> list[ActionItem]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(ActionItem).order_by(ActionItem.id))).scalars())


async def deliveries(bot: Bot) -> list[WebhookDelivery]:
    async with bot.rt.sessionmaker() as s:
        return list((await s.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))).scalars())
