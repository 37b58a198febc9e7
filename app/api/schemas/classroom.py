"""Wire format of live classes: starting, joining, leading, asking, answering and the live channel."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import ResponseModel, StrictModel
from app.api.schemas.network import TraceRequest

MAX_PATH = 200
MAX_VIEW = 1_000_000  # the request body's own cap is lower; BACKPROP_CLASSROOM_MAX_STATE_BYTES decides


class PageState(StrictModel):
    """What the students' screens follow: the teacher's page and its view state (the URL fragment)."""

    path: str = Field(
        max_length=MAX_PATH,
        pattern=r"^/[A-Za-z0-9/_-]*$",
        description="The page, e.g. / or /lessons/chain-rule or /train.",
        examples=["/"],
    )
    view: str = Field(
        default="",
        max_length=MAX_VIEW,
        description="The page's state: the step player's travel format (JSON: network, weights, data, step, "
        "granularity, selection), or another page's URL fragment (after #).",
        examples=["step=12&g=neuron"],
    )


class ClassStartRequest(StrictModel):
    state: PageState | None = Field(default=None, description="Where the class starts; null: not yet known.")


class ClassStarted(ResponseModel):
    code: str = Field(description="The join code students type: 6 letters and digits without look-alikes.")
    teacher_token: str = Field(
        description="The capability that leads the class: send it as `Authorization: Bearer <token>`. It is "
        "shown once and never sent to a student."
    )
    join_url: str = Field(description="The page students open (the code filled in); the QR code holds it.")
    qr_url: str = Field(description="The QR code of `join_url`, an SVG image.")


class JoinRequest(StrictModel):
    code: str = Field(max_length=20, description="The code on the teacher's screen (case and spaces do not matter).")
    name: str | None = Field(
        default=None,
        max_length=200,
        description="An optional display name, plain text, shown only to the teacher; capped by "
        "`BACKPROP_CLASSROOM_MAX_NAME_LENGTH`.",
    )


class Joined(ResponseModel):
    code: str
    student_token: str = Field(description="This device's seat: send it with each answer.")
    count: int = Field(description="Students in the class, this one included.")


class Prompt(ResponseModel):
    key: str = Field(description="Translation key of the question's sentence.")
    params: dict[str, Any] = Field(description="The layer, neuron or weight it names.")


class Bin(ResponseModel):
    label: str = Field(description="An option, or a range of numbers written as 'low … high'.")
    count: int
    low: float | None = None
    high: float | None = None


class QuestionView(ResponseModel):
    id: str
    kind: Literal["value", "gradient_sign", "weight_direction", "choice"]
    prompt: Prompt
    options: list[str] = Field(description="The answers to pick from (+ - 0, up down stays, or option numbers).")
    stage: Literal["open", "closed", "revealed"]
    answer: str | None = Field(default=None, description="The right answer, computed by the server; once revealed.")
    tolerance: float | None = Field(default=None, description="How far a number may be from the answer (teacher).")
    histogram: list[Bin] | None = Field(default=None, description="The class's answers counted.")
    answered: int | None = Field(default=None, description="Students who answered.")
    correct: int | None = Field(default=None, description="Of them, how many are right.")


class ClassView(ResponseModel):
    code: str
    state: PageState | None
    locked: bool = Field(description="Students cannot move away from the teacher's view.")
    paused: bool = Field(description="Every student's screen is paused: eyes on the teacher.")
    question: QuestionView | None
    count: int | None = Field(default=None, description="Students joined (teacher's view only).")
    connected: int | None = Field(
        default=None, description="Students with a live stream now, on any worker (teacher's view only)."
    )
    names: list[str] | None = Field(default=None, description="Display names given (teacher's view only).")


class ControlRequest(StrictModel):
    locked: bool | None = Field(default=None, description="Lock pacing; null: leave as it is.")
    paused: bool | None = Field(default=None, description="Pause every screen; null: leave as it is.")


class Controls(ResponseModel):
    locked: bool
    paused: bool


class StateAccepted(ResponseModel):
    event: int = Field(description="The number of the event that carries the state to the students.")


class AskRequest(StrictModel):
    """A question built from the step on the teacher's screen. The server computes the right answer from
    `network` (the same fields as POST /api/v1/network/trace) or, for `choice`, from the lesson."""

    kind: Literal["value", "gradient_sign", "weight_direction", "choice"]
    network: TraceRequest | None = Field(default=None, description="The teacher's network, inputs and targets.")
    quantity: Literal["loss", "z", "a", "delta"] = Field(default="a", description="For `value`: which number.")
    parameter: Literal["w", "b"] = Field(default="w", description="For sign and direction: a weight or a bias.")
    layer: int = Field(default=1, ge=1, le=100, description="Layer after the input, from 1.")
    neuron: int = Field(default=0, ge=0, le=10_000, description="Neuron in `layer` (the target of a weight).")
    source: int = Field(default=0, ge=0, le=10_000, description="For a weight: the neuron of the layer before.")
    tolerance: float | None = Field(default=None, ge=0, le=1e6, description="For `value`: allowed distance.")
    choice: str | None = Field(default=None, max_length=64, description="For `choice`: the lesson question's id.")


class AnswerRequest(StrictModel):
    student_token: str = Field(max_length=100, description="The seat `POST /classroom/join` gave.")
    question: str = Field(max_length=32, description="The id of the question being answered.")
    answer: str = Field(max_length=64, description="A number, or one of the question's options.")


class Accepted(ResponseModel):
    accepted: bool = True


class RevealRequest(StrictModel):
    question: str = Field(max_length=32)


class LessonQuestionInfo(ResponseModel):
    id: str = Field(description="Send it as `choice` to ask it.")
    lesson: str = Field(description="The lesson it belongs to (its slug).")
    options: int = Field(description="How many options it has; option i is answered as the text i.")


class ClassEvent(BaseModel):
    """One event of the live channel (`data:` of a server-sent event, whose `id:` is `id`)."""

    id: int = Field(description="Its number in the class; send the last one seen as Last-Event-ID to resume.")
    type: Literal["snapshot", "state", "control", "question", "reveal", "ended", "roster", "tally", "presence"]
    data: dict[str, Any] = Field(
        description="snapshot: a ClassView; state: {state}; control: {locked, paused}; question and reveal: "
        "{question}; roster (teacher): {count, names}; tally (teacher): {question, answered, histogram}; presence "
        "(teacher): {connected}."
    )
