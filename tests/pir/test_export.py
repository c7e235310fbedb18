"""The review document: uploaded to the channel by `/incident pir export` (files upload v2), printed by
`incident-bot pir export`, and compared with a golden file for a fixed incident.

Set UPDATE_GOLDEN=1 to rewrite the golden file after an intended change to the document.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from bot.emulator import SlackEmulator
from tests.conftest import Bot

GOLDEN = Path(__file__).parent / "golden" / "inc-1-review.md"


async def play(bot: Bot) -> str:
    """A SEV-2 raised to SEV-1, acknowledged, mitigated, resolved and reviewed; its channel id."""
    p, clock = bot.people, bot.clock
    inc = await bot.declare("sev2 Card payments failing in EU")
    ch = inc.channel_id
    await bot.command(p.alice, f"role oncall <@{p.bob}>", ch)
    clock.advance(timedelta(minutes=3))
    await bot.command(p.bob, "ack", ch)
    clock.advance(timedelta(minutes=2))
    await bot.command(p.alice, "severity 1", ch)
    await bot.command(p.alice, f"role tl <@{p.carol}>", ch)
    clock.advance(timedelta(minutes=5))
    await bot.command(p.carol, "update Acquirer returns 503 | TLS handshake fails <since 08:55>", ch)
    clock.advance(timedelta(minutes=12))
    await bot.command(p.carol, "status mitigated", ch)
    clock.advance(timedelta(minutes=40))
    await bot.resolve(inc.number)
    clock.advance(timedelta(hours=20))
    await bot.command(p.alice, "pir", ch)
    reply = await bot.driver.submit(p.alice, {
        "summary": "Card authorisations in the EU failed for 22 minutes.",
        "failed_transactions": "12,400 authorisations", "amount_affected": "EUR 1.2M",
        "merchants_affected": "About 300, mostly in DE and FR", "regions": "EU",
        "impact_start": 1768466100,  # 2026-01-15 08:35 UTC
        "impact_end": 1768468320,  # 2026-01-15 09:12 UTC
        "root_cause": "The acquirer link's TLS certificate expired; nothing monitored its expiry.",
        "trigger": "The certificate's expiry at 08:35.",
        "detection": "The synthetic card test failed at 08:55, twenty minutes after impact began.",
        "went_well": "Failover to the backup acquirer took 12 minutes once found.",
        "went_wrong": "Nobody owned the certificate.",
        "lucky": "It happened outside the evening peak.",
        "settlements": "yes", "settlements_note": "Failed authorisations were not captured; nothing to settle.",
        "docs": ["runbooks", "alerts"], "docs_note": "Acquirer failover runbook; certificate expiry alert."})
    assert reply.status == 200 and reply.json is None, reply.body
    await bot.command(p.alice, f"action <@{p.carol}> 2026-01-30 detect: Alert 14 days before any certificate "
                               "expires", ch)
    await bot.command(p.alice, f"action <@{p.bob}> 2026-02-15 Automate the certificate rotation", ch)
    await bot.command(p.alice, "pir complete", ch)
    await bot.drain()
    return ch


async def test_export_uploads_the_document_and_it_matches_the_golden_file(bot: Bot) -> None:
    ch = await play(bot)
    await bot.command(bot.people.alice, "pir export", ch)
    await bot.drain()
    [file] = [f for f in bot.ws.files.values() if ch in f.channels]
    assert file.filename == "inc-1-review.md" and file.title == "INC-1 post-incident review"
    body = file.content.decode()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(body)
    assert body == GOLDEN.read_text()
    shared = [m for m in bot.messages(ch) if file.id in m.files]
    assert len(shared) == 1 and "review document of *INC-1*" in shared[0].text


async def test_the_command_line_prints_the_same_document(bot: Bot, emulator: SlackEmulator, db_url: str,
                                                         tmp_path: Path) -> None:
    await play(bot)
    env = {**os.environ, "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": emulator.bot_token,
           "SLACK_API_URL": emulator.api_url}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "pir", "export", "INC-1", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert out.decode() == GOLDEN.read_text()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "pir", "export", "inc-9", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 1 and out == b"" and "There is no INC-9" in err.decode()
