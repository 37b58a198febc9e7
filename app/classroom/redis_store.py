"""The Redis backend: class state in keys that expire after idle time, fan-out over pub/sub.

Any number of workers and hosts share one class. Each change that must be atomic (numbering an event,
a capped roster, a capped count of answers) is one Lua script. Each process holds one pattern
subscription and hands what arrives to its own streams (:class:`~app.classroom.store.Fanout`).

Keys, for a class ``C``: ``bpl:c:C`` (fields, JSON values), ``…:r`` (roster), ``…:on`` (students with a
live stream: a sorted set scored by the Redis time, in ms, until which each counts), ``…:a:Q`` and ``…:n:Q``
(answers and attempts of question Q), ``…:qs`` (question ids), ``…:log`` and ``…:seq`` (events);
channel ``bpl:ch:C``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from app.classroom.store import Audience, Event, Fanout, drain

log = logging.getLogger(__name__)
PREFIX = "bpl:c:"
CHANNEL = "bpl:ch:"
RETRY_SECONDS = 0.5
POOL_SIZE = 32
POOL_WAIT_SECONDS = 10.0
MARKER = "~"  # a field every class has, so a class without fields still exists

CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '~', '1', unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""
# only a class that still exists: a late write must not bring an expired one back without a TTL
SET_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""
# KEYS: class, roster; ARGV: key, name, cap
ADD_STUDENT = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then
  return -2
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl)
return redis.call('HLEN', KEYS[2])
"""
# KEYS: class, answers, attempts, question ids; ARGV: student, answer, cap, question
RECORD_ANSWER = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[4])
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1
"""
# KEYS: class, seq, log; ARGV: type (JSON), data (JSON), audience, log length, channel
PUBLISH = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
local id = redis.call('INCR', KEYS[2])
local event = '{"id":' .. id .. ',"type":' .. ARGV[1] .. ',"data":' .. ARGV[2] .. ',"audience":"' .. ARGV[3] .. '"}'
redis.call('RPUSH', KEYS[3], event)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('PUBLISH', ARGV[5], event)
return id
"""
# The events after ARGV[1], read in one step with the numbers that locate them in the log (a publish in
# between would trim the log and shift them); nil when some are no longer kept or there is no such class.
# KEYS: seq, log, class
EVENTS_AFTER = """
if redis.call('EXISTS', KEYS[3]) == 0 then return nil end
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = tonumber(ARGV[1])
if after >= last then return {} end
local first = last - redis.call('LLEN', KEYS[2]) + 1
if after + 1 < first then return nil end
return redis.call('LRANGE', KEYS[2], after + 1 - first, -1)
"""
# Presence is timed by the Redis server's clock, so workers on hosts whose clocks differ agree on it.
# KEYS: class, connected; ARGV: student, ttl ms
PRESENT = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
local now = redis.call('TIME')
redis.call('ZADD', KEYS[2], now[1] * 1000 + math.floor(now[2] / 1000) + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
"""
# KEYS: connected
CONNECTED = """
local now = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now[1] * 1000 + math.floor(now[2] / 1000))
return redis.call('ZCARD', KEYS[1])
"""
# KEYS: class, roster, seq, log, question ids, connected; ARGV: ttl ms, prefix of answer keys
TOUCH = """
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 2, 6 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
for _, q in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  redis.call('PEXPIRE', ARGV[2] .. 'a:' .. q, ARGV[1])
  redis.call('PEXPIRE', ARGV[2] .. 'n:' .. q, ARGV[1])
