"""Slots for heavy requests: at most so many at once, a short first-come queue, then 503 at once."""

from __future__ import annotations

import asyncio

import pytest

from app.api.heavy import HeavySlots
from app.api.wire import ApiError


def test_a_freed_slot_goes_to_the_oldest_waiter_and_a_full_queue_refuses_at_once():
    async def scenario() -> list[str]:
        slots = HeavySlots(slots=1, queue=2, wait_seconds=5)
        order: list[str] = []
        await slots.acquire()

        async def waiter(name: str) -> None:
            await slots.acquire()
            order.append(name)

        first = asyncio.create_task(waiter("first"))
        await asyncio.sleep(0)
        second = asyncio.create_task(waiter("second"))
        await asyncio.sleep(0)
        with pytest.raises(ApiError) as refused:
            await slots.acquire()
        assert refused.value.status_code == 503 and refused.value.headers["Retry-After"]
        slots.release()
        await first
        assert slots.running == 1 and not second.done()
        slots.release()
        await second
        slots.release()
        assert slots.running == 0
        return order

    assert asyncio.run(scenario()) == ["first", "second"]


def test_a_waiter_gives_up_after_the_queue_timeout():
    async def scenario() -> None:
        slots = HeavySlots(slots=1, queue=1, wait_seconds=0.05)
        await slots.acquire()
        with pytest.raises(ApiError) as refused:
            await slots.acquire()
        assert refused.value.status_code == 503 and "0.05 s" in str(refused.value.detail)
        slots.release()
        assert slots.running == 0
        await slots.acquire()  # nobody is left in the queue to take the slot away
        assert slots.running == 1

    asyncio.run(scenario())


def test_a_waiter_whose_request_is_cancelled_leaves_the_queue():
    async def scenario() -> None:
        slots = HeavySlots(slots=1, queue=1, wait_seconds=5)
        await slots.acquire()
        waiting = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        slots.release()
        assert slots.running == 0
        async with slots.held():
            assert slots.running == 1
        assert slots.running == 0

    asyncio.run(scenario())
