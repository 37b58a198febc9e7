"""The calculus lessons' numbers: limits of difference quotients, partial derivatives, gradient descent.

Every derivative here is the engine's (one backward pass); function values along curves and over
grids come from evaluating the expression on a whole array at once, without recording a graph.

    limit      Δy/Δx = (f(x₀ + Δx) − f(x₀)) / Δx  →  f′(x₀)  as Δx → 0
    partial    ∂f/∂xᵢ at p: the slope of the slice t ↦ f(p with xᵢ = t) at t = pᵢ
    descent    p ← p − η ∇f(p)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.engine.expression import Expression
from app.tracing.finite import all_finite

DEFAULT_DELTAS = (1.0, 0.5, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6)
PADDING = 0.2  # share of a path's extent added around it for an automatic plot range
MIN_SPAN = 1.0  # an automatic range is at least this wide


def values_at(expression: Expression, point: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """f at a point, or elementwise over arrays of points (no graph is recorded)."""
    with np.errstate(all="ignore"):
        output, _ = expression.evaluate(point, requires_grad=False)
    return output.data


def value_and_gradient(expression: Expression, point: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """f(point) and ∇f(point) by one forward and one backward pass of the engine."""
    with np.errstate(all="ignore"):
        output, inputs = expression.evaluate(point)
        output.backward()
    gradient = {name: float(t.grad) if t.grad is not None else 0.0 for name, t in inputs.items()}
    return float(output.data), gradient


def _curve(expression: Expression, point: Mapping[str, float], variable: str, span: tuple[float, float], samples: int):
    with np.errstate(all="ignore"):  # a span as wide as float64 allows has no finite step
        ts = np.linspace(span[0], span[1], samples)
    values = values_at(expression, {**point, variable: ts})
    return ts, np.broadcast_to(values, ts.shape)


def line(slope: float, through: tuple[float, float]) -> dict[str, float]:
    """The line y = slope·x + intercept through the point ``through``."""
    x0, y0 = through
    with np.errstate(all="ignore"):
        intercept = y0 - slope * x0
    return {"slope": slope, "intercept": float(intercept)}


def limit_table(
    expression: Expression,
    variable: str,
    at: float,
    deltas: Sequence[float] = DEFAULT_DELTAS,
    span: tuple[float, float] | None = None,
    samples: int = 201,
) -> dict[str, Any]:
    """For each Δx: f(x₀ + Δx), Δy, the difference quotient, the exact derivative and the error."""
    value, gradient = value_and_gradient(expression, {variable: at})
    exact = gradient.get(variable, 0.0)  # 0 for an expression without the variable
    rows = []
    with np.errstate(all="ignore"):
        for delta in deltas:
            moved = float(values_at(expression, {variable: at + delta}))
            delta_y = moved - value
            quotient = delta_y / delta
            rows.append(
                {
                    "delta": delta,
                    "x": at + delta,
                    "f_x": moved,
                    "delta_y": delta_y,
                    "quotient": quotient,
                    "exact": exact,
                    "error": quotient - exact,
                    "abs_error": abs(quotient - exact),
                    "secant": line(quotient, (at, value)),
                }
            )
    widest = max(abs(d) for d in deltas)
    span = span or (at - max(2.0, 1.5 * widest), at + max(2.0, 1.5 * widest))
    xs, ys = _curve(expression, {}, variable, span, samples)
    tangent = line(exact, (at, value))
    row_numbers = [
        number
        for r in rows
        for number in (r["x"], r["f_x"], r["delta_y"], r["quotient"], r["error"], r["secant"]["intercept"])
    ]
    return {
        "variable": variable,
        "at": at,
        "value": value,
        "derivative": exact,
        "rows": rows,
        "tangent": tangent,
        "curve": {"range": list(span), "xs": xs.tolist(), "values": ys.tolist()},
        "diverged": not all_finite(value, exact, tangent["intercept"], row_numbers, xs, ys),
    }


def partial_slice(
    expression: Expression,
    point: Mapping[str, float],
    variable: str,
    span: tuple[float, float] | None = None,
    samples: int = 201,
) -> dict[str, Any]:
    """The slice of f through ``point`` along ``variable``, and its tangent there: ∂f/∂variable."""
    value, gradient = value_and_gradient(expression, point)
    at = point[variable]
    partial = gradient.get(variable, 0.0)
    span = span or (at - 2.0, at + 2.0)
    ts, values = _curve(expression, point, variable, span, samples)
    tangent = line(partial, (at, value))
    return {
        "variable": variable,
        "at": dict(point),
        "value": value,
        "partial": partial,
        "gradient": gradient,
        "tangent": tangent,
        "slice": {"range": list(span), "xs": ts.tolist(), "values": values.tolist()},
        "diverged": not all_finite(value, gradient.values(), tangent["intercept"], ts, values),
    }


def descent_path(
    expression: Expression, start: Mapping[str, float], learning_rate: float, steps: int
) -> tuple[list[dict[str, Any]], bool]:
    """Gradient descent from ``start``: every point with f and ∇f; stops early once a number overflows."""
    names = list(expression.variables)
    point = {name: float(start[name]) for name in names}
    path: list[dict[str, Any]] = []
    for step in range(steps + 1):
        value, gradient = value_and_gradient(expression, point)
        path.append({"step": step, "point": dict(point), "value": value, "gradient": gradient})
        if not all_finite(value, gradient.values(), point.values()):
            return path, True
        if step < steps:
            with np.errstate(all="ignore"):
                point = {name: point[name] - learning_rate * gradient[name] for name in names}
    return path, False


def auto_range(values: Sequence[float]) -> tuple[float, float]:
    """A plot range around ``values`` (finite ones): padded, and at least MIN_SPAN wide."""
    finite = [v for v in values if np.isfinite(v)]
    if not finite:
        return (-1.0, 1.0)
    low, high = min(finite), max(finite)
    pad = max((high - low) * PADDING, (MIN_SPAN - (high - low)) / 2, 0.0)
    low, high = low - pad, high + pad
    if not np.isfinite(high - low):  # the path reached the edge of float64
        return (-1.0, 1.0)
    return (low, high)


def contour_grid(
    expression: Expression,
    variables: Sequence[str],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    resolution: int,
) -> dict[str, Any]:
    """f over a resolution × resolution grid: rows follow the second variable, columns the first."""
    with np.errstate(all="ignore"):
        xs = np.linspace(x_range[0], x_range[1], resolution)
        ys = np.linspace(y_range[0], y_range[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = values_at(expression, {variables[0]: grid_x, variables[1]: grid_y})
    values = np.broadcast_to(values, grid_x.shape)
    return {
        "resolution": resolution,
        "x_range": list(x_range),
        "y_range": list(y_range),
        "xs": xs.tolist(),
        "ys": ys.tolist(),
        "values": values.tolist(),
    }


def descent(
    expression: Expression,
    start: Mapping[str, float],
    learning_rate: float,
    steps: int,
    resolution: int,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The descent path, plus f over a grid (2 variables) or along a curve (1 variable) to draw it on."""
    path, diverged = descent_path(expression, start, learning_rate, steps)
    names = list(expression.variables)
    x_range = x_range or auto_range([p["point"][names[0]] for p in path])
    result: dict[str, Any] = {
        "variables": names,
        "path": path,
        "steps_done": len(path) - 1,
        "final": path[-1],
        "diverged": diverged,
        "grid": None,
        "curve": None,
    }
    if len(names) == 2:
        y_range = y_range or auto_range([p["point"][names[1]] for p in path])
        grid = result["grid"] = contour_grid(expression, names, x_range, y_range, resolution)
        result["diverged"] = diverged or not all_finite(grid["xs"], grid["ys"], *grid["values"])
    elif len(names) == 1:
        xs, ys = _curve(expression, {}, names[0], x_range, resolution)
        result["curve"] = {"range": list(x_range), "xs": xs.tolist(), "values": ys.tolist()}
        result["diverged"] = diverged or not all_finite(xs, ys)
    return result
