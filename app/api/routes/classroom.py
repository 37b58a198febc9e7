"""Live classes: a teacher starts one and leads; students join with a code, follow and answer.

The rules live in :mod:`app.classroom`; this router maps them onto HTTP. Teacher actions carry the class's
token as ``Authorization: Bearer``; the live channel is server-sent events that resume with Last-Event-ID.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.api.body import JsonBodyRoute
from app.api.dependencies import SettingsDep
from app.api.routes.network import trace_batch
from app.api.schemas.classroom import (
    Accepted,
    AnswerRequest,
    AskRequest,
    ClassEvent,
    ClassStarted,
    ClassStartRequest,
    ClassView,
    ControlRequest,
    Controls,
    Joined,
    JoinRequest,
    LessonQuestionInfo,
    QuestionView,
    RevealRequest,
    StateAccepted,
)
from app.api.schemas.classroom import PageState as PageStateModel
from app.api.schemas.common import ERROR_RESPONSES, ErrorResponse
from app.api.validation import build_network, invalid
from app.api.wire import ApiError, dumps
from app.classroom import Classroom, ClassroomError, ClassroomLimits, open_store
from app.classroom.codes import normal_code
from app.classroom.questions import (
    LESSON_QUESTIONS,
    BadQuestion,
    Question,
    choice_question,
    direction_question,
    sign_question,
    value_question,
)
from app.classroom.workers import worker_processes
from app.settings import Settings
from app.tracing.contract import trace_numbers

router = APIRouter(prefix="/classroom", tags=["classroom"], route_class=JsonBodyRoute)
bearer = HTTPBearer(auto_error=False, description="The teacher token `POST /classroom` gave.")

STATUS = {
    "not_found": 404,
    "unauthorized": 401,
    "forbidden": 403,
    "full": 409,
    "closed": 409,
    "rate_limited": 429,
    "too_large": 413,
    "invalid": 422,
}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY = b"retry: 1000\n\n"  # a dropped stream is opened again after a second, with Last-Event-ID
KEEP_ALIVE = b": live\n\n"
QR_SCALE = 8
MAX_EVENT_ID = 2**53

CLASS_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorResponse, "description": "A teacher action without the class's token."},
    403: {"model": ErrorResponse, "description": "A token that does not lead this class, or a device with no seat."},
    404: {"model": ErrorResponse, "description": "No class with this code (never made, ended or expired)."},
    409: {"model": ErrorResponse, "description": "The class is full, or the question is not open."},
    429: {"model": ErrorResponse, "description": "Too many join attempts, or answers to one question."},
}


def limits_of(settings: Settings) -> ClassroomLimits:
    return ClassroomLimits(
        max_students=settings.classroom_max_students,
        max_questions=settings.classroom_max_questions,
        max_answers=settings.classroom_max_answers,
        max_name_length=settings.classroom_max_name_length,
        idle_seconds=settings.classroom_idle_seconds,
        join_per_minute=settings.classroom_join_per_minute,
        max_state_bytes=settings.classroom_max_state_bytes,
    )


async def classroom_of(request: Request) -> Classroom:
    # made on first use (in the serving event loop), so apps built without their lifespan work too
    state = request.app.state
    if getattr(state, "classroom", None) is None:
        settings = state.settings
        state.classroom = Classroom(open_store(settings.redis_url), limits_of(settings))
    return state.classroom


@asynccontextmanager
async def classroom_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the class store (the Redis connections) when the process stops."""
    yield
    classroom = getattr(app.state, "classroom", None)
    if classroom is not None:
        await classroom.store.close()


ClassroomDep = Annotated[Classroom, Depends(classroom_of)]
TeacherToken = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


async def _run(action: Callable[[], Any]) -> Any:
    try:
        return await action()
    except ClassroomError as error:
        raise ApiError(
            STATUS[error.reason], error.message, code=f"classroom_{error.reason}", params=error.params
        ) from None


def _code(code: str) -> str:
    normal = normal_code(code)
    if normal is None:
        raise ApiError(
            404, f"no class with the code {code[:12]!r}; a code is 6 letters and digits", "classroom_not_found"
        )
    return normal


def _urls(request: Request, code: str) -> tuple[str, str]:
    base = str(request.base_url).rstrip("/")
    return f"{base}/join?code={code}", f"/api/v1/classroom/{code}/qr.svg"


