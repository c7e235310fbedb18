"""A database migrated by Alembic (not create_all), for what asks whether the schema is current: a SQLite
file, or a PostgreSQL schema of its own (search_path) so the shared test database's tables stay as they are."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import make_engine
from models.migrate import upgrade

SCHEMA = "ops_readiness"


@pytest_asyncio.fixture
async def migrated(db_url: str) -> AsyncIterator[AsyncEngine]:
    kwargs: dict[str, Any] = {}
    if db_url.startswith("postgresql"):
        plain = make_engine(db_url)
        async with plain.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await plain.dispose()
        kwargs["connect_args"] = {"server_settings": {"search_path": SCHEMA}}
    eng = make_engine(db_url, **kwargs)
    await upgrade(engine=eng)
    yield eng
    await eng.dispose()
