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
from bot.incidents import blocks as cards
from bot.jobs.table import ClaimedJob, enqueue, mark_done
from bot.ops import logs
from bot.policy import Policy
from bot.policy.routes import is_person
from models import Incident
from models.db import Sessionmaker

JOB_EVENT = "incident_bot_job"  # the metadata event type of every message an effect posts

__all__ = ["ClaimedJob", "GaveUp", "JobContext", "NotReady", "RateLimited", "channel_of", "enqueue", "post_once",
           "reply_privately", "slack_error"]


class NotReady(Exception):
    """A prerequisite is missing for now (e.g. the channel); try again shortly without counting it."""


class GaveUp(Exception):
    """The effect cannot succeed, however often it is retried."""


class RateLimited(ConnectionError):
    """Slack (through a response_url) or a vendor said "slow down": the worker waits `retry_after`
    seconds (or backs off) and tries again, however often; a rate limit is never a failure."""

    rate_limited = True

    def __init__(self, message: str, retry_after: float | str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds, or the raw Retry-After header: the worker reads and bounds it


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
    about: Incident | None = None  # the incident as the effect last read it: what its messages are about
    posted_in: str | None = None  # the channel id Slack gave back for the last post (a name resolved)

    async def incident(self) -> Incident:
        async with self.sessionmaker() as session:
            inc = await session.get(Incident, self.job.incident_id)
        if inc is None:
            raise GaveUp(f"incident {self.job.incident_id} no longer exists")
        self.about = inc
        logs.incident_key.set(inc.key)
        return inc

    async def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, *,
                   thread_ts: str | None = None, join: bool = False) -> str:
        """chat.postMessage for an effect; the message's ts. Every post of an effect goes through here:

        - outside the incident's own channel, the policy's routes decide (bot/policy/routes.py): a private
          incident shows as a redacted notice where it is not private-safe; a drill's message that its
          routes do not allow stays in the drill's own channel, saying where it would have gone;
        - every message about a drill says DRILL in its notification text;
        - the message carries the job's id in its metadata, and a job run again after a crash (its earlier
          attempt may have posted before it could record so) looks for it before posting a second copy;
        - `join`: a public channel the bot is not in yet is joined, then posted in.
        """
        inc = self.about
        if inc is not None and channel != inc.channel_id:
            view = self.policy.route_view(channel, private=inc.private, drill=inc.drill)
            if view == "held":
                text, blocks = cards.held_for_drill(channel, text, blocks)
                channel, thread_ts = channel_of(inc), None
            elif view == "redacted":
                text, blocks = cards.redacted(inc, self.policy, channel), None
        text = self._marked(text)
        if self.job.attempts > 1 and not is_person(channel):
            earlier = await self._posted_before(channel)
            if earlier:
                return earlier
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "metadata": {
            "event_type": JOB_EVENT, "event_payload": {"job": self.job.id}}}
        if blocks:
            kwargs["blocks"] = blocks
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            resp = await self.client.chat_postMessage(**kwargs)
        except SlackApiError as exc:
            if not join or slack_error(exc) != "not_in_channel":
                raise
            await self.client.conversations_join(channel=channel)
            resp = await self.client.chat_postMessage(**kwargs)
        self.posted_in = str(resp.get("channel") or channel)
        return str(resp["ts"])

    async def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """chat.update for an effect, with the same notification text rules as `post`."""
        kwargs: dict[str, Any] = {"channel": channel, "ts": ts, "text": self._marked(text)}
        if blocks is not None:
            kwargs["blocks"] = blocks
        await self.client.chat_update(**kwargs)

    def _marked(self, text: str) -> str:
        if self.about is not None and self.about.drill and "DRILL" not in text:
            return f"[DRILL] {text}"
        return text

    async def _posted_before(self, channel: str) -> str | None:
        """The ts of this job's message among the channel's latest, when an earlier attempt posted it."""
        try:
            resp = await self.client.conversations_history(channel=channel, limit=50, include_all_metadata=True)
        except SlackApiError:
            return None  # no history scope, or the bot cannot read there: post (a duplicate beats nothing)
        for message in resp.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == JOB_EVENT and (meta.get("event_payload") or {}).get("job") == self.job.id:
                return str(message["ts"])
        return None

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
        await ctx.update(channel, ts, text, blocks)
        return None
    return await ctx.post(channel, text, blocks)


async def reply_privately(ctx: JobContext, to: dict[str, str], text: str) -> None:
    """Through the command's response_url while it lives, else by DM to `to["user"]` (a response_url
    expires after 30 minutes and five uses)."""
    url = to.get("response_url")
    if url:
        resp = await AsyncWebhookClient(url).send(text=ctx._marked(text), response_type="ephemeral")
        if resp.status_code == 200:
            return
        if resp.status_code == 429:
            raise RateLimited("response_url answered HTTP 429", _retry_after(resp.headers))
        if resp.status_code >= 500:
            raise ConnectionError(f"response_url answered HTTP {resp.status_code}")
    if to.get("user"):
        await ctx.post(to["user"], text)


def _retry_after(headers: Any) -> float | None:
    raw = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    try:
        return float(raw) if raw else None
    except (TypeError, ValueError):
        return None
