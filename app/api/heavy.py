"""Heavy requests: a bounded number at once per process, and none computed for a client that has gone.

A trace of the largest network or a long training run holds a core and a hundred megabytes or more while it
runs. Each process computes at most ``BACKPROP_HEAVY_SLOTS`` of them at once; up to ``BACKPROP_HEAVY_QUEUE``
more wait (at most ``BACKPROP_HEAVY_QUEUE_SECONDS``) for a slot, first come first served, and any other is
answered at once with 503 and ``Retry-After``. Light requests never wait. A training stream is admitted the
same way, then holds its slot only while it computes a chunk, not while its client reads the events.

Work runs in a thread that checks a :class:`threading.Event` between steps; the event loop sets it as soon as
the client disconnects, so an abandoned request frees its core and its slot within a step or two.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app.api.wire import ApiError
from app.settings import Settings

T = TypeVar("T")

RETRY_AFTER_SECONDS = 2  # a heavy request takes about a second or two
DISCONNECT_POLL_SECONDS = 0.05
CLIENT_CLOSED_REQUEST = 499  # nobody reads it: written to the access log only (nginx's code for the same)


class HeavySlots:
    """At most ``slots`` holders at once, at most ``queue`` waiting; a freed slot goes to the oldest waiter."""

    def __init__(self, slots: int, queue: int, wait_seconds: float) -> None:
        self.slots = max(slots, 1)
        self.queue = max(queue, 0)
        self.wait_seconds = wait_seconds
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def _busy(self, why: str) -> ApiError:
        return ApiError(
            503,
            f"the server is busy: {why}; try again in {RETRY_AFTER_SECONDS} s, or ask for less work "
            "(BACKPROP_HEAVY_SLOTS and BACKPROP_HEAVY_QUEUE set how many heavy requests a process takes)",
            code="busy",
            params={"slots": self.slots, "queue": self.queue, "retry_after": RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def acquire(self, patient: bool = False) -> None:
        """Take a slot, waiting in the queue if need be; 503 when the queue is full or the wait too long.
        ``patient``: wait as long as it takes, queue or not (for a stream that is under way)."""
        if self.running < self.slots and not self._waiters:
            self.running += 1
            return
        if not patient and len(self._waiters) >= self.queue:
            raise self._busy(f"all {self.slots} slots for heavy requests are taken and {len(self._waiters)} more wait")
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(slot)
        try:
            await asyncio.wait_for(asyncio.shield(slot), None if patient else self.wait_seconds)
        except TimeoutError:
            if not slot.done():
                slot.cancel()
                raise self._busy(f"no slot came free within {self.wait_seconds:g} s") from None
        except asyncio.CancelledError:  # the request is being torn down: a slot handed over goes on
            if slot.done() and not slot.cancelled():
                self.release()
            slot.cancel()
            raise
        finally:
            if slot in self._waiters:
                self._waiters.remove(slot)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on: running stays the same
                return
        self.running -= 1

    @asynccontextmanager
    async def held(self, heavy: bool = True) -> AsyncIterator[None]:
        """Hold a slot for the block; ``heavy`` False passes straight through."""
        if not heavy:
            yield
            return
        await self.acquire()
        try:
            yield
        finally:
            self.release()


def heavy_slots(http: Request) -> HeavySlots:
    """The process's slots, made on first use from the app's settings."""
    state = http.app.state
    slots = getattr(state, "heavy_slots", None)
    if slots is None:
        settings: Settings = state.settings
        slots = state.heavy_slots = HeavySlots(settings.heavy_slots, settings.heavy_queue, settings.heavy_queue_seconds)
    return slots


async def while_connected(http: Request, work: Callable[[threading.Event], T]) -> T | None:
    """Run ``work(stop)`` in a thread; ``stop`` is set once the client has gone. None when it has."""
    stop = threading.Event()

    async def watch() -> None:
        while not stop.is_set():
            await anyio.sleep(DISCONNECT_POLL_SECONDS)
            if await http.is_disconnected():
                stop.set()

    try:
        async with anyio.create_task_group() as watchers:
            watchers.start_soon(watch)
            result = await run_in_threadpool(work, stop)
            watchers.cancel_scope.cancel()
    finally:
        stop.set()  # cancelled from outside too: the thread stops at its next check
    return None if await http.is_disconnected() else result


class SlotHold:
    """A stream's claim on a slot: taken while it computes, given back while it waits for its client to
    read, so that a slow reader holds no slot. ``give`` is safe to call when nothing is held."""

    def __init__(self, slots: HeavySlots | None) -> None:
        self.slots = slots  # None: light work, which never needs a slot
        self.held = False

    async def admit(self) -> None:
        """The first slot, or 503 at once: nothing has been sent yet."""
        if self.slots is not None:
            await self.slots.acquire()
            self.held = True

    async def take(self) -> None:
        if self.slots is not None and not self.held:
            await self.slots.acquire(patient=True)
            self.held = True

    def give(self) -> None:
        if self.slots is not None and self.held:
            self.held = False
            self.slots.release()


class HeldStream(StreamingResponse):
    """A streamed response that gives back its slot when it ends, however it ends (even unstarted)."""

    def __init__(self, content: AsyncIterator[bytes], hold: SlotHold, **options: object) -> None:
        super().__init__(content, **options)  # type: ignore[arg-type]
        self._hold = hold

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._hold.give()
