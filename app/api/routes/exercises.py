"""Exercises for lessons 2–6, generated from a seed and checked against the engine's numbers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.body import JsonBodyRoute
from app.api.schemas.common import ERROR_RESPONSES
from app.api.schemas.exercises import (
    CheckRequest,
    CheckResponse,
    ExerciseResponse,
    ExerciseSeed,
    Language,
)
from app.api.validation import invalid
from app.api.wire import json_response
from app.tracing.exercises import ABSOLUTE_TOLERANCE, ExerciseKind, generate, is_close

router = APIRouter(prefix="/exercises", tags=["exercises"], route_class=JsonBodyRoute)


@router.get("", response_model=ExerciseResponse, responses=ERROR_RESPONSES, summary="One exercise, picked by a seed")
def exercise(
    kind: Annotated[ExerciseKind, Query(description="limit, partial, descent, chain or network")],
    seed: Annotated[ExerciseSeed, Query()] = 0,
    lang: Annotated[Language, Query()] = "en",
) -> Response:
    """The question and the blanks to fill; the answers stay on the server until they are checked."""
    task = generate(kind, seed)
    return json_response(
        {
            "kind": kind,
            "seed": seed,
            "lang": lang,
            "question": task.question(lang),
            "given": task.given,
            "blanks": [{"name": blank.name, "symbol": blank.symbol} for blank in task.blanks],
            "expressions": task.expressions,
            "values": task.values,
            "tolerance": ABSOLUTE_TOLERANCE,
        }
    )


@router.post("/check", response_model=CheckResponse, responses=ERROR_RESPONSES, summary="Check answers to an exercise")
def check(request: CheckRequest) -> Response:
    """Each answer against the engine's value (within the tolerance); the worked solution once every blank
    is right, or when `reveal` asks for it."""
    task = generate(request.kind, request.seed)
    names = [blank.name for blank in task.blanks]
    unknown = sorted(set(request.answers) - set(names))
    if unknown:
        raise invalid(
            f"answers has {', '.join(unknown)}, which this exercise does not ask for; use {', '.join(names)}",
            "answers",
            expected=names,
        )
    results = []
    for blank in task.blanks:
        given = request.answers.get(blank.name)
        verdict = "missing" if given is None else "correct" if is_close(given, blank.value) else "wrong"
        results.append({"name": blank.name, "symbol": blank.symbol, "given": given, "verdict": verdict})
    solved = all(result["verdict"] == "correct" for result in results)
    shown = solved or request.reveal
    for result, blank in zip(results, task.blanks, strict=True):
        result["expected"] = blank.value if shown or result["verdict"] == "correct" else None
    return json_response(
        {
            "kind": request.kind,
            "seed": request.seed,
            "solved": solved,
            "results": results,
            "solution": task.solution_text(request.lang) if shown else None,
        }
    )
