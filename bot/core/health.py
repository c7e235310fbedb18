"""Is the database there? The one question `/healthz` asks."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def database_reachable(session: AsyncSession) -> None:
    """Raises the driver's error when the database cannot answer."""
    await session.execute(text("SELECT 1"))
