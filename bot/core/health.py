"""Is the database there? The one question `/healthz` asks; `/readyz` also asks whether its schema is current."""

from __future__ import annotations

import functools

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def database_reachable(session: AsyncSession) -> None:
    """Raises the driver's error when the database cannot answer."""
    await session.execute(text("SELECT 1"))


@functools.cache
def _head() -> str:
    from models.migrate import head_revision

    return head_revision()


async def schema_problem(session: AsyncSession) -> str | None:
    """None when the database is at the code's schema revision, else what to do."""
    try:
        found = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception:
        found = None
    if found != _head():
        return f"schema at revision {found or 'none'}, this version needs {_head()}: run `incident-bot db upgrade`"
    return None
