"""Helpers for the metrics tests: incidents and timeline rows written straight into the database with
known timestamps, and a PNG reader that checks what the bot uploads or serves."""

from __future__ import annotations

import asyncio
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from models import Incident, TimelineEvent
from models.db import Sessionmaker
from tests.conftest import Bot

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # FakeClock's default start


@dataclass
class Spec:
    """An incident declared `days_ago` before NOW; times in minutes after its declaration."""

    number: int
    severity: int
    days_ago: float
    status: str = "resolved"
    start_early: float = 0  # minutes the acknowledgement clock started before the declaration
    ack_seconds: int | None = None
    breach_at: float | None = None
    mitigated_at: float | None = None
    resolved_at: float | None = None
    drill: bool = False
    events: list[tuple[float, str]] = field(default_factory=list)
    private: bool = False
    commander: str = "UIC"
    title: str = "Card payments failing"


def declared(spec: Spec) -> datetime:
    return NOW - timedelta(days=spec.days_ago)


def _at(spec: Spec, minutes: float | None) -> datetime | None:
    return None if minutes is None else declared(spec) + timedelta(minutes=minutes)


def incident_row(spec: Spec, **extra: Any) -> Incident:
    d = declared(spec)
    return Incident(
        id=spec.number, number=spec.number, title=spec.title, severity=spec.severity, status=spec.status,
        declared_by="UDECL", commander_id=spec.commander, created_at=d, updated_at=d, private=spec.private,
        ack_started_at=d - timedelta(minutes=spec.start_early), ack_seconds=spec.ack_seconds,
        acknowledged_at=None if spec.ack_seconds is None
        else d - timedelta(minutes=spec.start_early) + timedelta(seconds=spec.ack_seconds),
        ack_breached_at=_at(spec, spec.breach_at), mitigated_at=_at(spec, spec.mitigated_at),
        resolved_at=_at(spec, spec.resolved_at), drill=spec.drill, **extra)


async def insert(sessionmaker: Sessionmaker, specs: list[Spec], **extra: Any) -> None:
    async with sessionmaker() as session, session.begin():
        session.add_all(incident_row(spec, **extra) for spec in specs)
    # events after their incidents, in the order given (ids follow it)
    async with sessionmaker() as session, session.begin():
        for spec in specs:
            for minutes, kind in spec.events:
                at = _at(spec, minutes)
                assert at is not None
                session.add(TimelineEvent(incident_id=spec.number, at=at, actor="bot", kind=kind, text=kind))
                await session.flush()


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of an 8-bit RGB PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (1 + 3 * width)
    return width, height, raw


async def open_home(bot: Bot, user: str) -> dict[str, Any]:
    """The user opens the Home tab; the view the emulator stored for them once the bot published it."""
    before = len([c for c in bot.ws.calls_to("views.publish") if c.args.get("user_id") == user])
    reply = await bot.driver.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    assert reply.status == 200
    for _ in range(200):  # Bolt acknowledges an event first and handles it just after
        await bot.drain()
        calls = [c for c in bot.ws.calls_to("views.publish") if c.args.get("user_id") == user]
        if len(calls) > before:
            assert calls[-1].ok, calls[-1].error
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the Home tab was never published")
    [home] = [v for v in bot.ws.views.values() if v.user == user and v.type == "home"]
    return home.view


def texts(view: dict[str, Any]) -> str:
    """Every text of a view, in order, one per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for key, value in node.items():
                if key != "text" or not isinstance(value, str):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(view.get("blocks", []))
    return "\n".join(out)
