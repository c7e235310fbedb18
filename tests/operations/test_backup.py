"""`incident-bot db backup PATH` while the bot writes, and restoring from the copy."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.core.clock import FakeClock
from bot.runtime import Runtime
from models import Incident
from models.db import make_engine
from tests.conftest import Bot, settings_for


async def _backup(db_url: str, target: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INCIDENT_", "DATABASE_URL"))}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "db", "backup", str(target),
                                                env={**env, "DATABASE_URL": db_url}, cwd=target.parent,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


def _counts(path: Path) -> tuple[int, int]:
    """Incidents, and incidents whose declaration's timeline row and first job are there too."""
    with sqlite3.connect(path) as conn:
        incidents = conn.execute("SELECT count(*) FROM incident").fetchone()[0]
        whole = conn.execute(
            "SELECT count(*) FROM incident i WHERE EXISTS (SELECT 1 FROM timeline_event t WHERE t.incident_id = i.id "
            "AND t.kind = 'declared') AND EXISTS (SELECT 1 FROM job j WHERE j.incident_id = i.id "
            "AND j.kind = 'create_channel')").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return incidents, whole


async def test_back_up_while_the_bot_writes_then_restore(bot: Bot, db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("sqlite"):
        code, _, err = await _backup(db_url, tmp_path / "x.db")
        assert code == 2 and "DATABASE_URL is PostgreSQL: back it up with pg_dump" in err
        return
    source = Path(db_url.partition(":///")[2])
    writing = True

    async def declare_many() -> int:
        n = 0
        while writing or n < 5:
            reply = await bot.command(bot.people.alice, f"declare sev3 Refund batch {n} slow")
            assert reply.status == 200
            await bot.drain()  # the worker declares what the intake stored
            n += 1
        return n

    writer = asyncio.create_task(declare_many())
    await asyncio.sleep(0.3)
    target = tmp_path / "backup.db"
    code, out, err = await _backup(db_url, target)
    writing = False
    declared = await writer
    assert code == 0, err
    assert out.startswith(f"backed up {source} to {target} (")
    copied, whole = _counts(target)
    assert 0 < copied < declared and whole == copied  # a moment of the database, every transaction whole

    code, _, err = await _backup(db_url, target)
    assert code == 2 and "already exists" in err  # never overwrites a backup

    # restore: the bot stopped, the copy put in place (the old WAL files gone with it), the bot started
    await bot.rt.engine.dispose()
    await bot.rt.worker_engine.dispose()
    for leftover in (Path(f"{source}-wal"), Path(f"{source}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(target, source)
    engine = make_engine(db_url)
    rt = Runtime.create(settings_for(bot.emu, db_url), clock=FakeClock(), engine=engine)
    try:
        async with rt.sessionmaker() as session:
            assert (await session.execute(select(func.count()).select_from(Incident))).scalar() == copied
    finally:
        await rt.close()
