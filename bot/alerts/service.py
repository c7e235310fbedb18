"""Alert intake and triage: store every alert as received, fold alerts into groups, post and
refresh one triage message per group, and the triage decisions (acknowledge, dismiss, attach to an
incident, declare one, or let an auto-declare rule declare it).

Grouping: alerts of one stream join the stream's current group while it is attached to an open
incident, or while the group's last alert is within the policy's window; otherwise a new group (and
a new triage message) starts. A stream is the source's own group when it has one (Alertmanager's and
Grafana's groupKey: one triage message lists the group's alerts), else the alert's fingerprint. A
group resolves when every alert in it has; a firing one after that re-fires it. With grouping off
every firing alert is a group of its own (the benchmark's baseline).

Slack pace: a new group's message is scheduled at the channel's next free posting slot
(policy.alerts.post_interval apart, Slack allows about one chat.postMessage a second per
channel), and a group has at most one queued refresh, at most one per update_interval; a click
refreshes at once. Concurrent requests for one stream queue on its AlertStream row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.alerts.sources import ParsedAlert
from bot.core.clock import Clock, utc
from bot.core.errors import IncidentBotError, InvalidInput, InvalidTransition, NotFound
from bot.impact import service as impact
from bot.incidents import service as incidents
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import record
from models import (
    ALERT_ACTOR,
    MAX_TITLE,
    OPEN_STATUSES,
    Alert,
    AlertChannel,
    AlertGroup,
    AlertStream,
    Incident,
    IncidentMember,
    SeenSignature,
    TimelineEvent,
)


@dataclass
class Ingested:
    """What one webhook request did: alerts stored, groups touched, incidents auto-declared."""

    stored: int = 0
    groups: list[int] = field(default_factory=list)
    new_groups: int = 0
    declared: list[str] = field(default_factory=list)


# -- lookups ----------------------------------------------------------------------------------

async def get_group(session: AsyncSession, group_id: int, *, for_update: bool = False) -> AlertGroup:
    group = await session.get(AlertGroup, group_id, with_for_update=for_update or None)
    if group is None:
        raise NotFound("This alert is no longer known to the bot.")
    return group


def _dialect(session: AsyncSession) -> str:
    return "postgresql" if session.bind is not None and session.bind.dialect.name == "postgresql" else "sqlite"


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def _locked(session: AsyncSession, model: type[Any], key: Any, values: dict[str, Any]) -> Any:
    """The row `key` of `model`, created with `values` when missing, locked until commit (two
    requests inserting it at once both end up with the one row)."""
    row = await session.get(model, key, with_for_update=True)
    if row is not None:
        return row
    insert = _INSERT[_dialect(session)](model.__table__).values(**values).on_conflict_do_nothing()
    await session.execute(insert)
    row = await session.get(model, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


# -- intake ----------------------------------------------------------------------------------

def detection_source(alert: ParsedAlert) -> str:
    """Synthetic payment tests say so in their source or labels; everything else is monitoring."""
    origin = " ".join([alert.labels.get("source", ""), alert.labels.get("check_type", "")]).lower()
    return "synthetic" if "synthetic" in origin else "monitoring"


class Replayed(IncidentBotError):
    """A signed request came again: its signature was taken already."""


REPLAY_WINDOW = timedelta(minutes=10)  # longer than the five minutes a timestamp may be off


async def _first_time(session: AsyncSession, source: str, signature: str, now: datetime) -> None:
    """Replayed unless this is the first time the signature is seen (across replicas: a primary key)."""
    await session.execute(delete(SeenSignature).where(SeenSignature.seen_at < now - REPLAY_WINDOW))
    insert = _INSERT[_dialect(session)](SeenSignature.__table__).values(source=source, signature=signature,
                                                                       seen_at=now).on_conflict_do_nothing()
    if (await session.execute(insert)).rowcount == 0:
        raise Replayed("this signature was used before: a replayed request is refused; sign each one afresh")


async def ingest(*, session: AsyncSession, clock: Clock, policy: Policy, alerts: list[ParsedAlert],
                 channel: str | None, announce_channel: str | None = None, signature: str | None = None) -> Ingested:
    """Store every alert and fold it into its group. `channel` is where triage messages go
    (None: groups are kept without a message); `announce_channel` is for auto-declared incidents;
    `signature`, a timestamped one the request was signed with, is refused when seen before."""
    now = utc(clock.now())
    if signature is not None and alerts:
        await _first_time(session, alerts[0].source, signature, now)
    done = Ingested()
    streams: dict[tuple[str, str], AlertStream] = {}
    locked: dict[int, AlertGroup] = {}  # groups this transaction holds the lock of
    sizes: dict[tuple[str, str], set[str]] = {}
    for alert in alerts:
        sizes.setdefault(stream_key(alert), set()).add(alert.fingerprint)
    for alert in alerts:
        key = stream_key(alert)
        stream = streams.get(key)
        if stream is None:
            stream = await _stream(session, key, locked)
            streams[key] = stream
        group = await _current(session, policy, stream, alert, now, locked)
        if alert.status == "firing":
            if group is None:
                group = await _new_group(session, policy, alert, now, channel, several=len(sizes[key]) > 1)
                locked[group.id] = group  # type: ignore[index]
                stream.group_id = group.id
                done.new_groups += 1
                declared = await _auto_declare(session, clock, policy, group, alert, now, announce_channel)
                if declared:
                    done.declared.append(declared)
                await _queue_post(session, policy, group, now)  # after the incident's jobs, if one was declared
            else:
                new_member = alert.fingerprint not in group.members
                _member(group, alert)
                await _fired(session, policy, group, now)
                if new_member and group.incident_id is None:  # a new alert of the group may meet a rule
                    declared = await _auto_declare(session, clock, policy, group, alert, now, announce_channel)
                    if declared:
                        done.declared.append(declared)
                        queue_refresh(session, policy, group, now, urgent=True)
        elif group is not None:
            _member(group, alert)
            if any(m.get("status") == "firing" for m in group.members.values()):
                queue_refresh(session, policy, group, now)  # others in its group still fire
            else:
                await _resolved(session, policy, group, alert, now)
        session.add(Alert(source=alert.source, fingerprint=alert.fingerprint, status=alert.status,
                          title=alert.title, severity=alert.severity[:40] if alert.severity else None,
                          started_at=alert.started_at,
                          ended_at=alert.ended_at, received_at=now, group_id=group.id if group else None,
                          payload=alert.raw))
        done.stored += 1
        if group is not None and group.id not in done.groups:
            done.groups.append(group.id)  # type: ignore[arg-type]
    return done


def stream_key(alert: ParsedAlert) -> tuple[str, str]:
    """Where an alert belongs: the source's own group when it names one, else the alert's fingerprint."""
    if alert.group_key:
        return alert.source, "group:" + hashlib.sha256(alert.group_key.encode()).hexdigest()[:40]
    return alert.source, alert.fingerprint


def _member(group: AlertGroup, alert: ParsedAlert) -> None:
    """The alert's latest state among its group's, and what the source last said of the group."""
    group.members[alert.fingerprint] = {"title": alert.title, "status": alert.status}
    flag_modified(group, "members")  # changed in place: a notification may bring thousands
    group.truncated = alert.truncated
    if alert.links:
        group.links = {**group.links, **alert.links}


async def _stream(session: AsyncSession, key: tuple[str, str], locked: dict[int, AlertGroup]) -> AlertStream:
    """The stream's row and its current group, both locked, in one round trip when both exist
    (the common case in a storm); else the stream row, created if new."""
    found = (await session.execute(
        select(AlertStream, AlertGroup).join(AlertGroup, AlertStream.group_id == AlertGroup.id)
        .where(AlertStream.source == key[0], AlertStream.fingerprint == key[1]).with_for_update()
    )).first()
    if found is not None:
        locked[found[1].id] = found[1]
        return found[0]
    return await _locked(session, AlertStream, key, {"source": key[0], "fingerprint": key[1]})


async def _current(session: AsyncSession, policy: Policy, stream: AlertStream, alert: ParsedAlert,
                   now: datetime, locked: dict[int, AlertGroup]) -> AlertGroup | None:
    if stream.group_id is None:
        return None
    group = locked.get(stream.group_id)
    if group is None:
        group = await session.get(AlertGroup, stream.group_id, with_for_update=True)
        if group is None:
            return None
        locked[stream.group_id] = group
    if alert.status == "resolved":
        return group  # a resolution closes whatever the stream last opened, however late
    if not policy.alerts.grouping:
        return None
    if group.incident_id is not None:
        inc = await session.get(Incident, group.incident_id)
        if inc is not None and inc.status in OPEN_STATUSES:
            return group
    if now - utc(group.last_seen) <= policy.alerts.window:
        return group
    return None


async def _new_group(session: AsyncSession, policy: Policy, alert: ParsedAlert, now: datetime,
                     channel: str | None, *, several: bool = False) -> AlertGroup:
    """`several`: the notification brings several alerts of one group, so the group's name is the title."""
    started = min(utc(alert.started_at), now) if alert.started_at else now
    title = (alert.group_title or alert.title) if several else alert.title
    group = AlertGroup(
        source=alert.source, fingerprint=alert.fingerprint, title=title[:300], summary=alert.summary,
        severity=alert.severity[:40] if alert.severity else None,
        suggested_severity=policy.alerts.suggest(alert.severity), detection_source=detection_source(alert),
        labels=alert.labels, link=alert.link, status="firing", count=1, started_at=started, first_seen=now,
        last_seen=now, channel_id=channel, truncated=alert.truncated, links=dict(alert.links),
        members={alert.fingerprint: {"title": alert.title, "status": alert.status}},
    )
    session.add(group)
    await session.flush()  # the id, for the stream and the jobs
    return group


