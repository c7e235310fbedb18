"""The timeline beyond what the services record themselves: messages people pin (or mark with a 📌
reaction) in an incident channel, notes, and reading it back a page at a time.

A pinned message becomes a `pinned` row keyed by its ts and how it was marked (a pin or a reaction);
unpinning or removing the reaction deletes that row again. A reaction carries no text, so the row
starts with a placeholder and a job reads the message from Slack and fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.clock import Clock, utc
from bot.errors import InvalidInput
from bot.jobs import enqueue
from bot.services.common import event, get
from models import Incident, TimelineEvent

PIN_REACTION = "pushpin"  # 📌
MAX_NOTE = 3000
MAX_PINNED_TEXT = 1000
PER_PAGE = 20
PLACEHOLDER = "(a message pinned with a reaction; reading it…)"


async def _incident_in(session: AsyncSession, channel_id: str | None) -> Incident | None:
    if not channel_id:
        return None
    return (await session.execute(select(Incident).where(Incident.channel_id == channel_id))).scalar_one_or_none()


async def _pinned_rows(session: AsyncSession, incident_id: int, ts: str, source: str) -> list[TimelineEvent]:
    rows = await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                                             TimelineEvent.kind == "pinned"))
    return [e for e in rows.scalars() if e.data.get("ts") == ts and e.data.get("source") == source]


def pinned_text(author: str | None, text: str) -> str:
    body = t.truncate(" ".join((text or "").split()), MAX_PINNED_TEXT) or "(a message without text)"
    return f"Pinned: {t.user(author)}: {body}" if author else f"Pinned: {body}"


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
    row = event(inc, now, actor, "pinned", pinned_text(author, text) if text is not None else PLACEHOLDER, source,
                {"ts": ts, "source": source, "author": author})
    session.add(row)
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
    if row is not None and row.text == PLACEHOLDER:
        row.text = pinned_text(author, text)
        row.data = {**row.data, "author": author}


async def note(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, text: str,
               via: str) -> Incident:
    body = (text or "").strip()
    if not body:
        raise InvalidInput("Usage: `/incident note <what to remember>`.")
    if len(body) > MAX_NOTE:
        raise InvalidInput(f"Keep a note to {MAX_NOTE} characters (it has {len(body)}).")
    inc = await get(session, incident_id)
    now = utc(clock.now())
    session.add(event(inc, now, actor, "note", body, via))
    enqueue(session, kind="post_channel", incident_id=incident_id, now=now,
            payload={"text": f":spiral_note_pad: {t.user(actor)} noted: {t.escape(body)}"})
    return inc


@dataclass(frozen=True)
class Page:
    events: list[TimelineEvent]
    number: int
    pages: int
    total: int


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
