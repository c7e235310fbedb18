"""The timeline beyond what the services record themselves: messages people pin (or mark with a 📌
reaction) in an incident channel, notes, and reading it back a page at a time.

A pinned message becomes a `pinned` fact keyed by its ts and how it was marked (a pin or a reaction);
unpinning or removing the reaction deletes that row again. A reaction carries no text, so the fact
starts without one and a job reads the message from Slack and fills it in.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import text as t
from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput
from bot.core.records import get
from bot.incidents.service import for_channel
from bot.jobs.table import enqueue
from bot.timeline.facts import Page, as_payload, record
from models import Incident, TimelineEvent

PIN_REACTION = "pushpin"  # 📌
MAX_NOTE = 3000
MAX_PINNED_TEXT = 1000
PER_PAGE = 20


async def _incident_in(session: AsyncSession, channel_id: str | None) -> Incident | None:
    if not channel_id:
        return None
    return (await session.execute(select(Incident).where(Incident.channel_id == channel_id))).scalar_one_or_none()


async def _pinned_rows(session: AsyncSession, incident_id: int, ts: str, source: str) -> list[TimelineEvent]:
    rows = await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                                             TimelineEvent.kind == "pinned"))
    return [e for e in rows.scalars() if e.data.get("ts") == ts and e.data.get("source") == source]


def _body(text: str | None) -> str:
    """A pinned message's text as the timeline keeps it: on one line, at most MAX_PINNED_TEXT long."""
    return t.truncate(" ".join((text or "").split()), MAX_PINNED_TEXT)


async def pin(*, session: AsyncSession, clock: Clock, channel_id: str | None, ts: str, actor: str,
              source: str, author: str | None = None, text: str | None = None) -> TimelineEvent | None:
    """A message was pinned (`source` "pin") or got a 📌 (`source` "reaction"). None when the channel
    is no incident's, the message is the incident's own card, or it is on the timeline already."""
    inc = await _incident_in(session, channel_id)
    if inc is None or inc.id is None or not ts or ts == inc.card_ts:
        return None
    if await _pinned_rows(session, inc.id, ts, source):
        return None
    now = utc(clock.now())
    row = record(session, inc, now, actor, "pinned", source, ts=ts, source=source, author=author,
                 text=_body(text) if text is not None else None)
    await session.flush()
    if text is None:
        enqueue(session, kind="read_pinned", incident_id=inc.id, now=now, payload={"event": row.id, "ts": ts})
    return row


async def unpin(*, session: AsyncSession, channel_id: str | None, ts: str, source: str) -> int:
    """The pin or the reaction is gone: its row leaves the timeline. Returns how many rows went."""
    inc = await _incident_in(session, channel_id)
    if inc is None or inc.id is None:
        return 0
    rows = await _pinned_rows(session, inc.id, ts, source)
    for row in rows:
        await session.delete(row)
    return len(rows)


async def fill_pinned(*, session: AsyncSession, event_id: int, author: str | None, text: str) -> None:
    row = await session.get(TimelineEvent, event_id)
    if row is not None and row.data.get("text") is None:
        row.data = {**row.data, "author": author, "text": _body(text)}


async def note(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, text: str,
               via: str) -> Incident:
    body = (text or "").strip()
    if not body:
        raise InvalidInput("Usage: `/incident note <what to remember>`.")
    if len(body) > MAX_NOTE:
        raise InvalidInput(f"Keep a note to {MAX_NOTE} characters (it has {len(body)}).")
    inc = await get(session, incident_id)
    now = utc(clock.now())
    fact = record(session, inc, now, actor, "note", via, text=body)
    enqueue(session, kind="post_fact", incident_id=incident_id, now=now, payload=as_payload(fact))
    return inc


async def page(session: AsyncSession, incident_id: int, number: int, per_page: int = PER_PAGE) -> Page:
    """Page `number` (1 is the oldest) of the incident's timeline, oldest first."""
    total = (await session.execute(select(func.count()).select_from(TimelineEvent)
                                   .where(TimelineEvent.incident_id == incident_id))).scalar_one()
    pages = max(1, -(-total // per_page))
    if number < 1 or number > pages:
        raise InvalidInput(f"The timeline has {pages} page{'s' if pages != 1 else ''}; "
                           f"ask for one from 1 to {pages}.")
    rows = await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
                                 .order_by(TimelineEvent.at, TimelineEvent.id)
                                 .offset((number - 1) * per_page).limit(per_page))
    return Page(list(rows.scalars()), number, pages, total)


async def page_in_channel(session: AsyncSession, *, channel_id: str | None, number: int) -> tuple[Incident, Page]:
    """`/incident timeline`: the incident of the channel, and page `number` of its timeline."""
    inc = await for_channel(session, channel_id)
    assert inc.id is not None
    return inc, await page(session, inc.id, number)
