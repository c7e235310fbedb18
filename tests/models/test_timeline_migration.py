"""Migration 0006 turns the rendered texts the bot stored up to 0005 into facts.

timeline_0005.json holds rows the previous version wrote (captured from its test suite and its demo:
every kind it recorded, with the texts and values it stored). They are written into a database at
revision 0005 on SQLite and PostgreSQL, the database is upgraded to head, and each row must then read
as the same sentence it was stored as: the migration kept every value the sentence needs, or the text
itself as the row's note. What someone typed in an update or a note is kept as typed and escaped only
when shown (the old text was not), so for those the value must equal the old text.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from bot.timeline.blocks import fact_text
from models import TimelineEvent
from models.db import make_sessionmaker
from models.migrate import upgrade
from tests.models.test_migrations import Target, target  # noqa: F401  (the fixture)

ROWS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "timeline_0005.json").read_text())
TYPED = ("update", "note")
OLD_TIMELINE = sa.table("timeline_event", sa.column("incident_id", sa.Integer), sa.column("at", sa.DateTime(True)),
                        sa.column("actor", sa.String), sa.column("kind", sa.String), sa.column("text", sa.Text),
                        sa.column("data", sa.JSON), sa.column("via", sa.String))


async def _fill_at_0005(t: Target, rows: list[dict[str, Any]]) -> None:
    await upgrade(**t.db, revision="0005")
    async with t.engine.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO incident (id, number, title, severity, status, source, private, declared_by, created_at,"
            " updated_at) VALUES (1, 1, 'Card payments failing in EU', 1, 'investigating', 'internal', false,"
            " 'U0ALICE', '2026-01-15 09:00:00+00', '2026-01-15 09:00:00+00')"))
        await conn.execute(OLD_TIMELINE.insert(), [
            {"incident_id": 1, "at": datetime.fromisoformat(r["at"]), "actor": r["actor"], "kind": r["kind"],
             "text": r["text"], "data": r["data"], "via": "system"} for r in rows])


async def _facts(t: Target) -> list[TimelineEvent]:
    async with make_sessionmaker(t.engine)() as session:
        return list((await session.execute(select(TimelineEvent).order_by(TimelineEvent.id))).scalars())


async def test_every_stored_text_reads_back_as_the_same_sentence(target: Target) -> None:  # noqa: F811
    assert {r["kind"] for r in ROWS} >= {"declared", "ack_reminder", "pinned", "alert_attached", "pir_requested"}
    await _fill_at_0005(target, ROWS)

    await upgrade(**target.db)

    facts = await _facts(target)
    assert len(facts) == len(ROWS)
    for old, fact in zip(ROWS, facts, strict=True):
        assert fact.kind == old["kind"]
        if fact.kind in TYPED:
            assert fact.data["text"] == old["text"], old
        else:
            assert fact_text(fact) == old["text"], old
        assert {k: v for k, v in old["data"].items()} == {k: fact.data[k] for k in old["data"]}  # nothing lost


async def test_a_text_that_cannot_be_read_is_kept_as_a_note(target: Target) -> None:  # noqa: F811
    rows = [{"at": "2026-01-15T09:05:00+00:00", "actor": "bot", "kind": "ack_breach", "data": {},
             "text": "Acknowledgement SLA breached, as an operator wrote it by hand"},
            {"at": "2026-01-15T09:06:00+00:00", "actor": "U0BOB", "kind": "something_retired",
             "data": {"n": 3}, "text": "A kind this version no longer knows"}]
    await _fill_at_0005(target, rows)

    await upgrade(**target.db)

    facts = await _facts(target)
    assert [f.data for f in facts] == [{"note": rows[0]["text"]}, {"n": 3, "note": rows[1]["text"]}]
    assert [fact_text(f) for f in facts] == [r["text"] for r in rows]
