"""Action items: what the review decided someone will do, by when. The owner is told by DM and
reminded once the due day has passed (bot/pir/reminders.py); the owner, whoever added it or the IC
marks it done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, NotFound, NotInIncidentChannel
from bot.core.records import get
from bot.incidents.service import for_channel
from bot.jobs.table import enqueue
from bot.pir import reminders
from bot.pir.records import actions_of, review_for, show_card, tracker_links
from bot.policy import Policy
from bot.timeline.facts import record
from models import ACTION_KINDS, MAX_ACTION, ActionItem, Incident

_IN_DAYS = re.compile(r"^(\d{1,3})([dw])$")
RELATIVE = re.compile(r"^(today|tomorrow|\d{1,3}[dw])$", re.IGNORECASE)
FURTHEST = timedelta(days=5 * 366)  # an action item due later than this is a typo


def parse_due_date(raw: str, today: date) -> date:
    """`2026-12-01`, `today`, `tomorrow`, `3d`, `2w`."""
    value = raw.strip().lower()
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    m = _IN_DAYS.match(value)
    if m:
        n = int(m.group(1))
        return today + timedelta(days=n * (7 if m.group(2) == "w" else 1))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("`{raw}` is not a due date: write 2026-12-01, tomorrow, 3d or 2w.", field="due",
                           values={"raw": raw[:20]}) from None


def is_relative(raw: str) -> bool:
    """A due date said relative to today (`tomorrow`, `3d`): whose today it is matters."""
    return bool(RELATIVE.match(raw.strip()))


async def add_action(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                     owner: str | None, due: date | str | None, kind: str | None, description: str,
                     via: str, tz_offset: int = 0) -> ActionItem:
    """`due` is a date, or what someone typed for one (`tomorrow`, `3d`, `2026-12-01`), read in the
    actor's time zone (`tz_offset`, seconds east of UTC, as Slack's users.info says)."""
    text = (description or "").strip()
    if not text:
        raise InvalidInput("Describe the action.", field="description")
    if len(text) > MAX_ACTION:
        raise InvalidInput(f"Keep an action item to {MAX_ACTION} characters (it has {len(text)}).",
                           field="description")
    if not owner:
        raise InvalidInput("Choose who owns it.", field="owner")
    if due is None:
        raise InvalidInput("Choose a due date.", field="due")
    now = utc(clock.now())
    today = (now + timedelta(seconds=tz_offset)).date()
    if isinstance(due, str):
        due = parse_due_date(due, today)
    kind = kind or "prevent"
    if kind not in ACTION_KINDS:
        raise InvalidInput(f"The kind is one of {', '.join(ACTION_KINDS)}.", field="kind")
    if due < today:
        raise InvalidInput("The due date is in the past.", field="due")
    if due > today + FURTHEST:
        raise InvalidInput(f"Pick a due date within five years (by {today + FURTHEST:%Y-%m-%d}).", field="due")
    inc = await get(session, incident_id, for_update=True)
    item = ActionItem(incident_id=incident_id, description=text, owner_id=owner, due_date=due, kind=kind,
                      created_by=actor, created_at=now)
    session.add(item)
    await session.flush()
    assert item.id is not None
    record(session, inc, now, actor, "action_added", via, item=item.id, owner=owner, due=due.isoformat(), kind=kind,
           description=text)
    enqueue(session, kind="action_assigned", incident_id=incident_id, now=now, payload={"item": item.id})
    reminders.plan_action(session, item, now)
    if await review_for(session, incident_id) is not None:
        show_card(session, incident_id, now)
    return item


async def mark_action_done(*, session: AsyncSession, clock: Clock, item_id: int, actor: str, via: str,
                           message: dict[str, str] | None = None) -> tuple[ActionItem, bool]:
    """The owner, the IC or whoever created the item marks it done. Returns (item, changed).
    `message` (channel, ts) is the message the button was on: it is redrawn to say the item is done."""
    item = await session.get(ActionItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"There is no action item #{item_id}.")
    inc = await get(session, item.incident_id)
    if actor not in (item.owner_id, item.created_by, inc.commander_id):
        raise InvalidInput(f"Only {{owner}} (the owner), whoever added it, or the IC can mark action item #{item_id} "
                           "done.", people={"owner": item.owner_id})
    if item.status == "done":
        return item, False
    await _done(session, item, inc, utc(clock.now()), actor, via, message)
    return item, True


async def close_from_tracker(*, session: AsyncSession, clock: Clock, item_id: int, tracker: str,
                             issue: str) -> bool:
    """The item's issue in a tracker (Jira) was closed there: the item is done, by the bot on the tracker's
    word (no Slack user did it). False when it was done already."""
    item = await session.get(ActionItem, item_id, with_for_update=True)
    if item is None or item.status == "done":
        return False
    inc = await get(session, item.incident_id)
    await _done(session, item, inc, utc(clock.now()), "bot", tracker, None, issue=issue)
    return True


async def _done(session: AsyncSession, item: ActionItem, inc: Incident, now: datetime, actor: str, via: str,
                message: dict[str, str] | None, **extra: str) -> None:
    item.status, item.done_at, item.done_by = "done", now, actor
    record(session, inc, now, actor, "action_done", via, item=item.id, description=item.description, **extra)
    if message:
        enqueue(session, kind="action_done_message", incident_id=item.incident_id, now=now,
                payload={"item": item.id, **message})
    if await review_for(session, item.incident_id) is not None:
        show_card(session, item.incident_id, now)


@dataclass(frozen=True)
class Listing:
    title: str
    rows: list[tuple[ActionItem, Incident]]
    links: dict[int, tuple[str, str]]  # item id -> (its Jira issue's key, URL)


async def listing(*, session: AsyncSession, channel_id: str | None, viewer: str, mine: bool) -> Listing:
    """`/incident actions`: in an incident channel, that incident's open items; elsewhere (or `mine`), the
    viewer's own from every incident."""
    inc = None
    if not mine:
        try:
            inc = await for_channel(session, channel_id)
        except NotInIncidentChannel:
            inc = None
    if inc is not None:
        title, rows = f"Open action items of {inc.key}", await actions_of(session, incident_id=inc.id)
    else:
        title, rows = "Your open action items", await actions_of(session, owner=viewer)
    return Listing(title, rows, await tracker_links(session, [item.id for item, _ in rows if item.id]))
