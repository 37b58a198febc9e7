"""The ClassroomStore contract and the Classroom rules, on both backends: memory and a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.classroom import Classroom, ClassroomError, ClassroomLimits, ClassroomStore
from app.classroom.codes import ALPHABET, CODE_LENGTH, clean_name, new_code, normal_code
from app.classroom.memory import MemoryStore
from app.classroom.questions import choice_question
from app.classroom.redis_store import RedisStore

pytestmark = pytest.mark.anyio
TTL = 60.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[ClassroomStore]:
    if request.param == "memory":
        made: ClassroomStore = MemoryStore()
    else:
        made = RedisStore(request.getfixturevalue("redis_url"))
    yield made
    await made.close()


def classroom(store: ClassroomStore, **limits: object) -> Classroom:
    return Classroom(store, ClassroomLimits(**limits))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- codes
def test_codes_use_no_look_alikes_and_read_back_however_typed() -> None:
    assert not set("0O1IL5S2Z8B") & set(ALPHABET)
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert normal_code(f" {code[:3].lower()}-{code[3:]} ") == code
    assert normal_code("ABC0O1") is None and normal_code("ACDE") is None


def test_names_are_plain_capped_text() -> None:
    assert clean_name("  Ann\u202e\x00  Lee\n", 24) == "Ann Lee"
    assert clean_name("<b>x</b>" * 10, 12) == "<b>x</b><b>x"  # kept as characters; pages write textContent


# ---------------------------------------------------------------------------------------------- the store
async def test_a_code_is_made_once_and_its_fields_read_back(store: ClassroomStore) -> None:
    code = new_code()
    assert await store.create(code, {"state": {"path": "/"}, "locked": False}, TTL)
    assert not await store.create(code, {"state": None}, TTL)
    assert await store.fields(code) == {"state": {"path": "/"}, "locked": False}
    await store.set_fields(code, {"locked": True})
    assert (await store.fields(code))["locked"] is True
    await store.delete(code)
    assert await store.fields(code) is None
    await store.set_fields(code, {"locked": True})  # a late write does not bring it back
    assert await store.fields(code) is None


async def test_a_class_nobody_touches_expires(store: ClassroomStore) -> None:
    code = new_code()
    await store.create(code, {"x": 1}, 0.3)
    await store.add_student(code, "s", "", 10)
    await store.touch(code, 0.6)
    await asyncio.sleep(0.4)
    assert await store.fields(code) == {"x": 1}  # touched: still there
    await asyncio.sleep(0.4)
    assert await store.fields(code) is None
    assert await store.roster(code) == {}
    assert await store.add_student(code, "t", "", 10) is None


async def test_the_roster_is_capped(store: ClassroomStore) -> None:
    code = new_code()
    await store.create(code, {}, TTL)
    assert [await store.add_student(code, f"s{i}", f"n{i}", 2) for i in range(3)] == [1, 2, None]
    assert await store.add_student(code, "s0", "again", 2) == 2  # a seat already taken is kept
    assert await store.roster(code) == {"s0": "again", "s1": "n1"}


async def test_answers_per_student_are_capped_and_the_last_counts(store: ClassroomStore) -> None:
    code = new_code()
    await store.create(code, {}, TTL)
    assert [await store.record_answer(code, "q", "s", str(i), 3) for i in range(5)] == [True] * 3 + [False] * 2
    assert await store.record_answer(code, "q", "t", "9", 3)
    assert await store.answers(code, "q") == {"s": "2", "t": "9"}
    assert not await store.record_answer(new_code(), "q", "s", "1", 3)  # no such class


async def test_events_are_numbered_kept_and_delivered_in_order(store: ClassroomStore) -> None:
    code = new_code()
    await store.create(code, {}, TTL)
    assert await store.last_event_id(code) == 0
    async with store.subscribe(code) as live:
        sent = [await store.publish(code, "state", {"n": i}, "all", 3) for i in range(5)]
        received = [await asyncio.wait_for(anext(live), 2) for _ in range(5)]
    assert [event.id for event in sent] == [1, 2, 3, 4, 5]
    assert [(e.id, e.data) for e in received] == [(e.id, e.data) for e in sent]
    assert await store.last_event_id(code) == 5
    assert [event.id for event in await store.events_after(code, 2)] == [3, 4, 5]
    assert await store.events_after(code, 5) == []
    assert await store.events_after(code, 1) is None  # event 2 is no longer kept: the caller takes a snapshot
    assert await store.events_after(new_code(), 0) is None


async def test_only_streams_of_the_class_receive_its_events(store: ClassroomStore) -> None:
    mine, other = new_code(), new_code()
    for code in (mine, other):
        await store.create(code, {}, TTL)
    async with store.subscribe(mine) as live:
        await store.publish(other, "state", {"who": "other"}, "all", 10)
        await store.publish(mine, "state", {"who": "mine"}, "all", 10)
        event = await asyncio.wait_for(anext(live), 2)
    assert event.data == {"who": "mine"}


async def test_attempts_are_counted_per_key_and_window(store: ClassroomStore) -> None:
    key = new_code()
    assert [await store.hit(key, 60) for _ in range(3)] == [1, 2, 3]
    assert await store.hit(key + "x", 60) == 1


# ---------------------------------------------------------------------------------------------- the rules
async def test_a_class_from_start_to_reveal(store: ClassroomStore) -> None:
    room = classroom(store)
    started = await room.start({"path": "/", "view": "step=1"})
    joined = [await room.join(started.code.lower(), f"s{i}", "10.0.0.1") for i in range(3)]
    assert [j.count for j in joined] == [1, 2, 3]
    question = choice_question("chain-multiply")
    asked = await room.ask(started.code, started.teacher_token, question)
    assert asked["answer"] == "1"
    assert "answer" not in (await room.student_view(started.code))["question"]
    for j, answer in zip(joined, ["1", "1", "0"], strict=True):
        await room.answer(started.code, j.student_token, question.id, answer)
    revealed = await room.reveal(started.code, started.teacher_token, question.id)
    assert (revealed["answered"], revealed["correct"]) == (3, 2)
    assert [b["count"] for b in revealed["histogram"]] == [1, 2, 0]
    shown = (await room.student_view(started.code))["question"]
    assert shown["answer"] == "1" and shown["stage"] == "revealed"


async def test_teacher_actions_need_the_teacher_token(store: ClassroomStore) -> None:
    room = classroom(store)
    started = await room.start(None)
    student = await room.join(started.code, None, "10.0.0.2")
    for token, reason in [(None, "unauthorized"), ("forged", "forbidden"), (student.student_token, "forbidden")]:
        with pytest.raises(ClassroomError) as refused:
            await room.control(started.code, token, True, None)
        assert refused.value.reason == reason
    assert (await room.student_view(started.code))["locked"] is False


async def test_wrong_codes_are_rate_limited_per_address(store: ClassroomStore) -> None:
    room = classroom(store, join_per_minute=5)
    address = f"10.9.{new_code()}"
    reasons = []
    for _ in range(7):
        try:
            await room.join(new_code(), None, address)  # guessing codes
        except ClassroomError as error:
            reasons.append(error.reason)
    assert reasons == ["not_found"] * 5 + ["rate_limited"] * 2
    # right codes are not counted: a whole class behind one address joins
    started = await room.start(None)
    crowd = f"10.8.{new_code()}"
    assert [(await room.join(started.code, None, crowd)).count for _ in range(12)] == list(range(1, 13))


async def test_caps_on_students_questions_and_answers(store: ClassroomStore) -> None:
    room = classroom(store, max_students=2, max_questions=1, max_answers=2)
    started = await room.start(None)
    seats = [await room.join(started.code, None, "10.0.0.3") for _ in range(2)]
    with pytest.raises(ClassroomError, match="full"):
        await room.join(started.code, None, "10.0.0.3")
    question = choice_question("chain-multiply")
    await room.ask(started.code, started.teacher_token, question)
    with pytest.raises(ClassroomError, match="at most 1 questions"):
        await room.ask(started.code, started.teacher_token, choice_question("partial-hold"))
    for answer in ("0", "2"):
        await room.answer(started.code, seats[0].student_token, question.id, answer)
    with pytest.raises(ClassroomError) as flood:
        await room.answer(started.code, seats[0].student_token, question.id, "1")
    assert flood.value.reason == "rate_limited"
    with pytest.raises(ClassroomError) as outsider:
        await room.answer(started.code, "not-a-seat", question.id, "1")
    assert outsider.value.reason == "forbidden"
    with pytest.raises(ClassroomError) as bad:
        await room.answer(started.code, seats[1].student_token, question.id, "<script>")
    assert bad.value.reason == "invalid"


async def test_an_idle_class_expires_and_reads_as_unknown(store: ClassroomStore) -> None:
    room = classroom(store, idle_seconds=0.3)
    started = await room.start(None)
    await asyncio.sleep(0.5)
    with pytest.raises(ClassroomError) as gone:
        await room.join(started.code, None, "10.0.0.4")
    assert gone.value.reason == "not_found"
    with pytest.raises(ClassroomError, match="no class with the code"):
        await room.set_state(started.code, started.teacher_token, {"path": "/"})


async def test_following_starts_with_a_snapshot_and_resumes_after_the_last_event_seen(store: ClassroomStore) -> None:
    room = classroom(store)
    started = await room.start({"path": "/", "view": "step=0"})
    code, token = started.code, started.teacher_token
    stream = room.follow(code, None, teacher=False)
    snapshot = await anext(stream)
    assert snapshot.type == "snapshot" and snapshot.data["state"]["view"] == "step=0"
    await room.set_state(code, token, {"path": "/", "view": "step=1"})
    first = await asyncio.wait_for(anext(stream), 2)
    await stream.aclose()
    # gone for a while: two more steps and a join (teacher-only) happen meanwhile
    await room.set_state(code, token, {"path": "/", "view": "step=2"})
    await room.join(code, "late", "10.0.0.5")
    await room.control(code, token, True, None)
    resumed = room.follow(code, first.id, teacher=False)
    missed = [await asyncio.wait_for(anext(resumed), 2) for _ in range(2)]
    await resumed.aclose()
    assert [(e.type, e.data) for e in missed] == [
        ("state", {"state": {"path": "/", "view": "step=2"}}),
        ("control", {"locked": True, "paused": False}),
    ]
    from_the_future = room.follow(code, 10**9, teacher=False)
    snapshot = await asyncio.wait_for(anext(from_the_future), 2)
    await from_the_future.aclose()
    assert snapshot.type == "snapshot" and snapshot.data["locked"] is True


# ---------------------------------------------------------------------------------------------- presence
async def test_presence_counts_students_until_they_leave_or_their_stream_stops_renewing(store: ClassroomStore) -> None:
    code = new_code()
    await store.create(code, {}, TTL)
    assert await store.connected(code) == 0
    await store.present(code, "ann", TTL)
    await store.present(code, "lee", 0.3)
    await store.present(code, "lee", 0.3)  # renewed, still one student
    assert await store.connected(code) == 2
    await store.absent(code, "ann")
    assert await store.connected(code) == 1
    await asyncio.sleep(0.45)  # lee's stream stopped renewing (a worker that died says no goodbye)
    assert await store.connected(code) == 0
    missing = new_code()
    await store.present(missing, "ann", TTL)  # no class: nothing is kept
    assert await store.connected(missing) == 0
    await store.present(code, "ann", TTL)
    await store.delete(code)
    assert await store.connected(code) == 0


async def test_a_student_stream_counts_as_connected_while_it_is_open(
    store: ClassroomStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.classroom.service.TICK_SECONDS", 0.05)
    room = classroom(store)
    started = await room.start({"path": "/", "view": ""})
    code = started.code
    token = (await room.join(code, "Ann", "10.0.0.1")).student_token
    seat = await room.seat_of(code, token)
    assert seat is not None
    assert await room.seat_of(code, "forged-token") is None and await room.seat_of(code, None) is None

    teacher = room.follow(code, None, teacher=True)
    snapshot = await anext(teacher)
    assert snapshot.type == "snapshot" and snapshot.data["count"] == 1 and snapshot.data["connected"] == 0

    async def presence() -> int:
        while True:
            event = await asyncio.wait_for(anext(teacher), 5)
            if event is not None and event.type == "presence":
                return event.data["connected"]

    student = room.follow(code, None, teacher=False, seat=seat)
    assert (await anext(student)).type == "snapshot"
    assert await presence() == 1
    assert (await room.teacher_view(code, started.teacher_token))["connected"] == 1
    await student.aclose()  # the tab closed
    assert await presence() == 0
    assert (await room.teacher_view(code, started.teacher_token))["connected"] == 0
    await teacher.aclose()
