"""The timeline holds facts: each row's rendered Slack text is read back into values, and the text column
goes. A row whose text cannot be read keeps it as its `note` value, which is what it shows from then on.

This migration is frozen: it knows the texts the bot wrote up to revision 0005, and imports nothing of
the bot's own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USER = r"<@([^>|]+)(?:\|[^>]*)?>"
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_SOURCES = {"Alertmanager": "alertmanager", "Datadog": "datadog", "Grafana": "grafana", "Webhook": "generic"}
_MASS = re.compile("@\u200b(channel|here|everyone)")


def _raw(escaped: str) -> str:
    """What someone typed, from the mrkdwn the old code escaped it into."""
    return _MASS.sub(r"@\1", escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _seconds(spoken: str) -> int:
    """`45s`, `12m`, `3m 20s`, `2h 5m`, `2h` back into seconds."""
    m = _DURATION.match(spoken.strip())
    if not m or not any(m.groups()):
        raise ValueError(spoken)
    h, mins, s = (int(g or 0) for g in m.groups())
    return h * 3600 + mins * 60 + s


def _match(pattern: str, text: str) -> re.Match[str]:
    m = re.match(pattern, text, re.DOTALL)
    if m is None:
        raise ValueError(text)
    return m


def _iso_at(at: Any, clock: str) -> str:
    """A time of day the old text kept (HH:MM[:SS] UTC), on the row's own day."""
    day = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    parts = [int(p) for p in clock.split(":")]
    return day.replace(hour=parts[0], minute=parts[1], second=parts[2] if len(parts) > 2 else 0,
                       microsecond=0).isoformat()