async def _queue_post(session: AsyncSession, policy: Policy, group: AlertGroup, now: datetime) -> None:
    if group.channel_id:
        slot = await _post_slot(session, policy, group.channel_id, now)
        enqueue(session, kind="alert_post", incident_id=group.incident_id, now=now, due_at=slot,
                payload={"group": group.id})


async def _post_slot(session: AsyncSession, policy: Policy, channel: str, now: datetime) -> datetime:
    """The channel's next free posting time, taken: new triage messages keep Slack's pace."""
    row = await _locked(session, AlertChannel, channel, {"channel_id": channel, "next_post_at": now})
    slot = max(now, utc(row.next_post_at))
    row.next_post_at = slot + policy.alerts.post_interval
    return slot


async def _fired(session: AsyncSession, policy: Policy, group: AlertGroup, now: datetime) -> None:
    group.count += 1
    group.last_seen = now
    if group.status == "resolved":
        group.status, group.resolved_at = "firing", None
        group.refires += 1
        group.reported_count = group.count
        if group.incident_id is not None:
            tell_incident(session, group, now, "refired", count=group.count)
        queue_refresh(session, policy, group, now, urgent=True)
        return
    queue_refresh(session, policy, group, now)


async def _resolved(session: AsyncSession, policy: Policy, group: AlertGroup, alert: ParsedAlert,
                    now: datetime) -> None:
    group.last_seen = max(utc(group.last_seen), now)
    if group.status == "resolved":
        return
    group.status = "resolved"
    group.resolved_at = min(utc(alert.ended_at), now) if alert.ended_at else now
    if group.incident_id is not None:
        tell_incident(session, group, now, "resolved")
    queue_refresh(session, policy, group, now, urgent=True)


