"""Many sockets' writes as one: what the chat sockets of a process hand over while the previous
batch is being stored goes to the database together (ADR 0033).

At a quiet moment a message is stored at once, alone; under load the batches grow by themselves
(everything that arrived during the last round trip), so a thousand chats cost a few transactions
a second rather than a thousand, and no socket waits for a timer."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

Flush = Callable[[list[Any]], Awaitable[list[Any]]]


class Coalescer:
    """``await submit(item)`` returns what ``flush(items)`` returned for it (an exception instance in
    its place is raised to its submitter alone). At most ``parallel`` flushes run at once, each of
    at most ``limit`` items, in the order submitted."""

    def __init__(self, flush: Flush, *, limit: int = 200, parallel: int = 3):
        self.flush, self.limit, self.parallel = flush, limit, parallel
        self.waiting: list[tuple[Any, asyncio.Future]] = []
        self.running = 0

    async def submit(self, item):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.running < self.parallel:
            self.running += 1
            asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:self.limit], self.waiting[self.limit:]
                try:
                    results = await self.flush([item for item, _future in batch])
                except Exception as exc:  # noqa: BLE001 - every submitter of the batch hears it
                    results = [exc] * len(batch)
                for (_item, future), result in zip(batch, results, strict=True):
                    if future.done():  # its socket went away meanwhile
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self.running -= 1


_BY_LOOP: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def coalescer(name: str, flush: Flush, **options) -> Coalescer:
    """The event loop's coalescer called ``name`` (futures belong to one loop)."""
    per_loop = _BY_LOOP.setdefault(asyncio.get_running_loop(), {})
    if name not in per_loop:
        per_loop[name] = Coalescer(flush, **options)
    return per_loop[name]