@router.post(
    "",
    response_model=ClassStarted,
    responses={
        **CLASS_RESPONSES,
        503: {"model": ErrorResponse, "description": "Several workers and no Redis: set BACKPROP_REDIS_URL."},
    },
    summary="Start a live class",
)
async def start_class(
    body: ClassStartRequest, request: Request, settings: SettingsDep, classroom: ClassroomDep
) -> ClassStarted:
    """A join code, a join URL with its QR code, and the teacher's token (shown this once)."""
    workers = worker_processes(settings.workers)
    if workers.count > 1 and not settings.redis_url:
        raise ApiError(
            503,
            f"this server runs {workers.count} worker processes ({workers.source}) and classes are kept in one "
            "process's memory, so a class would be split between them; set BACKPROP_REDIS_URL (e.g. "
            "redis://localhost:6379/0) to share classes between workers, or run one worker",
            code="classroom_needs_redis",
        )
    state = body.state.model_dump() if body.state else None
    started = await _run(lambda: classroom.start(state))
    join_url, qr_url = _urls(request, started.code)
    return ClassStarted(code=started.code, teacher_token=started.teacher_token, join_url=join_url, qr_url=qr_url)


@router.post("/join", response_model=Joined, responses=CLASS_RESPONSES, summary="Join a class with its code")
async def join_class(body: JoinRequest, request: Request, settings: SettingsDep, classroom: ClassroomDep) -> Joined:
    """No account: an optional display name, shown only to the teacher. Attempts are rate-limited per address."""
    if body.name and len(body.name) > settings.classroom_max_name_length:
        raise invalid(f"a name has at most {settings.classroom_max_name_length} characters", "name")
    joined = await _run(lambda: classroom.join(body.code, body.name, _client(request)))
    return Joined(code=joined.code, student_token=joined.student_token, count=joined.count)


@router.get("/lesson-questions", response_model=list[LessonQuestionInfo], summary="The lessons' questions")
async def lesson_questions() -> list[LessonQuestionInfo]:
    """The multiple-choice questions written into the lessons, which a teacher can ask by id."""
    return [LessonQuestionInfo(id=key, lesson=q.lesson, options=q.options) for key, q in LESSON_QUESTIONS.items()]


@router.get("/{code}", response_model=ClassView, responses=CLASS_RESPONSES, summary="What the students see now")
async def class_view(code: str, classroom: ClassroomDep) -> ClassView:
    return ClassView.model_validate(await _run(lambda: classroom.student_view(_code(code))))


@router.get("/{code}/teacher", response_model=ClassView, responses=CLASS_RESPONSES, summary="The teacher's view")
async def teacher_view(code: str, token: TeacherToken, classroom: ClassroomDep) -> ClassView:
    """The students' view plus the roster and, for the question asked, the live counts and the right answer."""
    return ClassView.model_validate(await _run(lambda: classroom.teacher_view(_code(code), _token(token))))


@router.get(
    "/{code}/qr.svg",
    responses={
        **CLASS_RESPONSES,
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "The QR code of the join URL.",
        },
    },
    response_class=Response,
    summary="The QR code of a class's join URL",
)
async def class_qr(code: str, request: Request, classroom: ClassroomDep) -> Response:
    code = _code(code)
    await _run(lambda: classroom.student_view(code))
    join_url, _ = _urls(request, code)
    svg = io.BytesIO()
    segno.make(join_url, error="m").save(svg, kind="svg", scale=QR_SCALE, border=2, xmldecl=False, svgclass="qr")
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.post("/{code}/state", response_model=StateAccepted, responses=CLASS_RESPONSES, summary="Move every screen")
async def set_state(code: str, body: PageStateModel, token: TeacherToken, classroom: ClassroomDep) -> StateAccepted:
    """The teacher's page and view state; every student's screen follows it."""
    event = await _run(lambda: classroom.set_state(_code(code), _token(token), body.model_dump()))
    return StateAccepted(event=event)


@router.post("/{code}/control", response_model=Controls, responses=CLASS_RESPONSES, summary="Lock or pause")
async def control(code: str, body: ControlRequest, token: TeacherToken, classroom: ClassroomDep) -> Controls:
    changed = await _run(lambda: classroom.control(_code(code), _token(token), body.locked, body.paused))
    return Controls(**changed)


def _question(body: AskRequest, settings: Settings) -> Question:
    """The question with its right answer, computed from the teacher's network by the engine."""
    if body.kind == "choice":
        return choice_question(body.choice or "")
    if body.network is None:
        raise invalid(f"a {body.kind} question needs the teacher's network", "network")
    mlp = build_network(body.network, settings)
    x, y, _, _ = trace_batch(body.network, settings)
    if body.network.sample >= len(x):
        raise invalid(f"sample is {body.network.sample} but the batch has {len(x)} samples", "network.sample")
    numbers = trace_numbers(mlp, x, y, body.network.loss, body.network.learning_rate, body.network.sample)
    if body.kind == "value":
        return value_question(numbers, body.quantity, body.layer, body.neuron, body.tolerance)
    build = sign_question if body.kind == "gradient_sign" else direction_question
    return build(numbers, body.parameter, body.layer, body.neuron, body.source)


