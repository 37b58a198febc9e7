"""The in-process backend: dictionaries with deadlines. Serves one worker; nothing to install."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from app.classroom.store import Audience, Event, Fanout, drain

MAX_COUNTERS = 10_000  # rate-limit windows kept; the oldest go first


@dataclass
class _Class:
    fields: dict[str, Any]
    expires: float
    roster: dict[str, str] = field(default_factory=dict)
    present: dict[str, float] = field(default_factory=dict)  # student key → until when (this store's clock)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    attempts: dict[str, dict[str, int]] = field(default_factory=dict)
    log: deque[Event] = field(default_factory=deque)
    last_id: int = 0


class MemoryStore:
    """:class:`~app.classroom.store.ClassroomStore` in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.classes: dict[str, _Class] = {}
        self.fanout = Fanout()
        self.counters: dict[str, tuple[float, int]] = {}

    def _live(self, code: str) -> _Class | None:
        found = self.classes.get(code)
        if found is not None and found.expires <= self.clock():
            del self.classes[code]
            return None
        return found

    def _sweep(self) -> None:
        now = self.clock()
        for code in [code for code, found in self.classes.items() if found.expires <= now]:
            del self.classes[code]

    async def create(self, code: str, fields: dict[str, Any], ttl: float) -> bool:
        self._sweep()  # classes nobody asks for again are dropped here, when a new one is made
        if self._live(code) is not None:
            return False
        self.classes[code] = _Class(dict(fields), self.clock() + ttl)
        return True

    async def fields(self, code: str) -> dict[str, Any] | None:
        found = self._live(code)
        return dict(found.fields) if found else None

    async def set_fields(self, code: str, fields: dict[str, Any]) -> None:
        found = self._live(code)
        if found is not None:
            found.fields.update(fields)

    async def touch(self, code: str, ttl: float) -> None:
        found = self._live(code)
        if found is not None:
            found.expires = self.clock() + ttl

    async def delete(self, code: str) -> None:
        self.classes.pop(code, None)

    async def add_student(self, code: str, key: str, name: str, cap: int) -> int | None:
        found = self._live(code)
        if found is None:
            return None
        if key not in found.roster and len(found.roster) >= cap:
            return None
        found.roster[key] = name
        return len(found.roster)

    async def roster(self, code: str) -> dict[str, str]:
        found = self._live(code)
        return dict(found.roster) if found else {}

    async def present(self, code: str, key: str, ttl: float) -> None:
        found = self._live(code)
        if found is not None:
            found.present[key] = self.clock() + ttl

    async def absent(self, code: str, key: str) -> None:
        found = self._live(code)
        if found is not None:
            found.present.pop(key, None)

    async def connected(self, code: str) -> int:
        found = self._live(code)
        if found is None:
            return 0
        now = self.clock()
        for key in [key for key, until in found.present.items() if until <= now]:
            del found.present[key]
        return len(found.present)

    async def record_answer(self, code: str, question: str, key: str, answer: str, cap: int) -> bool:
        found = self._live(code)
        if found is None:
            return False
        attempts = found.attempts.setdefault(question, {})
        if attempts.get(key, 0) >= cap:
            return False
        attempts[key] = attempts.get(key, 0) + 1
        found.answers.setdefault(question, {})[key] = answer
        return True

    async def answers(self, code: str, question: str) -> dict[str, str]:
        found = self._live(code)
        return dict(found.answers.get(question, {})) if found else {}

    async def publish(self, code: str, type: str, data: dict[str, Any], audience: Audience, log: int) -> Event:
        found = self._live(code)
        last_id = found.last_id + 1 if found else 0
        event = Event(last_id, type, data, audience)
        if found is not None:
            found.last_id = last_id
            found.log.append(event)
            while len(found.log) > log:
                found.log.popleft()
        self.fanout.deliver(code, event)
        return event

    async def events_after(self, code: str, after: int) -> list[Event] | None:
        found = self._live(code)
        if found is None:
            return None
        kept = list(found.log)
        if after < found.last_id and (not kept or kept[0].id > after + 1):
            return None
        return [event for event in kept if event.id > after]

    async def last_event_id(self, code: str) -> int | None:
        found = self._live(code)
        return found.last_id if found else None

    @asynccontextmanager
    async def subscribe(self, code: str) -> AsyncIterator[AsyncIterator[Event]]:
        queue = self.fanout.open(code)
        try:
            yield drain(queue)
        finally:
            self.fanout.close(code, queue)

    async def hit(self, key: str, window: float, add: int = 1) -> int:
        now = self.clock()
        start, count = self.counters.pop(key, (now, 0))
        if now - start >= window:
            start, count = now, 0
        self.counters[key] = (start, count + add)
        while len(self.counters) > MAX_COUNTERS:
            del self.counters[next(iter(self.counters))]
        return count + add

    async def close(self) -> None:
        self.classes.clear()
