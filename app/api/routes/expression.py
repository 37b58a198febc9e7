"""Expressions: a formula's graph and gradients, and the calculus lessons' limits, slices and descents."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.api.cache import CachingRoute, cacheable
from app.api.dependencies import SettingsDep
from app.api.schemas.common import ERROR_RESPONSES
from app.api.schemas.expression import (
    DescentRequest,
    DescentResponse,
    ExpressionRequest,
    ExpressionResponse,
    LimitRequest,
    LimitResponse,
    PartialRequest,
    PartialResponse,
)
from app.api.validation import ApiError, check_range, check_values, invalid, parse_expression, too_large
from app.api.wire import json_response
from app.settings import Settings
from app.tracing.calculus import DEFAULT_DELTAS, descent, limit_table, partial_slice
from app.tracing.expression import trace_expression

INLINE_DESCENT_STEPS = 100  # longer descents run off the event loop

router = APIRouter(prefix="/expression", tags=["expression"], route_class=CachingRoute)


def _check_count(value: int, limit: int, field: str, what: str) -> None:
    if value > limit:
        raise too_large(f"{field} is {value}; at most {limit} {what} are allowed", field, limit=limit)


@router.post(
    "",
    response_model=ExpressionResponse,
    responses=ERROR_RESPONSES,
    summary="An expression's value, graph, gradient and the ordered steps of its forward and backward pass",
)
@cacheable
async def expression(request: ExpressionRequest, settings: SettingsDep) -> Response:
    """Parses the expression (no `eval`), builds the engine graph at the given values and backpropagates.
    `graph` holds every node's value and gradient and every edge's local derivative and contribution;
    `steps` tells the pass node by node, then edge by edge (upstream × local = contribution).
    `numerical_gradient` (central differences) stands beside the analytic `gradient`."""
    parsed = parse_expression(request.expression, settings)
    values = check_values(parsed, request.variables, settings, "variables")
    return json_response(trace_expression(parsed, values))


@router.post(
    "/limit",
    response_model=LimitResponse,
    responses=ERROR_RESPONSES,
    summary="The difference quotient Δy/Δx for shrinking Δx, beside the exact derivative",
)
@cacheable
async def limit(request: LimitRequest, settings: SettingsDep) -> Response:
    """For each Δx: f(x₀ + Δx), Δy, Δy/Δx (the secant's slope), the derivative from backprop and the error;
    the tangent and secant lines, and f sampled around x₀ for the plot."""
    deltas = DEFAULT_DELTAS if request.deltas is None else tuple(request.deltas)
    _check_count(len(deltas), settings.max_limit_deltas, "deltas", "values")
    _check_count(request.samples, settings.max_curve_samples, "samples", "samples")
    if not deltas:
        raise invalid("deltas is empty; give at least one Δx, e.g. [0.1]", "deltas")
    if any(delta == 0 for delta in deltas):
        raise invalid("deltas contains 0; Δy/Δx needs Δx ≠ 0", "deltas")
    span = check_range(request.range, "range")
    parsed = parse_expression(request.expression, settings, variables=[request.variable])
    return json_response(limit_table(parsed, request.variable, request.at, deltas, span, request.samples))


@router.post(
    "/partial",
    response_model=PartialResponse,
    responses=ERROR_RESPONSES,
    summary="A partial derivative: f along one variable through a point, and its tangent there",
)
@cacheable
async def partial(request: PartialRequest, settings: SettingsDep) -> Response:
    """Holds every other variable at its value in `at` and varies `variable`: the slice of f, the partial
    derivative at the point (backprop) and the tangent line of the slice."""
    _check_count(request.samples, settings.max_curve_samples, "samples", "samples")
    span = check_range(request.range, "range")
    parsed = parse_expression(request.expression, settings)
    if request.variable not in parsed.variables:
        uses = ", ".join(parsed.variables) or "no variables"
        raise ApiError(
            422,
            f"variable is '{request.variable}' but the expression uses {uses}; vary one of those",
            code="unknown_variable",
            field="variable",
            params={"name": request.variable, "variables": list(parsed.variables)},
        )
    point = check_values(parsed, request.at, settings, "at")
    return json_response(partial_slice(parsed, point, request.variable, span, request.samples))


def _descent_limits(request: DescentRequest, settings: Settings) -> None:
    _check_count(request.steps, settings.max_descent_steps, "steps", "descent steps")
    _check_count(request.resolution, settings.max_grid, "resolution", "cells per axis")
    check_range(request.x_range, "x_range")
    check_range(request.y_range, "y_range")


@router.post(
    "/descent",
    response_model=DescentResponse,
    responses=ERROR_RESPONSES,
    summary="Gradient descent on an expression: the path, and f over a grid for contours",
)
@cacheable
async def descent_path(request: DescentRequest, settings: SettingsDep) -> Response:
    """p ← p − η ∇f(p) from `start`, with f and ∇f (backprop) at every point. With two variables, f over a
    grid around the path for contour plots; with one, f along it. The path stops where a number overflows."""
    _descent_limits(request, settings)
    parsed = parse_expression(request.expression, settings)
    if not parsed.variables:
        raise invalid("the expression has no variables to descend along; use one such as x^2 + y^2", "expression")
    start = check_values(parsed, request.start, settings, "start")
    args = (parsed, start, request.learning_rate, request.steps, request.resolution, request.x_range, request.y_range)
    if request.steps <= INLINE_DESCENT_STEPS:
        return json_response(descent(*args))
    return json_response(await run_in_threadpool(descent, *args))
