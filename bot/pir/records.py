"""What the review's modules share: finding an incident's review and its action items, the highest
severity the incident reached, and showing the review card after a change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.jobs.table import enqueue
from bot.policy import Policy
from models import ActionItem, ConfluencePage, Incident, JiraIssue, Pir, TimelineEvent


def epoch(dt: datetime) -> int:
    return int(utc(dt).timestamp())


async def review_for(session: AsyncSession, incident_id: int, *, for_update: bool = False) -> Pir | None:
    stmt = select(Pir).where(Pir.incident_id == incident_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


def show_card(session: AsyncSession, incident_id: int | None, now: datetime) -> None:
    """Post the review's card once, and bring it up to date with what this transaction changed."""
    enqueue(session, kind="pir_card", incident_id=incident_id, now=now, dedupe_key=f"pir_card:{incident_id}")
    enqueue(session, kind="pir_card_refresh", incident_id=incident_id, now=now)


async def actions_of(session: AsyncSession, *, incident_id: int | None = None, owner: str | None = None,
                     open_only: bool = True) -> list[tuple[ActionItem, Incident]]:
    stmt = select(ActionItem, Incident).join(Incident, Incident.id == ActionItem.incident_id)
    if incident_id is not None:
        stmt = stmt.where(ActionItem.incident_id == incident_id)
    if owner is not None:
        stmt = stmt.where(ActionItem.owner_id == owner)
    if open_only:
        stmt = stmt.where(ActionItem.status == "open")
    rows = await session.execute(stmt.order_by(ActionItem.due_date, ActionItem.id))
    return [(item, inc) for item, inc in rows.all()]


def severities_reached(rows: Iterable[tuple[str, dict[str, Any]]], policy: Policy) -> list[int]:
    """The severity levels an incident had, from its (kind, data) timeline rows."""
    by_name = {s.name: s.level for s in policy.severities}
    found = []
    for kind, data in rows:
        level = data.get("severity") if kind == "declared" else (
            by_name.get(str(data.get("to"))) if kind == "severity_changed" else None)
        if isinstance(level, int) and level in by_name.values():
            found.append(level)
    return found


async def peak_severity(session: AsyncSession, policy: Policy, inc: Incident) -> int:
    """The highest severity (lowest level) the incident ever had: a SEV-1 lowered to SEV-3 once
    mitigated is still reviewed as a SEV-1."""
    rows = await session.execute(select(TimelineEvent.kind, TimelineEvent.data).where(
        TimelineEvent.incident_id == inc.id, TimelineEvent.kind.in_(("declared", "severity_changed"))))
    return min([inc.severity, *severities_reached(((k, d) for k, d in rows.all()), policy)])


async def tracker_links(session: AsyncSession, item_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Action item id -> (key, URL) of its Jira issue, for those that have one (bot/records/ makes them)."""
    if not item_ids:
        return {}
    rows = await session.execute(select(JiraIssue.action_item_id, JiraIssue.key, JiraIssue.url)
                                 .where(JiraIssue.action_item_id.in_(item_ids)))
    return {item: (key, url) for item, key, url in rows.all() if item is not None}


async def review_page(session: AsyncSession, incident_id: int) -> str | None:
    """The URL of the review's Confluence page, once it is published."""
    return (await session.execute(select(ConfluencePage.url).where(ConfluencePage.incident_id == incident_id))
            ).scalar_one_or_none()
