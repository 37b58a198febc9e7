"""The classroom API over HTTP, against real app processes: one on the memory backend, and two sharing one
real redis-server (the teacher on one process, the students on the other)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.middleware import CONTENT_SECURITY_POLICY
from app.settings import Settings
from tests.classroom.conftest import EventReader, new_address

API = "/api/v1/classroom"
NETWORK = {
    "layers": [2, 3, 1],
    "inputs": [[1.0, 0.5]],
    "targets": [[1.0]],
    "seed": 1,
    "loss": "bce",
    "learning_rate": 0.5,
}


@dataclass
class Sites:
    teacher: str  # where the teacher's requests go
    students: str  # where the students' requests go


@pytest.fixture(params=["memory", "redis"])
def sites(request: pytest.FixtureRequest) -> Sites:
    if request.param == "memory":
        base = request.getfixturevalue("memory_server")
        return Sites(base, base)
    first, second = request.getfixturevalue("redis_servers")
    return Sites(first, second)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def start(http: httpx.Client, sites: Sites, view: str = "step=0") -> tuple[str, dict[str, str]]:
    response = http.post(f"{sites.teacher}{API}", json={"state": {"path": "/", "view": view}})
    assert response.status_code == 200, response.text
    body = response.json()
    return body["code"], {"Authorization": f"Bearer {body['teacher_token']}"}


def join(http: httpx.Client, sites: Sites, code: str, name: str | None = None) -> str:
    response = http.post(
        f"{sites.students}{API}/join", json={"code": code, "name": name}, headers={"X-Forwarded-For": new_address()}
    )
    assert response.status_code == 200, response.text
    return response.json()["student_token"]


def test_a_lesson_with_three_students(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    tokens = [join(http, sites, code, f"student {i}") for i in range(3)]
    teacher_stream = EventReader(f"{sites.teacher}{API}/{code}/events", teacher)
    streams = [EventReader(f"{sites.students}{API}/{code}/events") for _ in tokens]
    try:
        first = teacher_stream.next("snapshot")["data"]
        assert first["count"] == 3 and first["names"] == ["student 0", "student 1", "student 2"]
        for stream in streams:
            snapshot = stream.next("snapshot")["data"]
            assert snapshot["state"]["view"] == "step=0" and "names" not in snapshot and "count" not in snapshot

        # follow: the teacher steps on, every student's stream carries the new state
        assert (
            http.post(
                f"{sites.teacher}{API}/{code}/state", json={"path": "/", "view": "step=7"}, headers=teacher
            ).status_code
            == 200
        )
        for stream in streams:
            assert stream.next("state")["data"]["state"] == {"path": "/", "view": "step=7"}

        # lock and pause
        http.post(f"{sites.teacher}{API}/{code}/control", json={"locked": True}, headers=teacher)
        http.post(f"{sites.teacher}{API}/{code}/control", json={"paused": True}, headers=teacher)
        for stream in streams:
            assert stream.next("control")["data"] == {"locked": True, "paused": False}
            assert stream.next("control")["data"] == {"locked": True, "paused": True}

        # ask: the sign of ∂L/∂w of a weight; the server computes it, students never see it before the reveal
        asked = http.post(
            f"{sites.teacher}{API}/{code}/ask",
            headers=teacher,
            json={"kind": "gradient_sign", "network": NETWORK, "parameter": "w", "layer": 1, "neuron": 0, "source": 1},
        )
        assert asked.status_code == 200, asked.text
        question = asked.json()
        right = question["answer"]
        wrong = next(option for option in question["options"] if option != right)
        for stream in streams:
            shown = stream.next("question")["data"]["question"]
            assert shown["id"] == question["id"] and "answer" not in shown
        for token, answer in zip(tokens, [right, right, wrong], strict=True):
            response = http.post(
                f"{sites.students}{API}/{code}/answer",
                json={"student_token": token, "question": question["id"], "answer": answer},
            )
            assert response.status_code == 200, response.text
        tallies = [teacher_stream.next("tally")["data"] for _ in range(3)]
        assert [t["answered"] for t in tallies] == [1, 2, 3]

        revealed = http.post(f"{sites.teacher}{API}/{code}/reveal", json={"question": question["id"]}, headers=teacher)
        assert revealed.json()["correct"] == 2
        for stream in streams:
            shown = stream.next("reveal")["data"]["question"]
            assert shown["answer"] == right
            counts = {b["label"]: b["count"] for b in shown["histogram"]}
            assert counts[right] == 2 and counts[wrong] == 1
    finally:
        for stream in [teacher_stream, *streams]:
            stream.close()


def test_a_reconnecting_student_catches_up_with_last_event_id(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    join(http, sites, code)
    stream = EventReader(f"{sites.students}{API}/{code}/events")
    stream.next("snapshot")
    http.post(f"{sites.teacher}{API}/{code}/state", json={"path": "/", "view": "step=1"}, headers=teacher)
    seen = stream.next("state")
    stream.close()
    for step in (2, 3):
        http.post(f"{sites.teacher}{API}/{code}/state", json={"path": "/", "view": f"step={step}"}, headers=teacher)
    resumed = EventReader(f"{sites.students}{API}/{code}/events", {"Last-Event-ID": seen["sse_id"]})
    try:
        missed = [resumed.next() for _ in range(2)]
        assert [e["data"]["state"]["view"] for e in missed] == ["step=2", "step=3"]
        assert [int(e["sse_id"]) for e in missed] == [int(seen["sse_id"]) + 1, int(seen["sse_id"]) + 2]
    finally:
        resumed.close()


def test_a_late_student_gets_the_current_state_at_once(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    http.post(
        f"{sites.teacher}{API}/{code}/state", json={"path": "/lessons/chain-rule", "view": "f=2"}, headers=teacher
    )
    http.post(f"{sites.teacher}{API}/{code}/control", json={"locked": True}, headers=teacher)
    join(http, sites, code)
    late = EventReader(f"{sites.students}{API}/{code}/events")
    try:
        snapshot = late.next()
        assert snapshot["type"] == "snapshot"
        assert snapshot["data"]["state"] == {"path": "/lessons/chain-rule", "view": "f=2"}
        assert snapshot["data"]["locked"] is True
    finally:
        late.close()


# ---------------------------------------------------------------------------------------------- bad input
def test_unknown_and_malformed_codes(http: httpx.Client, sites: Sites) -> None:
    for code in ("AAAAAA", "ACDEFG"):
        response = http.get(f"{sites.students}{API}/{code}")
        assert response.status_code == 404 and "no class" in response.json()["detail"]
        assert http.get(f"{sites.students}{API}/{code}/events").status_code == 404
    joined = http.post(
        f"{sites.students}{API}/join", json={"code": "0O1IL!"}, headers={"X-Forwarded-For": new_address()}
    )
    assert joined.status_code == 422 and "6 letters" in joined.json()["detail"]


def test_forged_missing_and_student_tokens_cannot_lead(http: httpx.Client, sites: Sites) -> None:
    code, _ = start(http, sites)
    student = join(http, sites, code)
    actions = [
        ("state", {"path": "/", "view": "step=99"}),
        ("control", {"locked": True, "paused": True}),
        ("ask", {"kind": "choice", "choice": "chain-multiply"}),
        ("end", None),
    ]
    for action, body in actions:
        for headers, status in [
            ({}, 401),
            ({"Authorization": "Bearer forged"}, 403),
            ({"Authorization": f"Bearer {student}"}, 403),
        ]:
            response = http.post(f"{sites.students}{API}/{code}/{action}", json=body, headers=headers)
            assert response.status_code == status, (action, response.text)
    view = http.get(f"{sites.students}{API}/{code}").json()
    assert view["state"]["view"] == "step=0" and not view["locked"] and view["question"] is None
    assert http.get(f"{sites.students}{API}/{code}/teacher", headers={"Authorization": "Bearer x"}).status_code == 403
    # a student's stream never carries the roster: a forged token is refused rather than served as a student
    assert http.get(f"{sites.students}{API}/{code}/events", headers={"Authorization": "Bearer x"}).status_code == 403


def test_names_oversized_or_html(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    too_long = http.post(
        f"{sites.students}{API}/join", json={"code": code, "name": "x" * 25}, headers={"X-Forwarded-For": new_address()}
    )
    assert too_long.status_code == 422 and "at most 24" in too_long.json()["detail"]
    huge = http.post(
        f"{sites.students}{API}/join",
        json={"code": code, "name": "x" * 10_000},
        headers={"X-Forwarded-For": new_address()},
    )
    assert huge.status_code == 422
    join(http, sites, code, '<img src=x onerror="alert(1)">'[:24])
    names = http.get(f"{sites.teacher}{API}/{code}/teacher", headers=teacher).json()["names"]
    assert names == ['<img src=x onerror="aler']  # plain text in JSON; the page writes it as text


def test_answer_floods_and_answers_without_a_seat(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    student = join(http, sites, code)
    question = http.post(
        f"{sites.teacher}{API}/{code}/ask", json={"kind": "choice", "choice": "partial-hold"}, headers=teacher
    ).json()

    def answer(token: str, text: str, question_id: str = question["id"]) -> httpx.Response:
        body = {"student_token": token, "question": question_id, "answer": text}
        return http.post(f"{sites.students}{API}/{code}/answer", json=body)

    assert [answer(student, "1").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    assert answer("forged-seat", "1").status_code == 403
    assert answer(student, "1", "000000000000").status_code == 409
    assert answer(student, "9").status_code in (422, 429)
    assert (
        http.post(
            f"{sites.students}{API}/{code}/answer",
            json={"student_token": student, "question": "q", "answer": "1" * 10_000},
        ).status_code
        == 422
    )
    revealed = http.post(f"{sites.teacher}{API}/{code}/reveal", json={"question": question["id"]}, headers=teacher)
    assert revealed.json()["answered"] == 1  # one seat, one answer however many times it was sent


def test_wrong_codes_are_limited_per_address(http: httpx.Client, sites: Sites) -> None:
    address = new_address()
    statuses = [
        http.post(f"{base}{API}/join", json={"code": "ACDEFG"}, headers={"X-Forwarded-For": address}).status_code
        for base in [sites.teacher, sites.students] * 12
    ]
    # both processes count against one limit when they share Redis; the memory server is one process anyway
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}


def test_the_qr_code_is_an_svg_of_the_join_link_under_the_csp(http: httpx.Client, sites: Sites) -> None:
    code, _ = start(http, sites)
    response = http.get(f"{sites.students}{API}/{code}/qr.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and "<script" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert http.get(f"{sites.students}{API}/AAAAAA/qr.svg").status_code == 404


def test_several_workers_without_redis_refuse_to_start_a_class() -> None:
    with TestClient(create_app(Settings(workers=2))) as client:
        response = client.post(API, json={})
    assert response.status_code == 503
    assert "BACKPROP_REDIS_URL" in response.json()["detail"]


def test_ending_a_class_ends_every_stream(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    stream = EventReader(f"{sites.students}{API}/{code}/events")
    try:
        stream.next("snapshot")
        assert http.post(f"{sites.teacher}{API}/{code}/end", headers=teacher).status_code == 200
        assert stream.next()["type"] == "ended"
        assert http.get(f"{sites.students}{API}/{code}").status_code == 404
    finally:
        stream.close()


def test_an_oversized_page_state_is_refused(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    response = http.post(
        f"{sites.teacher}{API}/{code}/state", json={"path": "/", "view": "x" * 300_000}, headers=teacher
    )
    assert response.status_code == 413 and "256000" in response.json()["detail"]
    assert http.get(f"{sites.students}{API}/{code}").json()["state"]["view"] == "step=0"


def test_roster_events_carry_the_whole_list_so_a_replay_lists_nobody_twice(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    stream = EventReader(f"{sites.teacher}{API}/{code}/events", teacher)
    try:
        snapshot = stream.next("snapshot")
        join(http, sites, code, "Bo")
        join(http, sites, code, "Al")
        assert stream.next("roster")["data"] == {"count": 1, "names": ["Bo"]}
        assert stream.next("roster")["data"] == {"count": 2, "names": ["Al", "Bo"]}
    finally:
        stream.close()
    # a teacher's tab that reconnects resumes after its snapshot: the same two events come again, whole lists
    resumed = EventReader(f"{sites.teacher}{API}/{code}/events", {**teacher, "Last-Event-ID": snapshot["sse_id"]})
    try:
        replayed = [resumed.next("roster")["data"] for _ in range(2)]
        assert replayed[-1]["names"] == ["Al", "Bo"] and replayed[-1]["count"] == 2
    finally:
        resumed.close()


def teacher_counts(http: httpx.Client, sites: Sites, code: str, teacher: dict[str, str]) -> tuple[int, int]:
    view = http.get(f"{sites.teacher}{API}/{code}/teacher", headers=teacher).json()
    return view["count"], view["connected"]


def wait_for_counts(
    http: httpx.Client, sites: Sites, code: str, teacher: dict[str, str], want: tuple[int, int]
) -> None:
    deadline = time.monotonic() + 6  # a closed stream is noticed at its next keep-alive (every 2 s)
    while (counts := teacher_counts(http, sites, code, teacher)) != want:
        assert time.monotonic() < deadline, f"joined, connected = {counts}, not {want}"
        time.sleep(0.1)


def test_the_teacher_sees_joined_and_connected_students(http: httpx.Client, sites: Sites) -> None:
    code, teacher = start(http, sites)
    seats = [join(http, sites, code, name) for name in ("Ann", "Lee", None)]
    events = f"{sites.students}{API}/{code}/events"
    teacher_stream = EventReader(f"{sites.teacher}{API}/{code}/events", headers=teacher)
    streams = [EventReader(events, headers={"X-Classroom-Seat": seat}) for seat in seats[:2]]
    # a stream without a seat, or with a token that is no seat of this class, is not a student connected
    strangers = [EventReader(events), EventReader(events, headers={"X-Classroom-Seat": "forged"})]
    try:
        for stream in streams + strangers:
            stream.next("snapshot")
        assert teacher_stream.next("snapshot")["data"]["count"] == 3
        wait_for_counts(http, sites, code, teacher, (3, 2))
        assert teacher_stream.next("presence", timeout=6)["data"]["connected"] == 2
        streams[0].close()  # a student closes the tab
        wait_for_counts(http, sites, code, teacher, (3, 1))
        assert teacher_stream.next("presence", timeout=6)["data"]["connected"] == 1
    finally:
        for stream in [teacher_stream, *streams, *strangers]:
            stream.close()
