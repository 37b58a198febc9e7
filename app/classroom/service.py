"""A class's rules on top of a :class:`~app.classroom.store.ClassroomStore`: who may do what, and the caps."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from app.classroom import codes
from app.classroom.memory import MemoryStore
from app.classroom.questions import BadAnswer, Question, checked_answer, tally
from app.classroom.store import ClassroomStore, Event, StreamOverflow

Reason = Literal["not_found", "unauthorized", "forbidden", "full", "rate_limited", "too_large", "invalid", "closed"]
CODE_ATTEMPTS = 20  # fresh codes tried before giving up (a collision is one in millions)
JOIN_WINDOW = 60.0
TICK_SECONDS = 2.0  # a stream wakes this often while nothing happens: keep-alive, presence, a gone class
PRESENCE_SECONDS = 8.0  # a student counts as connected this long after their stream last said so (a worker
# that dies cannot say goodbye); a stream that closes says so at once


@dataclass(frozen=True)
class ClassroomLimits:
    max_students: int = 400
    max_questions: int = 50
    max_answers: int = 3  # per student per question: a change of mind or two, not a flood
    max_name_length: int = 24
    idle_seconds: float = 7200.0
    join_per_minute: int = 20
    max_state_bytes: int = 256_000
    log_events: int = 256  # events kept for a reconnecting stream; older gaps get a fresh snapshot


class ClassroomError(Exception):
    """Refused: ``reason`` says the kind (the API maps it to a status), the message what to do."""

    def __init__(self, reason: Reason, message: str, **params: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Started:
    code: str
    teacher_token: str


@dataclass(frozen=True)
class Joined:
    code: str
    student_token: str
    count: int


def open_store(redis_url: str) -> ClassroomStore:
    """Redis when a URL is given, else this process's memory."""
    if redis_url:
        from app.classroom.redis_store import RedisStore  # only deployments with Redis need the client loaded

        return RedisStore(redis_url)
    return MemoryStore()


def _unknown(code: str) -> ClassroomError:
    # expired and never-made classes read the same: nothing tells a guesser which codes were once used
    return ClassroomError("not_found", f"no class with the code {code}; check the code on the teacher's screen")


