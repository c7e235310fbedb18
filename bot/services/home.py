"""The App Home tab: queue a fresh view for one user."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.jobs import enqueue


async def refresh(*, session: AsyncSession, clock: Clock, user_id: str) -> None:
    enqueue(session, kind="publish_home", now=clock.now(), payload={"user": user_id})