def tell_incident(session: AsyncSession, group: AlertGroup, now: datetime, line: str, **values: Any) -> None:
    """A line about the group in its incident's channel (bot/alerts/blocks.py words it): the alert fired
    again, was resolved, was attached, or fired more times."""
    enqueue(session, kind="alert_line", incident_id=group.incident_id, now=now,
            payload={"line": line, "group": group.id, **values})


def queue_refresh(session: AsyncSession, policy: Policy, group: AlertGroup, now: datetime, *,
                  urgent: bool = False) -> None:
    """Show the group's latest state on its triage message: at most one refresh queued at a time
    and one per update_interval, unless `urgent` (a person's click, a resolution)."""
    group.dirty = True
    if group.message_ts is None:
        return  # the pending post shows the latest state, and queues a refresh if it changes meanwhile
    if group.refresh_queued and not urgent:
        return
    due = now
    if not urgent and group.shown_at is not None:
        due = max(now, utc(group.shown_at) + policy.alerts.update_interval)
    group.refresh_queued = True
    # With its incident's id the refresh runs after that incident's earlier jobs (its channel first).
    enqueue(session, kind="alert_refresh", incident_id=group.incident_id, now=now, due_at=due,
            payload={"group": group.id})


# -- auto-declare ------------------------------------------------------------------------------

