"""Wire format of exercises: a kind and a seed in; the question, the blanks to fill and, once answered, the
verdicts and the worked solution out."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.schemas.common import ResponseModel, StrictModel
from app.tracing.exercises import ExerciseKind

Language = Literal["en", "zh-CN"]
Verdict = Literal["correct", "wrong", "missing"]
MAX_ANSWERS = 8
MAX_ANSWER_NAME = 16

ExerciseSeed = Annotated[
    int, Field(ge=0, le=2**31 - 1, description="Picks the exercise's numbers: the same seed, the same exercise.")
]
AnswerName = Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_NAME, pattern=r"^[a-z_]+$")]


class AnswerBlank(ResponseModel):
    name: str = Field(description="The key of this number in CheckRequest.answers.")
    symbol: str = Field(description="How the page writes it, e.g. ∂z/∂x or δ.")


class ExerciseResponse(ResponseModel):
    kind: ExerciseKind
    seed: int
    lang: Language
    question: str = Field(description="The task, in the requested language.")
    given: list[str] = Field(description="The function, point and numbers the task starts from, as formulas.")
    blanks: list[AnswerBlank] = Field(description="The numbers to find, in the order the page asks for them.")
    expressions: dict[str, str] = Field(description="Each function of the task as text the expression parser reads.")
    values: dict[str, float] = Field(description="The numbers the task gives (point, η, weights, inputs, target).")
    tolerance: float = Field(description="An answer within this of the engine's value (or 0.1% of it) is right.")


class CheckRequest(StrictModel):
    kind: ExerciseKind
    seed: ExerciseSeed
    lang: Language = "en"
    answers: dict[AnswerName, float] = Field(
        default_factory=dict,
        max_length=MAX_ANSWERS,
        description="The learner's number for each blank, by name; a blank left out counts as missing.",
        examples=[{"partial": 2.0}],
    )
    reveal: bool = Field(default=False, description="Send the expected values and the solution even if not solved.")


class BlankResult(ResponseModel):
    name: str
    symbol: str
    given: float | None = Field(description="The learner's number, null when missing.")
    verdict: Verdict
    expected: float | None = Field(description="The engine's value: sent when right, revealed or solved.")


class SolutionStep(ResponseModel):
    text: str = Field(description="What the line does, in the requested language.")
    math: str = Field(description="The line's arithmetic: symbols, then the numbers put in, then the result.")


class CheckResponse(ResponseModel):
    kind: ExerciseKind
    seed: int
    solved: bool = Field(description="Every blank is right.")
    results: list[BlankResult]
    solution: list[SolutionStep] | None = Field(description="The worked solution, once solved or revealed.")
