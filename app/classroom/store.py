"""The interface both backends keep, and the per-process fan-out of events to open streams.

A class is a small hash of fields (JSON values), a roster (student key → display name), who of them is
connected now (student key → until when), answers per question, and a numbered log of events. Every event is published to the class's channel; each process
hands what arrives to its own open streams through :class:`Fanout`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import orjson

Audience = Literal["all", "teacher"]
QUEUE_SIZE = 512  # events held for one slow stream; past this it is closed and its reader resumes with Last-Event-ID


@dataclass(frozen=True)
class Event:
    """One numbered change of a class. ``audience`` "teacher": only the teacher's stream carries it."""

    id: int
    type: str
    data: dict[str, Any]
    audience: Audience = "all"

    def to_json(self) -> bytes:
        return orjson.dumps({"id": self.id, "type": self.type, "data": self.data, "audience": self.audience})

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        value = orjson.loads(raw)
        return cls(value["id"], value["type"], value["data"], value.get("audience", "all"))


class StreamOverflow(Exception):
    """A stream fell :data:`QUEUE_SIZE` events behind; its reader reconnects and catches up from the log."""


class ClassroomStore(Protocol):
    """Class state and fan-out. Every method refreshes nothing by itself except :meth:`touch`."""

    async def create(self, code: str, fields: dict[str, Any], ttl: float) -> bool:
        """Make a class; False if ``code`` is taken."""

    async def fields(self, code: str) -> dict[str, Any] | None:
        """Every field of the class, or None when there is no such class (or it expired)."""

    async def set_fields(self, code: str, fields: dict[str, Any]) -> None: ...

    async def touch(self, code: str, ttl: float) -> None:
        """Keep the class (and everything under it) for ``ttl`` more seconds."""

    async def delete(self, code: str) -> None: ...

    async def add_student(self, code: str, key: str, name: str, cap: int) -> int | None:
        """Add ``key`` to the roster: the number of students, or None when the class is full."""

    async def roster(self, code: str) -> dict[str, str]: ...

    async def record_answer(self, code: str, question: str, key: str, answer: str, cap: int) -> bool:
        """Keep ``answer`` as the student's latest; False when they have answered ``cap`` times already."""

    async def answers(self, code: str, question: str) -> dict[str, str]: ...

    async def present(self, code: str, key: str, ttl: float) -> None:
        """Student ``key`` has a live stream for ``ttl`` more seconds (a stream renews this while it is open)."""

    async def absent(self, code: str, key: str) -> None:
        """Student ``key``'s stream closed."""

    async def connected(self, code: str) -> int:
        """How many students have a live stream now (on any worker)."""

    async def publish(self, code: str, type: str, data: dict[str, Any], audience: Audience, log: int) -> Event:
        """Number the event, keep it among the last ``log`` of the class, and send it to every stream."""

    async def events_after(self, code: str, after: int) -> list[Event] | None:
        """The logged events numbered above ``after``; None when some of them are no longer kept."""

    async def last_event_id(self, code: str) -> int | None:
        """The number of the class's latest event (0 before the first), or None when there is no such class."""

    def subscribe(self, code: str) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """The class's events from now on, for as long as the context is open."""

    async def hit(self, key: str, window: float, add: int = 1) -> int:
        """Count ``add`` attempts under ``key`` in the current ``window`` seconds; the count so far."""

    async def close(self) -> None: ...


class Fanout:
    """This process's open streams, by class: one bounded queue each."""

    def __init__(self) -> None:
        self.queues: dict[str, set[asyncio.Queue[Event | None]]] = {}

    def deliver(self, code: str, event: Event) -> None:
        for queue in list(self.queues.get(code, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                _restart(queue)  # the reader is far behind: it starts over from the log

    def restart_all(self) -> None:
        """Every stream starts over from its class's log (after events may have been missed)."""
        for queues in list(self.queues.values()):
            for queue in list(queues):
                _restart(queue)

    def open(self, code: str) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)
        self.queues.setdefault(code, set()).add(queue)
        return queue

    def close(self, code: str, queue: asyncio.Queue[Event | None]) -> None:
        queues = self.queues.get(code)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.queues[code]

    def is_watched(self, code: str) -> bool:
        return code in self.queues


def _restart(queue: asyncio.Queue[Event | None]) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(None)


async def drain(queue: asyncio.Queue[Event | None]) -> AsyncIterator[Event]:
    """The queue's events; raises :class:`StreamOverflow` where some were dropped."""
    while True:
        event = await queue.get()
        if event is None:
            raise StreamOverflow
        yield event
