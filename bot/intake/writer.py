"""The group-commit writer: one task per process stores every request that arrived while the previous
commit ran, in ONE transaction, and answers each only once that transaction is durable.

    number = await intake.store(entry)   # returns when the entry is committed (its incident number, if asked)

An entry is a job (bot/jobs/table.py enqueue): the validated request, which the worker applies later
(bot/intake/effects.py). Entries that need an incident number get consecutive ones from a single
counter += k per batch, so the ack can already say INC-n. When a batch fails to commit, its entries are
stored one by one, so one bad entry (an incident that does not exist) fails alone and the others are kept.

`Grouped` is the same group commit for a whole service whose answer the request needs (an alert webhook
says which groups its alerts went to): the services of every request waiting run one after another in
ONE transaction; when that fails, each runs again alone in its own, so a refusal stays its request's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import NotFound
from bot.jobs.table import enqueue
from models import Counter
from models.db import Sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

APPLY = "intake_apply"  # the job kind that applies a stored request (bot/intake/effects.py)
MAX_BATCH = 500


@dataclass
class Entry:
    """One request as it is stored: which service to apply with which arguments, where to tell the
    person when it is refused, and when it came in."""

    service: str
    args: dict[str, Any]
    at: datetime
    reply: dict[str, str] = field(default_factory=dict)
    incident_id: int | None = None  # the incident the change is about (keeps its effects in order)
    numbered: bool = False  # needs an incident number (a declaration)

    def payload(self, number: int | None) -> dict[str, Any]:
        args = {**self.args, "number": number} if number is not None else self.args
        return {"service": self.service, "args": args, "reply": self.reply}


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def allocate(session: AsyncSession, k: int) -> int:
    """Take k incident numbers (counter += k) in the caller's transaction; the first of them."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = Counter.__table__
    stmt = _INSERT["postgresql" if dialect == "postgresql" else "sqlite"](table).values(name="incident", value=k)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"value": table.c.value + k})
    top = (await session.execute(stmt.returning(table.c.value))).scalar_one()
    return int(top) - k + 1


class Intake:
    def __init__(self, sessionmaker: Sessionmaker, *, max_batch: int = MAX_BATCH) -> None:
        self.sessionmaker = sessionmaker
        self.max_batch = max_batch
        self._queue: list[tuple[Entry, asyncio.Future[int | None]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # commits made, and entries stored: for the benchmarks
        self.stored = 0

    @property
    def busy(self) -> int:
        """Entries waiting for their commit now."""
        return len(self._queue)

    async def store(self, entry: Entry) -> int | None:
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append((entry, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while self._queue:
            # one turn of the loop first: requests parsed meanwhile join this commit
            await asyncio.sleep(0)
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            try:
                numbers = await self._write([e for e, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _answer(batch[0][1], exc=_plain(exc, batch[0][0]))
                    continue
                log.warning("intake: a batch of %s failed to commit (%s); storing them one by one",
                            len(batch), type(exc).__name__)
                for entry, future in batch:
                    try:
                        _answer(future, (await self._write([entry]))[0])
                    except Exception as one:
                        _answer(future, exc=_plain(one, entry))
                continue
            for (_, future), number in zip(batch, numbers, strict=True):
                _answer(future, number)

    async def _write(self, entries: list[Entry]) -> list[int | None]:
        async with self.sessionmaker() as session, session.begin():
            k = sum(e.numbered for e in entries)
            n = await allocate(session, k) if k else 0
            numbers: list[int | None] = []
            for e in entries:
                number = None
                if e.numbered:
                    number, n = n, n + 1
                numbers.append(number)
                enqueue(session, kind=APPLY, now=e.at, incident_id=e.incident_id, payload=e.payload(number),
                        max_attempts=20)
        self.batches += 1
        self.stored += len(entries)
        return numbers


def _plain(exc: Exception, entry: Entry) -> Exception:
    """An entry about an incident that does not exist breaks the job's foreign key: say so."""
    if isinstance(exc, sa_exc.IntegrityError) and entry.incident_id is not None:
        return NotFound("That incident does not exist (any more).")
    return exc


def _answer(future: asyncio.Future[int | None], number: int | None = None, *, exc: Exception | None = None) -> None:
    if future.done():  # the request was cancelled (its client went away): its entry is stored all the same
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(number)


class Grouped:
    def __init__(self, sessionmaker: Sessionmaker, *, max_batch: int = 200) -> None:
        self.sessionmaker = sessionmaker
        self.max_batch = max_batch
        self._queue: list[tuple[Callable[[AsyncSession], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0

    async def run(self, call: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`call(session)` in the next group commit; its result once that commit is durable."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((call, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return await future  # type: ignore[no-any-return]

    async def _run(self) -> None:
        while self._queue:
            await asyncio.sleep(0)
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            if len(batch) > 1:
                try:
                    results = await self._together([c for c, _ in batch])
                except Exception:
                    pass  # one of them refused or failed: each alone below, in its own transaction
                else:
                    for (_, future), result in zip(batch, results, strict=True):
                        if not future.done():
                            future.set_result(result)
                    continue
            for call, future in batch:
                try:
                    result = await self._together([call])
                except Exception as exc:
                    if not future.done():
                        future.set_exception(exc)
                else:
                    if not future.done():
                        future.set_result(result[0])

    async def _together(self, calls: list[Callable[[AsyncSession], Awaitable[Any]]]) -> list[Any]:
        async with self.sessionmaker() as session, session.begin():
            results = [await call(session) for call in calls]
        self.batches += 1
        return results
