"""The incident's payment impact: set from a command, the card's form or the declare form, pre-filled
from an alert's labels; every change is an `impact_changed` fact with who, when and each field's old and
new value, so the impact's history is evidence. Also the earliest evidence (time to detect) and the
amount affected per quarter for the metrics."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput
from bot.core.records import get, require_open
from bot.impact import fields
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import announce, record
from models import Incident, IncidentImpact


async def current(session: AsyncSession, incident_id: int) -> dict[str, Any]:
    row = await session.get(IncidentImpact, incident_id)
    return dict(row.values) if row is not None else {}


async def _apply(session: AsyncSession, inc: Incident, now: datetime, actor: str, via: str,
                 changes: dict[str, Any], *, announce_it: bool = True) -> dict[str, Any]:
    assert inc.id is not None
    row = await session.get(IncidentImpact, inc.id, with_for_update=True)
    before = dict(row.values) if row is not None else {}
    after = {**before, **changes}
    after = {k: v for k, v in after.items() if v is not None}
    fields.check(after)
    diff = {k: [before.get(k), after.get(k)] for k in fields.FIELDS if before.get(k) != after.get(k)}
    if not diff:
        return before
    if row is None:
        session.add(IncidentImpact(incident_id=inc.id, values=after, updated_at=now, updated_by=actor))
    else:
        row.values, row.updated_at, row.updated_by = after, now, actor
    inc.updated_at = now
    fact = record(session, inc, now, actor, "impact_changed", via, changes=diff)
    if announce_it:
        announce(session, inc, now, fact, topic=False)
    return after


async def set_impact(*, session: AsyncSession, clock: Clock, incident_id: int, values: dict[str, Any], actor: str,
                     via: str) -> dict[str, Any]:
    """Change the fields named in `values` (None clears one); the others stay. Anyone in the incident may:
    the fact says who."""
    unknown = set(values) - set(fields.FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown impact field {sorted(unknown)[0]!r}. " + fields.USAGE)
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    return await _apply(session, inc, utc(clock.now()), actor, via, values)


def parse_form(raw: dict[str, Any]) -> dict[str, Any]:
    """The impact form's (or the declare form's) text inputs → typed values; an empty input clears."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields.FIELDS:
            continue
        if key == "data":
            kinds = value or []
            out["data"] = (["none"] if "none" in kinds else fields.parse_value("data", ",".join(kinds))) \
                if kinds else None
        else:
            out[key] = fields.parse_value(key, str(value or ""))
    return out


async def prefill(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *,
                  labels: dict[str, Any] | None = None, given: dict[str, Any] | None = None,
                  actor: str = "bot", via: str = "system") -> None:
    """At declaration: what the declare form gave, and what the alert's labels say (policy label map)
    for the fields nobody filled in."""
    changes: dict[str, Any] = dict(given or {})
    for field, items in fields.from_labels(labels or {}, policy.regulatory.labels).items():
        changes.setdefault(field, items)
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        await _apply(session, inc, now, actor, via, changes, announce_it=False)


async def from_alert(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *,
                     labels: dict[str, Any], started_at: datetime | None) -> None:
    """An alert joined the incident: its start is evidence, its labels pre-fill the impact."""
    evidence(inc, started_at)
    await prefill(session, policy, inc, now, labels=labels, via="alert")
    if inc.card_ts:
        enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)


def evidence(inc: Incident, at: datetime | None) -> None:
    """Time to detect counts from the earliest evidence: an alert's start, a reported message's time."""
    if at is None:
        return
    at = utc(at)
    if inc.detected_at is None or at < utc(inc.detected_at):
        inc.detected_at = min(at, utc(inc.created_at))


def aware_at(inc: Incident) -> datetime:
    """When the organisation became aware: the earliest evidence, else the declaration."""
    return utc(inc.detected_at) if inc.detected_at else utc(inc.created_at)


def quarter(dt: datetime) -> str:
    return f"{dt.year}-Q{(dt.month - 1) // 3 + 1}"


async def amount_per_quarter(session: AsyncSession, since: datetime) -> dict[str, dict[str, float]]:
    """{"2026-Q1": {"EUR": 12000.0}}: the impact amounts of incidents declared since `since`, drills left out."""
    rows = await session.execute(select(Incident.created_at, IncidentImpact.values)
                                 .join(IncidentImpact, IncidentImpact.incident_id == Incident.id)
                                 .where(Incident.created_at >= utc(since), Incident.drill.is_(False)))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for created, values in rows.all():
        if values.get("amount") is not None and values.get("currency"):
            q = out[quarter(utc(created))]
            q[values["currency"]] = q.get(values["currency"], 0.0) + float(values["amount"])
    return dict(sorted(out.items()))


async def show(*, session: AsyncSession, incident_id: int) -> tuple[Incident, dict[str, Any]]:
    return await get(session, incident_id), await current(session, incident_id)
