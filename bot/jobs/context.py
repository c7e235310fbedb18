"""What an effect runs with: the job, the Slack client, sessions, the clock and the policy; the two
exceptions an effect raises on purpose; and the helpers every domain's effects share.

An effect reads what it needs as it is now, calls Slack (or another vendor), and records what came back
(a channel id, a message ts) in the same transaction that finishes the job (`JobContext.finish`). It
raises NotReady when something it needs does not exist yet (the channel is still being created) and
GaveUp when no retry can help; any other error reaches the worker, which retries or fails the job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock
from bot.jobs.table import ClaimedJob, enqueue, mark_done
from bot.policy import Policy
from models import Incident
from models.db import Sessionmaker

__all__ = ["ClaimedJob", "GaveUp", "JobContext", "NotReady", "channel_of", "enqueue", "post_once", "reply_privately",
           "slack_error"]


class NotReady(Exception):
    """A prerequisite is missing for now (e.g. the channel); try again shortly without counting it."""


class GaveUp(Exception):
    """The effect cannot succeed, however often it is retried."""


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer was not JSON (a 5xx page)."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"


@dataclass
class JobContext:
    job: ClaimedJob
    client: AsyncWebClient
    sessionmaker: Sessionmaker
    clock: Clock
    policy: Policy
    worker_id: str
    finished: bool = field(default=False)
    settings: Settings | None = None  # for effects that call services besides Slack

    async def incident(self) -> Incident:
        async with self.sessionmaker() as session:
            inc = await session.get(Incident, self.job.incident_id)
        if inc is None:
            raise GaveUp(f"incident {self.job.incident_id} no longer exists")
        return inc

    @asynccontextmanager
    async def finish(self) -> AsyncIterator[AsyncSession]:
        """A transaction that also marks the job done: what the effect records and the job's
        completion commit together, or neither does."""
        async with self.sessionmaker() as session, session.begin():
            yield session
            if not await mark_done(session, self.job, worker_id=self.worker_id, now=self.clock.now()):
                raise GaveUp("lost the job's lease while running it")
        self.finished = True


def channel_of(inc: Incident) -> str:
    if not inc.channel_id:
        raise NotReady(f"{inc.key} has no channel yet")
    return inc.channel_id


async def post_once(ctx: JobContext, *, channel: str, ts: str | None, text: str,
                    blocks: list[dict[str, Any]]) -> str | None:
    """Post a message the caller records by its ts. With `ts` it was posted before a crash lost the
    job's completion: update it in place, never post a second copy. The new ts, or None."""
    if ts:
        await ctx.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        return None
    resp = await ctx.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return str(resp["ts"])


async def reply_privately(ctx: JobContext, to: dict[str, str], text: str) -> None:
    """Through the command's response_url while it lives, else by DM to `to["user"]` (a response_url
    expires after 30 minutes and five uses)."""
    url = to.get("response_url")
    if url:
        resp = await AsyncWebhookClient(url).send(text=text, response_type="ephemeral")
        if resp.status_code == 200:
            return
        if resp.status_code == 429 or resp.status_code >= 500:
            raise ConnectionError(f"response_url answered HTTP {resp.status_code}")
    if to.get("user"):
        await ctx.client.chat_postMessage(channel=to["user"], text=text)