class Classroom:
    """Start, join, lead, ask and follow. Every method takes the class code; teacher methods its token."""

    def __init__(self, store: ClassroomStore, limits: ClassroomLimits) -> None:
        self.store = store
        self.limits = limits

    # ------------------------------------------------------------------------------------------ teacher
    async def start(self, state: dict[str, Any] | None) -> Started:
        self._check_state(state)
        token = codes.new_token()
        fields = {
            "teacher": codes.token_digest(token),
            "state": state,
            "locked": False,
            "paused": False,
            "question": None,
            "asked": 0,
        }
        for _ in range(CODE_ATTEMPTS):
            code = codes.new_code()
            if await self.store.create(code, fields, self.limits.idle_seconds):
                return Started(code, token)
        raise ClassroomError("full", "no free class code was found; try again")

    async def teacher_fields(self, code: str, token: str | None) -> dict[str, Any]:
        fields = await self._fields(code)
        if not token:
            raise ClassroomError("unauthorized", "this action needs the class's teacher token (Authorization: Bearer)")
        if not codes.same_token(token, fields["teacher"]):
            raise ClassroomError("forbidden", "this token does not lead this class; only its teacher can do this")
        await self.store.touch(code, self.limits.idle_seconds)
        return fields

    async def set_state(self, code: str, token: str | None, state: dict[str, Any]) -> int:
        await self.teacher_fields(code, token)
        self._check_state(state)
        await self.store.set_fields(code, {"state": state})
        return (await self._publish(code, "state", {"state": state})).id

    async def control(self, code: str, token: str | None, locked: bool | None, paused: bool | None) -> dict[str, bool]:
        fields = await self.teacher_fields(code, token)
        changed = {
            "locked": fields["locked"] if locked is None else locked,
            "paused": fields["paused"] if paused is None else paused,
        }
        await self.store.set_fields(code, changed)
        await self._publish(code, "control", changed)
        return changed

    async def ask(self, code: str, token: str | None, question: Question) -> dict[str, Any]:
        fields = await self.teacher_fields(code, token)
        if fields["asked"] >= self.limits.max_questions:
            raise ClassroomError(
                "too_large",
                f"a class asks at most {self.limits.max_questions} questions; start a new class",
                limit=self.limits.max_questions,
            )
        await self.store.set_fields(code, {"question": question.to_dict(), "asked": fields["asked"] + 1})
        await self._publish(code, "question", {"question": question.public()})
        return question.for_teacher()

    async def reveal(self, code: str, token: str | None, question_id: str) -> dict[str, Any]:
        fields = await self.teacher_fields(code, token)
        question = self._current(fields, question_id)
        tally(question, list((await self.store.answers(code, question.id)).values()))
        question.stage = "revealed"
        await self.store.set_fields(code, {"question": question.to_dict()})
        await self._publish(code, "reveal", {"question": question.public()})
        return question.for_teacher()

    async def end(self, code: str, token: str | None) -> None:
        await self.teacher_fields(code, token)
        await self._publish(code, "ended", {})
        await self.store.delete(code)

    async def teacher_view(self, code: str, token: str | None) -> dict[str, Any]:
        await self.teacher_fields(code, token)
        return await self.teacher_view_unchecked(code)

    # ------------------------------------------------------------------------------------------ students
    async def join(self, code_text: str, name: str | None, client: str) -> Joined:
        # Only wrong codes count: a class behind one NAT joins at once, a guesser is stopped after a few tries.
        limiter = f"join:{client}"
        if await self.store.hit(limiter, JOIN_WINDOW, add=0) >= self.limits.join_per_minute:
            raise self._too_many_joins()
        code = codes.normal_code(code_text)
        if code is None:
            await self.store.hit(limiter, JOIN_WINDOW)
            raise ClassroomError(
                "invalid", f"a class code is {codes.CODE_LENGTH} letters and digits, as on the teacher's screen"
            )
        try:
            await self._fields(code)
        except ClassroomError:
            await self.store.hit(limiter, JOIN_WINDOW)
            raise
        token = codes.new_token()
        shown = codes.clean_name(name, self.limits.max_name_length)
        count = await self.store.add_student(code, codes.token_digest(token), shown, self.limits.max_students)
        if count is None:
            raise ClassroomError(
                "full", f"this class is full ({self.limits.max_students} students)", limit=self.limits.max_students
            )
        await self.store.touch(code, self.limits.idle_seconds)
        # the whole list, not the one name: a teacher's stream that resumes replays roster events, and a
        # replayed "joined" would list a student twice
        names = sorted(name for name in (await self.store.roster(code)).values() if name)
        await self._publish(code, "roster", {"count": count, "names": names}, teacher_only=True)
        return Joined(code, token, count)

    def _too_many_joins(self) -> ClassroomError:
        return ClassroomError(
            "rate_limited",
            f"too many wrong class codes from your address: at most {self.limits.join_per_minute} a minute; wait a "
            "minute and type the code again",
            limit=self.limits.join_per_minute,
        )

    async def answer(self, code: str, student_token: str | None, question_id: str, text: str) -> None:
        fields = await self._fields(code)
        key = codes.token_digest(student_token or "")
        if not student_token or key not in await self.store.roster(code):
            raise ClassroomError("forbidden", "join the class first: this device has no seat in it")
        question = self._current(fields, question_id)
        if question.stage != "open":
            raise ClassroomError("closed", "this question is closed; wait for the next one")
        try:
            answer = checked_answer(question, text)
        except BadAnswer as error:
            raise ClassroomError("invalid", str(error)) from None
        if not await self.store.record_answer(code, question.id, key, answer, self.limits.max_answers):
            raise ClassroomError(
                "rate_limited",
                f"you have answered {self.limits.max_answers} times; your last answer counts",
                limit=self.limits.max_answers,
            )
        answers = list((await self.store.answers(code, question.id)).values())
        tally(question, answers)
        data = {"question": question.id, "answered": question.answered, "histogram": question.histogram}
        await self._publish(code, "tally", data, teacher_only=True)

    async def student_view(self, code: str) -> dict[str, Any]:
        return self._public(code, await self._fields(code))

    # ------------------------------------------------------------------------------------------ the live channel
    async def seat_of(self, code: str, student_token: str | None) -> str | None:
        """The roster key of the student whose token this is, or None (no token, or not a seat of this class)."""
        if not student_token:
            return None
        key = codes.token_digest(student_token)
        return key if key in await self.store.roster(code) else None

    async def follow(
        self, code: str, after: int | None, teacher: bool, seat: str | None = None
    ) -> AsyncIterator[Event | None]:
        """The class's events for one stream: what was missed since ``after`` (or a snapshot), then each change
        as it happens. None now and then, while nothing happens, so the caller can keep the line alive. Ends
        after an "ended" event, or when this stream fell too far behind (its reader resumes from the log).

        A student's stream (``seat``: their roster key) counts them as connected while it is open; a teacher's
        stream carries "presence" events ({connected}) when that number changes. They are not logged: a
        resumed stream gets the number in its snapshot or its next tick."""
        await self._fields(code)
        if seat is not None:
            await self.store.present(code, seat, PRESENCE_SECONDS)
        try:
            async for event in self._follow(code, after, teacher, seat):
                yield event
        finally:
            if seat is not None:
                await self.store.absent(code, seat)

    async def _follow(
        self, code: str, after: int | None, teacher: bool, seat: str | None
    ) -> AsyncIterator[Event | None]:
        connected = -1
        async with self.store.subscribe(code) as live:
            last = -1
            newest = await self.store.last_event_id(code) or 0
            # a Last-Event-ID from the future (another class, a forged header) gets a snapshot too
            missed = await self.store.events_after(code, after) if after is not None and after <= newest else None
            if missed is None:
                last = await self.store.last_event_id(code) or 0  # before the fields: an event between comes twice
                view = await (self.teacher_view_unchecked(code) if teacher else self.student_view(code))
                connected = view.get("connected", -1)
                yield Event(last, "snapshot", view)
            for event in missed or []:
                last = event.id
                if teacher or event.audience == "all":
                    yield event
            pending = asyncio.ensure_future(anext(live))
            tick = time.monotonic() + TICK_SECONDS
            try:
                while True:
                    if time.monotonic() >= tick:
                        # on time even while events keep coming: renew presence, tell the teacher, keep alive
                        tick = time.monotonic() + TICK_SECONDS
                        if await self.store.last_event_id(code) is None:  # cheap: not the whole class
                            yield Event(last + 1, "ended", {})
                            return
                        if seat is not None:
                            await self.store.present(code, seat, PRESENCE_SECONDS)
                        if teacher and connected != (now := await self.store.connected(code)):
                            connected = now
                            yield Event(last, "presence", {"connected": now})
                        else:
                            yield None
                        continue
                    done, _ = await asyncio.wait({pending}, timeout=max(0.0, tick - time.monotonic()))
                    if not done:
                        continue
                    try:
                        event = pending.result()
                    except (StreamOverflow, StopAsyncIteration):
                        return
                    pending = asyncio.ensure_future(anext(live))
                    if event.id <= last:
                        continue
                    last = event.id
                    if teacher or event.audience == "all":
                        yield event
                    if event.type == "ended":
                        return
            finally:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StreamOverflow, StopAsyncIteration):
                    await pending

    async def teacher_view_unchecked(self, code: str) -> dict[str, Any]:
        """The teacher's view (roster and live counts too); the caller has checked the token."""
        fields = await self._fields(code)
        roster = await self.store.roster(code)
        view = self._public(code, fields)
        view.update(
            count=len(roster),
            connected=await self.store.connected(code),
            names=sorted(name for name in roster.values() if name),
        )
        if fields["question"]:
            question = Question.from_dict(fields["question"])
            view["question"] = tally(
                question, list((await self.store.answers(code, question.id)).values())
            ).for_teacher()
        return view

    # ------------------------------------------------------------------------------------------ helpers
    async def _fields(self, code: str) -> dict[str, Any]:
        fields = await self.store.fields(code)
        if fields is None:
            raise _unknown(code)
        return fields

    async def _publish(self, code: str, type: str, data: dict[str, Any], teacher_only: bool = False) -> Event:
        audience = "teacher" if teacher_only else "all"
        return await self.store.publish(code, type, data, audience, self.limits.log_events)

    def _check_state(self, state: dict[str, Any] | None) -> None:
        size = len(orjson.dumps(state))
        if size > self.limits.max_state_bytes:
            raise ClassroomError(
                "too_large",
                f"the page state is {size} bytes; a class carries at most {self.limits.max_state_bytes}",
                limit=self.limits.max_state_bytes,
            )

    @staticmethod
    def _current(fields: dict[str, Any], question_id: str) -> Question:
        if not fields["question"] or fields["question"]["id"] != question_id:
            raise ClassroomError("closed", "this is not the question being asked now; wait for the next one")
        return Question.from_dict(fields["question"])

    @staticmethod
    def _public(code: str, fields: dict[str, Any]) -> dict[str, Any]:
        question = Question.from_dict(fields["question"]).public() if fields["question"] else None
        return {
            "code": code,
            "state": fields["state"],
            "locked": fields["locked"],
            "paused": fields["paused"],
            "question": question,
        }
