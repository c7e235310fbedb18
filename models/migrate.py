"""Schema migrations: bring a database to the code's schema, and tell whether it is there.

Owns the Alembic configuration (built in code: there is no alembic.ini, and `script_location` is the
`migrations` folder next to this file, so an installed wheel migrates as well as a checkout) and the
connection and transaction every migration runs in. `migrations/env.py` only configures Alembic's context
on the connection handed to it here.

API (every database argument is a URL, or `engine=` an AsyncEngine the caller owns and keeps open):

    await upgrade(url, revision="head", *, engine=None)  # apply pending migrations; a no-op when current
    await current_revision(url, *, engine=None)          # the revision stamped in the database, or None
    head_revision()                                      # the newest revision this code ships
    await is_up_to_date(url, *, engine=None)             # database revision == head_revision()
    make_config(url=None)                                # an Alembic Config, for alembic.command.* by hand
    run_exclusive(sync_conn, fn)                         # fn(sync_conn) in the migration transaction + lock

Pass `engine=` when a plain URL cannot say where to migrate: an in-memory SQLite database shared through
StaticPool, or a PostgreSQL schema chosen by `search_path` (make_engine(url, connect_args={"server_settings":
{"search_path": "some_schema"}})).

Everything is async and safe inside a running event loop: Alembic runs in `AsyncConnection.run_sync`, never
under an `asyncio.run` of its own. To write a new migration (no loop running, so env.py connects itself):

    from alembic import command
    from models.migrate import make_config
    command.revision(make_config("sqlite+aiosqlite:///./dev.db"), message="...", autogenerate=True)

against a database already at head, then read and tidy the generated file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.db import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Key of the PostgreSQL advisory lock held while migrating ("INCBMIGR" in ASCII): replicas that start
# together queue behind the first one, then find the schema current, instead of racing on CREATE TABLE.
_PG_LOCK_KEY = 0x494E43424D494752

# Alembic keeps the running command's context in module globals (alembic.context, alembic.op). Two commands
# interleaving on one event loop would each run the other's operations, on the other's connection, and can
# deadlock waiting on it; so a loop runs one command at a time.
_command_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()


def make_config(url: str | None = None) -> Config:
    """An Alembic Config for this package's migrations; `url` is only read when env.py must connect itself."""
    config = Config()
    # Config values go through ConfigParser interpolation: a literal "%" (URL-encoded passwords, odd paths)
    # has to be doubled or Alembic fails with an InterpolationSyntaxError.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(make_config()).get_current_head()  # raises if the history forks
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


async def upgrade(url: str | None = None, revision: str = "head", *, engine: AsyncEngine | None = None) -> None:
    """Apply every migration up to `revision`, all in one transaction; running it again changes nothing."""

    def _upgrade(conn: Connection) -> None:
        config = make_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

    async with _command_lock(), _connect(url, engine) as conn:
        await conn.run_sync(run_exclusive, _upgrade)


async def current_revision(url: str | None = None, *, engine: AsyncEngine | None = None) -> str | None:
    async with _connect(url, engine) as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def is_up_to_date(url: str | None = None, *, engine: AsyncEngine | None = None) -> bool:
    heads = set(ScriptDirectory.from_config(make_config()).get_heads())
    async with _connect(url, engine) as conn:
        current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
    return set(current) == heads


def run_exclusive(conn: Connection, migrate: Callable[[Connection], None]) -> None:
    """Call `migrate(conn)` in one transaction that no other migrator can be inside at the same time.

    Alembic sees the transaction already open and leaves it to us, so a failed migration rolls everything
    back on PostgreSQL and on SQLite alike (make_engine hands SQLite's transactions to the database, DDL
    included). The price: a migration cannot use `op.get_context().autocommit_block()`.
    """
    sqlite = conn.dialect.name == "sqlite"
    fk_was_on = sqlite and _sqlite_foreign_keys(conn)
    if fk_was_on:
        # Batch ALTERs on SQLite copy a table and drop the old one; with foreign keys enforced, dropping a
        # parent table (incident) that has children fails or cascades. The pragma is ignored inside a
        # transaction, so it is switched before BEGIN; foreign_key_check below re-verifies before commit.
        _sqlite_foreign_keys(conn, on=False)
    try:
        with conn.begin():
            # SQLite needs no lock of its own: make_engine begins with BEGIN IMMEDIATE, which already makes
            # a second migrator wait (busy_timeout) until this one commits.
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            migrate(conn)
            if fk_was_on:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:10]}")
    finally:
        if fk_was_on:
            _sqlite_foreign_keys(conn, on=True)


def _sqlite_foreign_keys(conn: Connection, on: bool | None = None) -> bool:
    """Read (and with `on`, set) SQLite's foreign_keys pragma on the DBAPI connection.

    Going through a raw cursor keeps SQLAlchemy from auto-beginning a transaction, inside which the pragma
    would silently do nothing.
    """
    cursor = conn.connection.cursor()
    try:
        if on is not None:
            cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.execute("PRAGMA foreign_keys")
        return bool(cursor.fetchone()[0])
    finally:
        cursor.close()


def _command_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _command_locks.get(loop)
    if lock is None:
        lock = _command_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def _connect(url: str | None, engine: AsyncEngine | None) -> AsyncIterator[AsyncConnection]:
    if (url is None) == (engine is None):
        raise TypeError("pass exactly one of a database URL and engine=")
    owned = engine is None
    if engine is None:
        assert url is not None
        engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            yield conn
    finally:
        if owned:
            await engine.dispose()