@router.post("/{code}/ask", response_model=QuestionView, responses=CLASS_RESPONSES, summary="Ask the class")
async def ask(
    code: str, body: AskRequest, token: TeacherToken, settings: SettingsDep, classroom: ClassroomDep
) -> QuestionView:
    """Predict a value, the sign of a gradient, the direction a weight moves, or a lesson's multiple choice.
    The answer is computed here; the students see it only when the teacher reveals it."""
    code = _code(code)
    await _run(lambda: classroom.teacher_fields(code, _token(token)))
    try:
        question = await run_in_threadpool(_question, body, settings)
    except BadQuestion as error:
        raise invalid(str(error), "layer" if body.kind != "choice" else "choice") from None
    return QuestionView.model_validate(await _run(lambda: classroom.ask(code, _token(token), question)))


@router.post("/{code}/reveal", response_model=QuestionView, responses=CLASS_RESPONSES, summary="Reveal the answer")
async def reveal(code: str, body: RevealRequest, token: TeacherToken, classroom: ClassroomDep) -> QuestionView:
    return QuestionView.model_validate(await _run(lambda: classroom.reveal(_code(code), _token(token), body.question)))


@router.post("/{code}/end", response_model=Accepted, responses=CLASS_RESPONSES, summary="End the class")
async def end_class(code: str, token: TeacherToken, classroom: ClassroomDep) -> Accepted:
    await _run(lambda: classroom.end(_code(code), _token(token)))
    return Accepted()


@router.post("/{code}/answer", response_model=Accepted, responses=CLASS_RESPONSES, summary="Answer the question")
async def answer(code: str, body: AnswerRequest, classroom: ClassroomDep) -> Accepted:
    """A student's answer; the last of up to `BACKPROP_CLASSROOM_MAX_ANSWERS` counts."""
    await _run(lambda: classroom.answer(_code(code), body.student_token, body.question, body.answer))
    return Accepted()


EVENTS_DESCRIPTION = """Server-sent events: `id:` (the event's number), `event:` (its type) and one `data:` line, a
`ClassEvent` as strict JSON. The first is a `snapshot` of the whole class, unless `Last-Event-ID` (or `after`)
names an event still kept, in which case the missed events come first. With the teacher's token the stream also
carries `roster`, `tally` and `presence` (how many students have a live stream now), and the snapshot is the
teacher's view. A student's stream sends their token as `X-Classroom-Seat` to count as connected while it is open.
Lines starting with `:` keep the line alive."""


@router.get(
    "/{code}/events",
    responses={
        **CLASS_RESPONSES,
        200: {
            "description": EVENTS_DESCRIPTION,
            "content": {
                "text/event-stream": {
                    "schema": {"type": "string", "description": "The events as text."},
                    "x-event-schema": {"$ref": "#/components/schemas/ClassEvent"},
                }
            },
        },
    },
    response_class=StreamingResponse,
    summary="The live channel of a class",
)
async def events(
    code: str,
    token: TeacherToken,
    classroom: ClassroomDep,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
    x_classroom_seat: Annotated[
        str | None,
        Header(max_length=200, description="A student's token (`POST /classroom/join`): counts them as connected."),
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_EVENT_ID, description="Resume after this event.")] = None,
) -> StreamingResponse:
    code = _code(code)
    teacher = token is not None
    seat = None
    if teacher:
        await _run(lambda: classroom.teacher_fields(code, _token(token)))
    else:
        await _run(lambda: classroom.student_view(code))
        seat = await classroom.seat_of(code, x_classroom_seat)
    if last_event_id is not None and last_event_id.isdigit() and int(last_event_id) <= MAX_EVENT_ID:
        after = int(last_event_id)

    async def stream() -> AsyncIterator[bytes]:
        yield RETRY
        # closed with this stream (a client gone), so the student stops counting as connected at once
        async with contextlib.aclosing(classroom.follow(code, after, teacher, seat)) as events:
            async for event in events:
                if event is None:
                    yield KEEP_ALIVE
                    continue
                payload = ClassEvent(id=event.id, type=event.type, data=event.data).model_dump()  # type: ignore[arg-type]
                yield b"id: %d\nevent: %s\ndata: %s\n\n" % (event.id, event.type.encode(), dumps(payload))

    return StreamingResponse(stream(), media_type="text/event-stream", headers=SSE_HEADERS)