end
return 1
"""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisStore:
    """:class:`~app.classroom.store.ClassroomStore` on Redis (``redis://host:port/db``)."""

    def __init__(self, url: str) -> None:
        # A bounded pool that waits for a free connection: 300 streams opening at once share a few connections
        # instead of each opening its own (and its buffers).
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS, decode_responses=True, health_check_interval=30
        )
        self.redis = aioredis.Redis(connection_pool=pool)
        self.fanout = Fanout()
        self.scripts = {
            name: self.redis.register_script(source)
            for name, source in {
                "create": CREATE,
                "set_fields": SET_FIELDS,
                "add_student": ADD_STUDENT,
                "record_answer": RECORD_ANSWER,
                "publish": PUBLISH,
                "touch": TOUCH,
                "events_after": EVENTS_AFTER,
                "present": PRESENT,
                "connected": CONNECTED,
            }.items()
        }
        self.listener: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    # ------------------------------------------------------------------------------------------ state
    async def create(self, code: str, fields: dict[str, Any], ttl: float) -> bool:
        pairs = [part for name, value in fields.items() for part in (name, orjson.dumps(value).decode())]
        return bool(await self.scripts["create"](keys=[PREFIX + code], args=[_ms(ttl), *pairs]))

    async def fields(self, code: str) -> dict[str, Any] | None:
        raw = await self.redis.hgetall(PREFIX + code)
        return {name: orjson.loads(value) for name, value in raw.items() if name != MARKER} if raw else None

    async def set_fields(self, code: str, fields: dict[str, Any]) -> None:
        if not fields:
            return
        pairs = [part for name, value in fields.items() for part in (name, orjson.dumps(value).decode())]
        await self.scripts["set_fields"](keys=[PREFIX + code], args=pairs)

    async def touch(self, code: str, ttl: float) -> None:
        base = PREFIX + code
        keys = [base, base + ":r", base + ":seq", base + ":log", base + ":qs", base + ":on"]
        await self.scripts["touch"](keys=keys, args=[_ms(ttl), base + ":"])

    async def delete(self, code: str) -> None:
        base = PREFIX + code
        questions = await self.redis.smembers(base + ":qs")
        keys = [base, base + ":r", base + ":seq", base + ":log", base + ":qs", base + ":on"]
        keys += [f"{base}:{kind}:{q}" for q in questions for kind in ("a", "n")]
        await self.redis.delete(*keys)

    async def add_student(self, code: str, key: str, name: str, cap: int) -> int | None:
        base = PREFIX + code
        count = int(await self.scripts["add_student"](keys=[base, base + ":r"], args=[key, name, cap]))
        return count if count > 0 else None

    async def roster(self, code: str) -> dict[str, str]:
        return await self.redis.hgetall(PREFIX + code + ":r")

    async def present(self, code: str, key: str, ttl: float) -> None:
        base = PREFIX + code
        await self.scripts["present"](keys=[base, base + ":on"], args=[key, _ms(ttl)])

    async def absent(self, code: str, key: str) -> None:
        await self.redis.zrem(PREFIX + code + ":on", key)

    async def connected(self, code: str) -> int:
        return int(await self.scripts["connected"](keys=[PREFIX + code + ":on"]))

    async def record_answer(self, code: str, question: str, key: str, answer: str, cap: int) -> bool:
        base = PREFIX + code
        keys = [base, f"{base}:a:{question}", f"{base}:n:{question}", base + ":qs"]
        return bool(await self.scripts["record_answer"](keys=keys, args=[key, answer, cap, question]))

    async def answers(self, code: str, question: str) -> dict[str, str]:
        return await self.redis.hgetall(f"{PREFIX}{code}:a:{question}")

    # ------------------------------------------------------------------------------------------ events
    async def publish(self, code: str, type: str, data: dict[str, Any], audience: Audience, log: int) -> Event:
        base = PREFIX + code
        args = [orjson.dumps(type).decode(), orjson.dumps(data).decode(), audience, log, CHANNEL + code]
        event_id = int(await self.scripts["publish"](keys=[base, base + ":seq", base + ":log"], args=args))
        return Event(event_id, type, data, audience)

    async def events_after(self, code: str, after: int) -> list[Event] | None:
        base = PREFIX + code
        raw = await self.scripts["events_after"](keys=[base + ":seq", base + ":log", base], args=[after])
        return None if raw is None else [Event.from_json(item) for item in raw]

    async def last_event_id(self, code: str) -> int | None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.exists(PREFIX + code)
            pipe.get(PREFIX + code + ":seq")
            exists, last = await pipe.execute()
        return int(last or 0) if exists else None

    @asynccontextmanager
    async def subscribe(self, code: str) -> AsyncIterator[AsyncIterator[Event]]:
        if self.listener is None or self.listener.done():
            self.listening.clear()
            self.listener = asyncio.create_task(self._listen())
        await asyncio.wait_for(self.listening.wait(), timeout=10)
        queue = self.fanout.open(code)
        try:
            yield drain(queue)
        finally:
            self.fanout.close(code, queue)

    async def _listen(self) -> None:
        """One pattern subscription for the whole process, kept up for as long as the process runs."""
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=False)
            try:
                await pubsub.psubscribe(CHANNEL + "*")
                async for message in pubsub.listen():
                    if message["type"] == "psubscribe":
                        self.listening.set()
                    elif message["type"] == "pmessage":
                        code = message["channel"][len(CHANNEL) :]
                        self.fanout.deliver(code, Event.from_json(message["data"]))
            except (RedisError, OSError) as error:
                log.warning("classroom: lost the Redis subscription (%s); resubscribing", error)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            # events published while we were away are in each class's log: every stream resumes from there
            self.fanout.restart_all()
            await asyncio.sleep(RETRY_SECONDS)

    async def hit(self, key: str, window: float, add: int = 1) -> int:
        bucket = f"bpl:hit:{key}:{int(time.time() // window)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incrby(bucket, add)
            pipe.expire(bucket, int(window) + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.listener
        await self.redis.aclose()
        await self.redis.connection_pool.disconnect()
