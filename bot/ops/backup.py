"""`incident-bot db backup PATH`: a consistent copy of the SQLite database while the bot runs, with
SQLite's online backup API (it copies page by page and starts over when a writer changed a page it had
copied; done in one step under a read transaction, which in WAL mode never blocks the bot's writers and
never restarts), so the copy is one committed state. PostgreSQL: use pg_dump (see the README)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config import ConfigError
from models.db import is_sqlite


def sqlite_path(url: str) -> Path:
    if not is_sqlite(url):
        raise ConfigError("DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. "
                          "pg_dump --format=custom --file=incidents.dump \"$PGURL\" (see the README, Backups)")
    raw = url.partition(":///")[2].split("?", 1)[0]
    if not raw or raw == ":memory:":
        raise ConfigError("DATABASE_URL is an in-memory SQLite database: there is nothing on disk to back up")
    path = Path(raw)
    if not path.is_file():
        raise ConfigError(f"DATABASE_URL: the SQLite file {path} does not exist")
    return path


def backup(url: str, target: str | Path) -> str:
    """Copy the database to `target` (which must not exist); what was done, for the operator."""
    source = sqlite_path(url)
    out = Path(target)
    if out.exists():
        raise ConfigError(f"{out} already exists: name a new file, so no backup is overwritten by mistake")
    if not out.parent.is_dir():
        raise ConfigError(f"{out.parent} is not a folder")
    src = sqlite3.connect(source, timeout=30)  # reads only; read-write so it can share the WAL index
    dst = sqlite3.connect(out)
    try:
        with dst:
            src.backup(dst)  # one step: a snapshot under a read transaction (WAL lets writers go on)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        out.unlink(missing_ok=True)
        raise ConfigError(f"the copy failed its integrity check ({ok}); nothing was kept")
    return f"backed up {source} to {out} ({out.stat().st_size} bytes); restore: stop the bot, copy it back " \
           f"over {source.name} (and delete {source.name}-wal and -shm), start the bot"