async def _auto_declare(session: AsyncSession, clock: Clock, policy: Policy, group: AlertGroup,
                        alert: ParsedAlert, now: datetime, announce_channel: str | None) -> str | None:
    labels = {**alert.labels}
    if alert.severity:
        labels.setdefault("severity", alert.severity)
    rule = next((r for r in policy.alerts.auto_declare if r.matches(alert.source, labels)), None)
    if rule is None:
        return None
    severity = rule.severity or policy.alerts.suggest(alert.severity)
    inc = await incidents.declare(
        session=session, clock=clock, policy=policy, title=group.title[:MAX_TITLE], severity=severity,
        declared_by=ALERT_ACTOR, source=group.detection_source, commander_id=rule.commander,
        started_at=group.started_at, announce_channel=announce_channel, reply={"user": rule.commander or ""},
        hints=_hints(group),
        via="alert")
    await session.flush()  # what declare() wrote, so it can be amended below
    if rule.commander is None:
        # Nobody was named: the incident starts without a commander (the role reminders ask for
        # one) and the rule's pseudo-user is neither a member nor invited.
        inc.commander_id = None
        await session.execute(delete(IncidentMember).where(IncidentMember.incident_id == inc.id,
                                                           IncidentMember.user_id == ALERT_ACTOR))
    declared = (await session.execute(select(TimelineEvent).where(
        TimelineEvent.incident_id == inc.id, TimelineEvent.kind == "declared"))).scalar_one()
    declared.data = {**declared.data, "rule": rule.title, "alert_group": group.id, "commander": inc.commander_id}
    _attach(group, inc, now, actor=ALERT_ACTOR)
    record(session, inc, now, ALERT_ACTOR, "alert_attached", "alert", how="auto", **_facts(group))
    await impact.from_alert(session, policy, inc, now, labels=group.labels, started_at=group.started_at)
    return inc.key


def _hints(group: AlertGroup) -> tuple[str, ...]:
    """What the monitoring says the alert is about (its labels' values), for guessing the incident's type."""
    return tuple(str(v) for k, v in sorted(group.labels.items()) if k not in ("severity", "env") and v)


def _facts(group: AlertGroup) -> dict[str, Any]:
    """What the timeline keeps of an alert group attached to an incident."""
    return {"group": group.id, "title": group.title, "source": group.source, "status": group.status,
            "count": group.count, "started_at": utc(group.started_at).isoformat(),
            "first_seen": utc(group.first_seen).isoformat(), "link": group.link, "labels": group.labels}


def _attach(group: AlertGroup, inc: Incident, now: datetime, *, actor: str) -> None:
    group.incident_id = inc.id
    group.attached_by, group.attached_at = actor, now
    group.reported_count = group.count


# -- triage decisions ----------------------------------------------------------------------------

async def acknowledge(*, session: AsyncSession, clock: Clock, policy: Policy, group_id: int, actor: str) -> bool:
    """Someone is looking at it. False when it was acknowledged already."""
    group = await get_group(session, group_id, for_update=True)
    if group.acknowledged_at is not None:
        return False
    now = utc(clock.now())
    group.acknowledged_by, group.acknowledged_at = actor, now
    queue_refresh(session, policy, group, now, urgent=True)
    return True


async def dismiss(*, session: AsyncSession, clock: Clock, policy: Policy, group_id: int, actor: str) -> bool:
    """Noise: the group stays, counted, without buttons. False when dismissed already."""
    group = await get_group(session, group_id, for_update=True)
    if group.incident_id is not None:
        raise InvalidTransition("This alert is part of an incident; it cannot be dismissed.")
    if group.dismissed_at is not None:
        return False
    now = utc(clock.now())
    group.dismissed_by, group.dismissed_at = actor, now
    queue_refresh(session, policy, group, now, urgent=True)
    return True


