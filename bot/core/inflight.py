"""Listener work still running after its ack: counted, so shutdown (and a test) can wait for it.

Bolt answers Slack as soon as a listener calls ack() and lets the listener carry on in a task of
its own; those tasks are not tracked anywhere else.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.last_busy = 0.0  # time.monotonic() when the last listener finished

    @property
    def count(self) -> int:
        return self._count

    def track(self, listener: F) -> F:
        """Wrap a listener; Bolt still sees its signature (inspect follows __wrapped__)."""

        @functools.wraps(listener)
        async def tracked(*args: Any, **kwargs: Any) -> Any:
            self._count += 1
            self._idle.clear()
            try:
                return await listener(*args, **kwargs)
            finally:
                self._count -= 1
                if self._count == 0:
                    self.last_busy = time.monotonic()
                    self._idle.set()

        return tracked  # type: ignore[return-value]

    async def idle(self, timeout: float | None = None) -> bool:
        """Wait until no listener is running; False if `timeout` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False
