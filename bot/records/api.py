"""The read API's queries: incidents with filters and paging, one incident with its roles, impact and
durations, its timeline. Who may see what is decided here: a token without the private grant never
learns that a private incident exists (it is "not found")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.core.errors import InvalidInput, NotFound
from bot.impact import service as impact
from bot.pir.records import review_for
from bot.policy import Policy
from bot.records.webhooks import incident_json, iso
from models import STATUSES, ActionItem, ConfluencePage, Incident, JiraIssue, TimelineEvent

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
IMPACT_ANSWERS = ("impact_start", "impact_end", "failed_transactions", "amount_affected", "merchants_affected",
                  "regions")


@dataclass(frozen=True)
class Viewer:
    name: str
    private: bool  # may see private incidents


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"limit is a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def parse_cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 9:  # ids are 32-bit integers
        raise InvalidInput("cursor is the next_cursor of the previous page.")
    return int(raw)


def parse_severity(raw: str | None, policy: Policy) -> int | None:
    if raw is None:
        return None
    value = raw.strip().upper().removeprefix("SEV-").removeprefix("SEV")
    if not value.isdigit() or int(value) not in policy.levels:
        raise InvalidInput(f"severity is one of {', '.join(s.name for s in policy.severities)}.")
    return int(value)


def parse_status(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in STATUSES:
        raise InvalidInput(f"status is one of {', '.join(STATUSES)}.")
    return raw


def parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("since is an ISO 8601 time, e.g. 2026-12-01T00:00:00Z.") from None
    if at.tzinfo is None:
        raise InvalidInput("since needs a time zone, e.g. 2026-12-01T00:00:00Z.")
    return utc(at)


def parse_key(raw: str) -> int:
    value = raw.strip().upper().removeprefix("INC-")
    if not value.isdigit() or len(value) > 9:
        raise NotFound("There is no such incident.")
    return int(value)


def summary(inc: Incident) -> dict[str, Any]:
    return {**incident_json(inc), "drill": inc.drill}


async def list_incidents(*, session: AsyncSession, viewer: Viewer, status: str | None, severity: int | None,
                         since: datetime | None, limit: int, cursor: int | None) -> dict[str, Any]:
    """Newest first; `cursor` is the number below which the next page starts."""
    stmt = select(Incident).order_by(Incident.number.desc()).limit(limit + 1)
    if not viewer.private:
        stmt = stmt.where(Incident.private.is_(False))
    if status:
        stmt = stmt.where(Incident.status == status)
    if severity is not None:
        stmt = stmt.where(Incident.severity == severity)
    if since is not None:
        stmt = stmt.where(Incident.created_at >= since)
    if cursor is not None:
        stmt = stmt.where(Incident.number < cursor)
    rows = list((await session.execute(stmt)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"incidents": [summary(i) for i in rows], "next_cursor": str(rows[-1].number) if more and rows else None}


async def _visible(session: AsyncSession, viewer: Viewer, key: str) -> Incident:
    number = parse_key(key)
    inc = (await session.execute(select(Incident).where(Incident.number == number))).scalar_one_or_none()
    if inc is None or (inc.private and not viewer.private):
        raise NotFound(f"There is no incident INC-{number}.")
    return inc


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((utc(end) - utc(start)).total_seconds()) if start and end else None


async def incident(*, session: AsyncSession, policy: Policy, viewer: Viewer, key: str) -> dict[str, Any]:
    inc = await _visible(session, viewer, key)
    start = inc.ack_started_at or inc.created_at
    review = await review_for(session, inc.id)  # type: ignore[arg-type]
    answers = review.answers if review else {}
    items = list((await session.execute(select(ActionItem).where(ActionItem.incident_id == inc.id)
                                        .order_by(ActionItem.id))).scalars())
    jira = {j.action_item_id: j for j in (await session.execute(
        select(JiraIssue).where(JiraIssue.incident_id == inc.id))).scalars()}
    page = (await session.execute(select(ConfluencePage).where(ConfluencePage.incident_id == inc.id))
            ).scalar_one_or_none()
    try:
        sev_impact = policy.severity(inc.severity).impact
    except KeyError:
        sev_impact = None
    return {
        **summary(inc),
        "impact": {"severity_impact": sev_impact, **{k: answers.get(k) for k in IMPACT_ANSWERS}},
        "payment_impact": await impact.current(session, inc.id),  # type: ignore[arg-type]
        "detected_at": iso(inc.detected_at),
        "durations": {"time_to_detect": _seconds(inc.detected_at, inc.created_at) if inc.detected_at else None,
                      "time_to_acknowledge": _seconds(start, inc.acknowledged_at),
                      "time_to_mitigate": _seconds(start, inc.mitigated_at),
                      "time_to_resolve": _seconds(start, inc.resolved_at)},
        "review": {"state": review.state, "owner": review.owner_id, "due_at": iso(review.due_at),
                   "completed_at": iso(review.completed_at), "confluence_url": page.url if page else None}
        if review else None,
        "action_items": [{"id": i.id, "description": i.description, "owner": i.owner_id, "kind": i.kind,
                          "due_date": i.due_date.isoformat(), "status": i.status, "done_at": iso(i.done_at),
                          "jira_key": jira[i.id].key if i.id in jira else None,
                          "jira_url": jira[i.id].url if i.id in jira else None} for i in items],
        "jira_key": jira[None].key if None in jira else None,
    }


async def timeline(*, session: AsyncSession, viewer: Viewer, key: str, limit: int,
                   cursor: int | None) -> dict[str, Any]:
    """Oldest first; `cursor` is the event id after which the next page starts."""
    inc = await _visible(session, viewer, key)
    stmt = select(TimelineEvent).where(TimelineEvent.incident_id == inc.id).order_by(TimelineEvent.id).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(TimelineEvent.id > cursor)
    rows = list((await session.execute(stmt)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"incident": inc.key,
            "events": [{"id": e.id, "at": iso(e.at), "kind": e.kind, "actor": e.actor, "via": e.via, "data": e.data}
                       for e in rows],
            "next_cursor": str(rows[-1].id) if more and rows else None}
