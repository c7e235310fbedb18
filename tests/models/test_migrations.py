"""The Alembic migrations: an empty database upgraded to head has exactly the models' schema.

Runs on SQLite (a temp file) and, when TEST_DATABASE_URL is set, on PostgreSQL in a schema of its own
(`search_path` on the engine), so it never touches the tables other tests share in `public`.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import models  # also registers the tables on SQLModel.metadata
from models.db import make_engine
from models.migrate import (
    MIGRATIONS_DIR,
    current_revision,
    head_revision,
    is_up_to_date,
    make_config,
    run_exclusive,
    upgrade,
)

HEAD = "0015"  # the newest revision in models/migrations/versions
ROOT = Path(models.__file__).resolve().parent.parent  # where `import models` works for a child process


@dataclass
class Target:
    """An empty database: `db` is what the migrate functions take for it, `engine` inspects it."""

    url: str
    schema: str | None  # the PostgreSQL schema standing in for the database; None on SQLite
    engine: AsyncEngine

    @property
    def db(self) -> dict[str, Any]:
        # SQLite by URL, as the CLI calls it; PostgreSQL through the engine that carries the search_path.
        return {"engine": self.engine} if self.schema else {"url": self.url}


@pytest_asyncio.fixture
async def target(db_url: str) -> AsyncIterator[Target]:
    if db_url.startswith("sqlite"):
        engine = make_engine(db_url)
        yield Target(db_url, None, engine)
        await engine.dispose()
        return
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = make_engine(db_url)
    async with admin.begin() as conn:  # an unreachable TEST_DATABASE_URL fails here: it is never a skip
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(db_url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield Target(db_url, schema, engine)
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


def _diff(conn: Connection) -> list[Any]:
    # Nothing is ignored: types (lengths, timezone, JSON), server defaults, nullability, indexes, unique
    # constraints and foreign keys must all match.
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(ctx, SQLModel.metadata)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_exactly_the_models_schema(target: Target) -> None:
    await upgrade(**target.db)

    async with target.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
    assert await _tables(target.engine) == set(SQLModel.metadata.tables) | {"alembic_version"}


async def test_revision_goes_from_none_to_head(target: Target) -> None:
    assert head_revision() == HEAD
    assert await current_revision(**target.db) is None
    assert await is_up_to_date(**target.db) is False

    await upgrade(**target.db)

    assert await current_revision(**target.db) == HEAD
    assert await is_up_to_date(**target.db) is True


async def test_upgrade_again_changes_nothing(target: Target) -> None:
    await upgrade(**target.db)
    async with target.engine.begin() as conn:
        await conn.execute(text("INSERT INTO counter (name, value) VALUES ('incident', 41)"))

    await upgrade(**target.db)

    assert await current_revision(**target.db) == HEAD
    async with target.engine.connect() as conn:
        assert (await conn.execute(text("SELECT value FROM counter"))).scalar_one() == 41


_REPLICA = """
import asyncio, sys
from models.db import make_engine
from models.migrate import upgrade

async def main(url: str, schema: str) -> None:
    if not schema:
        return await upgrade(url)
    engine = make_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade(engine=engine)
    finally:
        await engine.dispose()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_replicas_starting_together_migrate_once(target: Target) -> None:
    # Separate processes, as replicas are. Without the database lock (BEGIN IMMEDIATE on SQLite, an advisory
    # lock on PostgreSQL) each would find no alembic_version and all but one would fail on CREATE TABLE.
    procs = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", _REPLICA, target.url, target.schema or "",
                                             cwd=ROOT, stderr=asyncio.subprocess.PIPE)
        for _ in range(3)
    ]
    try:
        results = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout=60)
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()

    assert [p.returncode for p in procs] == [0, 0, 0], [err.decode()[-2000:] for _, err in results]
    assert await is_up_to_date(**target.db) is True


async def test_upgrades_of_two_databases_on_one_loop_do_not_mix(tmp_path: Any) -> None:
    # Alembic's context is global to the process; overlapping commands must queue, not interleave.
    urls = [f"sqlite+aiosqlite:///{tmp_path}/{name}.db" for name in ("a", "b", "c")]

    await asyncio.wait_for(asyncio.gather(*(upgrade(url) for url in urls)), timeout=60)

    assert [await current_revision(url) for url in urls] == [HEAD] * 3


async def test_downgrade_to_base_removes_every_table(target: Target) -> None:
    await upgrade(**target.db)

    def _downgrade(conn: Connection) -> None:
        config = make_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")

    async with target.engine.connect() as conn:
        await conn.run_sync(run_exclusive, _downgrade)

    assert await _tables(target.engine) == {"alembic_version"}
    assert await current_revision(**target.db) is None


_BATCH_REVISION = f"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{HEAD}"
branch_labels = depends_on = None


def upgrade():
    with op.batch_alter_table("incident", recreate="always") as batch:
        batch.add_column(sa.Column("extra", sa.String(length=10), nullable=True))


def downgrade():
    pass
"""


async def test_sqlite_batch_alter_of_a_referenced_table_keeps_its_children(tmp_path: Any) -> None:
    # A later migration that rebuilds `incident` (SQLite's batch mode: copy, drop, rename) while timeline
    # rows point at it. With foreign keys enforced the DROP TABLE fails; migrate switches them off around it.
    url = f"sqlite+aiosqlite:///{tmp_path}/incidents.db"
    await upgrade(url)
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_batch.py").write_text(_BATCH_REVISION)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO incident (id, number, title, severity, status, source, private, declared_by,"
                " created_at, updated_at) VALUES (1, 1, 't', 1, 'investigating', 'internal', 0, 'U1',"
                " '2026-01-15 09:00:00', '2026-01-15 09:00:00')"))
            await conn.execute(text(
                "INSERT INTO timeline_event (incident_id, at, actor, kind, data, via)"
                " VALUES (1, '2026-01-15 09:00:00', 'U1', 'declared', '{}', 'command')"))

        def _upgrade(conn: Connection) -> None:
            config = make_config()
            config.set_main_option("script_location", str(scripts))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

        async with engine.connect() as conn:
            await conn.run_sync(run_exclusive, _upgrade)

        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == "9999"
            assert (await conn.execute(text("SELECT count(*) FROM timeline_event"))).scalar_one() == 1
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_head_is_found_from_any_working_directory(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert head_revision() == HEAD


async def test_in_memory_sqlite_engine_keeps_foreign_keys_on() -> None:
    # An engine the caller owns (StaticPool keeps the one in-memory database): migrate switches SQLite's
    # foreign keys off for batch ALTERs and must hand the connection back with them on.
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        await upgrade(engine=engine)

        assert await is_up_to_date(engine=engine) is True
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_upgrade_leaves_the_apps_logging_alone(tmp_path: Any) -> None:
    root = logging.getLogger()
    app_logger = logging.getLogger("bot.worker")
    before = (root.level, list(root.handlers), app_logger.disabled)

    await upgrade(f"sqlite+aiosqlite:///{tmp_path}/incidents.db")

    assert (root.level, list(root.handlers), app_logger.disabled) == before


async def test_upgrade_needs_exactly_one_target() -> None:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    with pytest.raises(TypeError):
        await upgrade()
    with pytest.raises(TypeError):
        await upgrade("sqlite+aiosqlite:///:memory:", engine=engine)
    await engine.dispose()
