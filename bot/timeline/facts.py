"""Recording what happened: a timeline row is a fact, a kind and its values, never rendered text.

    record(session, inc, now, actor, kind, via, **data)   the fact, added to the caller's transaction
    announce(session, inc, now, fact, topic=...)          the change is visible: card, topic, a channel line

`actor` is a Slack user id, "bot", or the alert rules' pseudo-user. The values are ids (users, channels,
messages), numbers, old and new values and what people typed, as JSON. What each kind carries is
listed in bot/timeline/describe.py, which turns a fact into a sentence for Slack (bot/timeline/blocks.py),
the review document (bot/pir/document.py), a report or a webhook alike. A row written by an older
version that could not be read into values keeps its text as a `note` value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.table import enqueue
from models import Incident, TimelineEvent


def record(session: AsyncSession, inc: Incident, now: datetime, actor: str, kind: str, via: str = "system", /,
           **data: Any) -> TimelineEvent:
    assert inc.id is not None
    fact = TimelineEvent(incident_id=inc.id, at=now, actor=actor, kind=kind, data=data, via=via)
    session.add(fact)
    return fact


def as_payload(fact: TimelineEvent) -> dict[str, Any]:
    """A fact as a job carries it, to be rendered when the job runs."""
    return {"kind": fact.kind, "actor": fact.actor, "data": fact.data}


def announce(session: AsyncSession, inc: Incident, now: datetime, fact: TimelineEvent, *, topic: bool) -> None:
    """The change shows everywhere it should: the card redrawn, the topic when it names what changed,
    and the fact's line in the incident channel."""
    enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)
    if topic:
        enqueue(session, kind="set_topic", incident_id=inc.id, now=now)
    enqueue(session, kind="post_fact", incident_id=inc.id, now=now, payload=as_payload(fact))


@dataclass(frozen=True)
class Page:
    events: list[TimelineEvent]
    number: int
    pages: int
    total: int