def _declared(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    auto = re.match(r"^Declared SEV-\d+ automatically by alert rule “(.*?)”: (.*)$", text, re.DOTALL)
    if auto:
        return {"rule": data.get("rule") or _raw(auto.group(1)), "title": _raw(auto.group(2))}
    return {"title": _raw(_match(rf"^Declared SEV-\d+ by {_USER}: (.*)$", text).group(2))}


def _leadership(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    m = _match(r"^Escalated to leadership \((.*)\) (?:in <#([A-Z0-9]+)(?:\|[^>]*)?>|but the policy names no "
               r"escalation channel)$", text)
    return {"why": m.group(1), "channel": m.group(2)}


def _ack_reminder(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    m = _match(r"^Still unacknowledged after (.+?); pinged (?:<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>|the on-call "
               r"engineer)$", text)
    return {"seconds": _seconds(m.group(1)), "group": m.group(2)}


def _ack_breach(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    m = _match(r"^Acknowledgement SLA breached: unacknowledged after (.+?) \((SEV-\d+) allows (.+)\)$", text)
    return {"seconds": data.get("seconds", _seconds(m.group(1))), "severity": m.group(2),
            "allowed": _seconds(m.group(3))}


def _update_escalation(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    m = _match(r"^Update overdue by (.+?): escalated to the IC( and leadership)?$", text)
    return {"overdue": _seconds(m.group(1)), "leadership": bool(m.group(2))}


def _pir_requested(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    m = _match(rf"^Post-incident review requested from {_USER}(?:, due in (\d+) (business )?days? \(.*\)| "
               r"\(optional\))$", text)
    return {"owner": data.get("owner") or m.group(1), "days": int(m.group(2) or 0), "business": bool(m.group(3))}


def _pinned(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    if text == "(a message pinned with a reaction; reading it…)":
        return {"text": None}
    by = re.match(rf"^Pinned: {_USER}: (.*)$", text, re.DOTALL)
    if by:
        return {"author": data.get("author") or by.group(1), "text": by.group(2)}
    return {"text": _match(r"^Pinned: (.*)$", text).group(1)}


def _customer_message(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    rest = _match(rf"^{_USER} published a customer message \((.*?)\): (.*)$", text).group(3)
    title = str(data["title"])
    if not rest.startswith(f"{title} — "):
        raise ValueError(text)
    return {"text": rest[len(title) + 3:]}


def _statuspage(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    return {"status": _match(r"^Statuspage incident .* now shows \*(\w+)\*$", text).group(1).lower()}


def _alert_attached(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    auto = re.match(r"^Alert attached: (.*) \((\w+), started (\d\d:\d\d:\d\d) UTC\)$", text, re.DOTALL)
    if auto:
        return {"how": "auto", "title": _raw(auto.group(1)), "source": _SOURCES[auto.group(2)],
                "started_at": _iso_at(at, auto.group(3))}
    declared = re.match(r"^Declared from alert (.*) \((\w+), started (\d\d:\d\d:\d\d) UTC, fired (\d+) times\)$",
                        text, re.DOTALL)
    if declared:
        return {"how": "declared", "title": _raw(declared.group(1)), "source": _SOURCES[declared.group(2)],
                "started_at": _iso_at(at, declared.group(3)), "count": int(declared.group(4))}
    m = _match(rf"^{_USER} attached alert (.*) \((firing|resolved), fired (\d+) times since (\d\d:\d\d) UTC\)$", text)
    return {"how": "attached", "title": _raw(m.group(2)), "status": m.group(3), "count": int(m.group(4)),
            "first_seen": _iso_at(at, m.group(5))}


def _one(pattern: str, **names: Callable[[str], Any]) -> Callable[[str, dict[str, Any], Any], dict[str, Any]]:
    """A kind whose text has one shape: each named group, converted."""
    def read(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
        m = _match(pattern, text)
        return {name: convert(m.group(name)) for name, convert in names.items()}
    return read


def _typed(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    return {"text": text}


def _complete(*keys: str) -> Callable[[str, dict[str, Any], Any], dict[str, Any]]:
    """A kind whose values were always stored: nothing to read from the text, as long as they are there."""
    def read(text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
        if any(k not in data for k in keys):
            raise ValueError(text)
        return {}
    return read


READERS: dict[str, Callable[[str, dict[str, Any], Any], dict[str, Any]]] = {
    "declared": _declared,
    "severity_changed": _complete("from", "to"),
    "status_changed": _complete("from", "to"),
    "resolved": _complete("from", "to"),
    "reopened": _complete("from", "to"),
    "closed": _complete("from", "to"),
    "role_assigned": _complete("role", "to"),
    "update": _typed,
    "note": _typed,
    "channel_created": _one(r"^Channel <#(?P<channel>[A-Z0-9]+)(?:\|[^>]*)?> created$", channel=str),
    "invite_failed": _one(r"^Could not invite <@(?P<user>[^>|]+)(?:\|[^>]*)?>: (?P<error>.*)$", user=str, error=str),
    "job_failed": _one(r"^Could not (?P<what>.+?): (?P<error>.*)$", what=str, error=str),
    "leadership_escalation": _leadership,
    "acknowledged": _complete("seconds"),
    "update_snoozed": _complete("minutes"),
    "regulatory_changed": _complete("regulatory"),
    "ack_reminder": _ack_reminder,
    "ack_breach": _ack_breach,
    "update_reminder": _one(r"^Update reminder: no update for (?P<seconds>.+)$", seconds=_seconds),
    "update_escalation": _update_escalation,
    "role_reminder": _complete("roles"),
    "pir_requested": _pir_requested,
    "pir_saved": _complete("revision", "changed"),
    "pir_completed": _complete(),
    "pir_skipped": _complete("reason"),
    "pir_exported": _complete(),
    "pir_reminder": _one(r"^Reminded <@(?P<owner>[^>|]+)(?:\|[^>]*)?> the review is due soon$", owner=str),
    "pir_overdue": _one(r"^Review overdue; reminded <@(?P<owner>[^>|]+)(?:\|[^>]*)?>$", owner=str),
    "action_added": _one(r"^Action item #\d+ \(.*?\) for <@[^>]+>, due \S+: (?P<description>.*)$", description=_raw),
    "action_done": _one(r"^Action item #\d+ done: (?P<description>.*)$", description=_raw),
    "action_overdue": _one(r"^Action item #\d+ overdue; reminded <@(?P<owner>[^>|]+)(?:\|[^>]*)?>$", owner=str),
    "pinned": _pinned,
    "checklist_ticked": _complete("label"),
    "checklist_unticked": _complete("label"),
    "resolution_checks": _complete("done", "not_done"),
    "drill_started": _one(r"^Drill “(?P<name>.*?)” started by ", name=_raw),
    "drill_event": _one(r"^Scripted .+?: (?P<text>.*)$", text=_raw),
    "customer_message": _customer_message,
    "resolved_message_skipped": _complete(),
    "resolved_message_reminder": _one(r"^Reminded <@(?P<publisher>[^>|]+)(?:\|[^>]*)?>: the resolved customer "
                                      r"message is still not published$", publisher=str),
    "statuspage_synced": _statuspage,
    "alert_attached": _alert_attached,
    "reported_from_message": _complete(),
}


def facts(kind: str, text: str, data: dict[str, Any], at: Any) -> dict[str, Any]:
    """A row's values: what it stored, with what its text says read back in; else its text as a note."""
    read = READERS.get(kind)
    if read is not None:
        try:
            return {**data, **read(text, data, at)}
        except (ValueError, KeyError, TypeError):
            pass
    return {**data, "note": text}


_TABLE = sa.table("timeline_event", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                  sa.column("text", sa.Text), sa.column("data", sa.JSON), sa.column("at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_TABLE.c.id, _TABLE.c.kind, _TABLE.c.text, _TABLE.c.data, _TABLE.c.at)).all()
    for row_id, kind, text, data, at in rows:
        conn.execute(_TABLE.update().where(_TABLE.c.id == row_id)
                     .values(data=facts(kind, text or "", dict(data or {}), at)))
    with op.batch_alter_table("timeline_event") as batch:
        batch.drop_column("text")


def downgrade() -> None:
    with op.batch_alter_table("timeline_event") as batch:
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
    conn = op.get_bind()
    for row_id, kind, data in conn.execute(sa.select(_TABLE.c.id, _TABLE.c.kind, _TABLE.c.data)).all():
        data = dict(data or {})
        words = data.get("note") or data.get("text") or kind.replace("_", " ")
        conn.execute(_TABLE.update().where(_TABLE.c.id == row_id).values(text=str(words)))
    with op.batch_alter_table("timeline_event") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