async def attach(*, session: AsyncSession, clock: Clock, policy: Policy, group_id: int, incident_id: int,
                 actor: str, via: str) -> Incident:
    """Link the group to an open incident: its later firings and its resolution go to the incident's channel."""
    group = await get_group(session, group_id, for_update=True)
    inc = await session.get(Incident, incident_id, with_for_update=True)
    if inc is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    if inc.status not in OPEN_STATUSES:
        raise InvalidInput(f"{inc.key} is {inc.status}; attach the alert to an open incident.", field="incident")
    if group.incident_id == inc.id:
        return inc
    if group.incident_id is not None:
        other = await session.get(Incident, group.incident_id)
        raise InvalidInput(f"This alert is already attached to {other.key if other else 'another incident'}.",
                           field="incident")
    now = utc(clock.now())
    _attach(group, inc, now, actor=actor)
    group.dismissed_by = group.dismissed_at = None
    record(session, inc, now, actor, "alert_attached", via, how="attached", **_facts(group))
    await impact.from_alert(session, policy, inc, now, labels=group.labels, started_at=group.started_at)
    tell_incident(session, group, now, "attached", actor=actor, count=group.count,
                  status="resolved" if group.status == "resolved" else "firing")
    queue_refresh(session, policy, group, now, urgent=True)
    return inc


async def declare_for(*, session: AsyncSession, clock: Clock, policy: Policy, group_id: int, actor: str,
                      **declare_args: Any) -> Incident:
    """Declare an incident from the group's triage message and attach the group to it."""
    group = await get_group(session, group_id, for_update=True)
    if group.incident_id is not None:
        other = await session.get(Incident, group.incident_id)
        raise InvalidInput(f"This alert already belongs to {other.key if other else 'an incident'}.", field="title")
    inc = await incidents.declare(session=session, clock=clock, policy=policy, declared_by=actor,
                                  hints=_hints(group), **declare_args)
    await session.flush()  # the incident row before the group points at it
    now = utc(clock.now())
    _attach(group, inc, now, actor=actor)
    group.dismissed_by = group.dismissed_at = None
    record(session, inc, now, actor, "alert_attached", "modal", how="declared", **_facts(group))
    await impact.from_alert(session, policy, inc, now, labels=group.labels, started_at=group.started_at)
    queue_refresh(session, policy, group, now, urgent=True)
    return inc


def record_message(session: AsyncSession, clock: Clock, inc: Incident, *, actor: str, message: dict[str, Any]) -> None:
    """The incident was declared from a Slack message: keep where it came from on the timeline and post
    the quote in the incident's channel with a link back."""
    now = utc(clock.now())
    quoted = {"permalink": message.get("permalink"), "channel": message.get("channel"), "ts": message.get("ts"),
              "author": message.get("author")}
    record(session, inc, now, actor, "reported_from_message", "shortcut", **quoted)
    ts = str(message.get("ts") or "")
    if ts.replace(".", "", 1).isdigit():  # the reported message's time is the earliest evidence
        impact.evidence(inc, datetime.fromtimestamp(float(ts), UTC))
    enqueue(session, kind="reported_message", incident_id=inc.id, now=now,
            payload={**quoted, "text": str(message.get("text") or "")})


async def declare_from(*, session: AsyncSession, clock: Clock, policy: Policy, declared_by: str,
                       alert_group: int | None = None, message: dict[str, Any] | None = None,
                       **declare_args: Any) -> Incident:
    """The declare form, submitted: from an alert's triage message (`alert_group`, attached in the same
    transaction), from a Slack message (`message`, quoted in the new channel), or from scratch."""
    if alert_group is not None:
        inc = await declare_for(session=session, clock=clock, policy=policy, group_id=alert_group,
                                actor=declared_by, **declare_args)
    else:
        inc = await incidents.declare(session=session, clock=clock, policy=policy, declared_by=declared_by,
                                      **declare_args)
    if message is not None:
        record_message(session, clock, inc, actor=declared_by, message=message)
    return inc


async def group_view(session: AsyncSession, group_id: int) -> tuple[AlertGroup, Incident | None]:
    """A group and its incident, as the triage message shows them."""
    group = await get_group(session, group_id)
    inc = await session.get(Incident, group.incident_id) if group.incident_id is not None else None
    return group, inc


async def attach_choices(session: AsyncSession, *, group_id: int,
                         viewer: str) -> tuple[AlertGroup, Incident | None, list[Incident]]:
    """The group, its incident, and the open incidents the viewer may attach it to."""
    group, inc = await group_view(session, group_id)
    return group, inc, await incidents.list_open(session, viewer=viewer)
