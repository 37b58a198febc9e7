"""Exercises for the calculus and backprop lessons: generated from a seed, answered by the engine.

A kind and a seed fix an exercise completely (the same link shows everyone the same numbers). Every
expected answer is computed by the engine (a backward pass, or the lesson's own descent), never by a
formula written here; the worked solution writes the same numbers out, one line of arithmetic at a time.

    limit     f(x) = ax² + bx + c          f′(x₀) = lim Δy/Δx
    partial   z = ax² + bxy + cy²          ∂z/∂x or ∂z/∂y at (x₀, y₀)
    descent   f(x, y) = ax² + by²          one step (x, y) ← (x, y) − η ∇f
    chain     f = c·uⁿ, u = ax + b         du/dx, df/du and df/dx = df/du · du/dx
    network   ŷ = σ(w₁x₁ + w₂x₂ + b)       δ = ∂L/∂z and w₁ after one step, L = (ŷ − y)²
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.engine.expression import Expression, parse
from app.engine.symbolic import normal_form, symbolic_gradient, to_typeset
from app.i18n import translate
from app.nn.mlp import MLP
from app.tracing.calculus import descent_path, value_and_gradient, values_at
from app.tracing.notation import num

ExerciseKind = Literal["limit", "partial", "descent", "chain", "network"]
KINDS: tuple[ExerciseKind, ...] = ("limit", "partial", "descent", "chain", "network")
ABSOLUTE_TOLERANCE = 1e-3  # an answer rounded to three decimals is right
RELATIVE_TOLERANCE = 1e-3
PROBE_DELTA = 0.001  # the Δx of the difference quotient a solution writes out


@dataclass(frozen=True)
class Blank:
    """One number the learner fills in: ``name`` in the API, ``symbol`` as the page writes it."""

    name: str
    symbol: str
    value: float


@dataclass(frozen=True)
class SolutionLine:
    """A line of the worked solution: what it does (translation key and values) and its arithmetic."""

    key: str
    math: str
    params: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Exercise:
    kind: ExerciseKind
    seed: int
    given: list[str]
    blanks: list[Blank]
    solution: list[SolutionLine]
    params: Mapping[str, str]
    expressions: Mapping[str, str]  # each function as the parser reads it, to try in a lesson's figure
    values: Mapping[str, float]  # the numbers the task gives: the point, η, weights, inputs, target

    def question(self, lang: str) -> str:
        return translate(lang, f"lessons.exercises.{self.kind}.question", **self.params)

    def solution_text(self, lang: str) -> list[dict[str, str]]:
        return [
            {
                "text": translate(lang, f"lessons.exercises.solution.{line.key}", **(line.params or {})),
                "math": line.math,
            }
            for line in self.solution
        ]


def is_close(given: float, expected: float) -> bool:
    """Right to the precision asked for: three decimals, or three significant digits of a large number."""
    return math.isfinite(given) and abs(given - expected) <= max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * abs(expected))


def generate(kind: ExerciseKind, seed: int) -> Exercise:
    """The exercise of ``kind`` that ``seed`` picks."""
    rng = np.random.default_rng([KINDS.index(kind), seed])
    return _GENERATORS[kind](rng, seed)


# ---------------------------------------------------------------------------------------- helpers
def _pick(rng: np.random.Generator, choices: list[int] | list[float]) -> float:
    return choices[int(rng.integers(len(choices)))]


def _nonzero(rng: np.random.Generator, low: int, high: int) -> int:
    return int(_pick(rng, [n for n in range(low, high + 1) if n != 0]))


def _polynomial(terms: list[tuple[int, str]]) -> str:
    """Text the parser reads: [(3, "x^2"), (-2, "x"), (1, "")] → "3*x^2 + -2*x + 1" (zero terms dropped)."""
    parts = [f"({c})*{m}" if m else f"({c})" for c, m in terms if c != 0]
    return " + ".join(parts) or "0"


def _typeset(expression: Expression) -> str:
    return to_typeset(normal_form(expression.root))


def _equal(*parts: str | None) -> str:
    """``a = b = c`` without saying the same thing twice in a row (du/dx = 3, not du/dx = 3 = 3)."""
    kept: list[str] = []
    for part in parts:
        if part is not None and (not kept or kept[-1] != part):
            kept.append(part)
    return " = ".join(kept)


def _at(value: float) -> str:
    """A number as it stands inside arithmetic: negative ones in parentheses."""
    return f"({num(value)})" if value < 0 else num(value)


# ---------------------------------------------------------------------------------------- the kinds
def _limit(rng: np.random.Generator, seed: int) -> Exercise:
    a, b, c = _nonzero(rng, -3, 4), int(rng.integers(-4, 5)), int(rng.integers(-5, 6))
    x0 = int(rng.integers(-3, 4))
    f = parse(_polynomial([(a, "x^2"), (b, "x"), (c, "")]))
    value, gradient = value_and_gradient(f, {"x": x0})
    answer = gradient["x"]
    moved = float(values_at(f, {"x": x0 + PROBE_DELTA}))
    quotient = (moved - value) / PROBE_DELTA
    derivative = symbolic_gradient(f, {"x": float(x0)})["x"]
    shown = _typeset(f)
    return Exercise(
        "limit",
        seed,
        given=[f"f(x) = {shown}", f"x₀ = {num(x0)}"],
        blanks=[Blank("derivative", f"f′({num(x0)})", answer)],
        solution=[
            SolutionLine(
                "quotient",
                f"Δy/Δx = (f({num(x0 + PROBE_DELTA)}) − f({num(x0)}))/{PROBE_DELTA} = "
                f"({num(moved)} − {_at(value)})/{PROBE_DELTA} = {num(quotient)}",
                {"delta": str(PROBE_DELTA)},
            ),
            SolutionLine("rule", f"f′(x) = d/dx ({shown}) = {derivative.typeset}"),
            SolutionLine(
                "at_point", _equal(f"f′({num(x0)})", derivative.at_values, num(answer)), {"point": f"x = {num(x0)}"}
            ),
        ],
        params={"function": shown, "point": num(x0)},
        expressions={"f": f.to_string()},
        values={"x": x0},
    )


def _partial(rng: np.random.Generator, seed: int) -> Exercise:
    a, b, c = _nonzero(rng, -3, 3), int(rng.integers(-3, 4)), _nonzero(rng, -3, 3)
    x0, y0 = int(rng.integers(-3, 4)), int(rng.integers(-3, 4))
    variable, held = ("x", "y") if rng.integers(2) == 0 else ("y", "x")
    z = parse(_polynomial([(a, "x^2"), (b, "x*y"), (c, "y^2")]))
    point = {"x": float(x0), "y": float(y0)}
    _, gradient = value_and_gradient(z, point)
    answer = gradient[variable]
    derivative = symbolic_gradient(z, point)[variable]
    shown = _typeset(z)
    return Exercise(
        "partial",
        seed,
        given=[f"z = {shown}", f"(x, y) = ({num(x0)}, {num(y0)})"],
        blanks=[Blank("partial", f"∂z/∂{variable}", answer)],
        solution=[
            SolutionLine("hold", f"∂z/∂{variable} = {derivative.typeset}", {"held": held, "variable": variable}),
            SolutionLine(
                "at_point",
                _equal(f"∂z/∂{variable}", derivative.at_values, num(answer)),
                {"point": f"(x, y) = ({num(x0)}, {num(y0)})"},
            ),
        ],
        params={"function": shown, "variable": variable, "point": f"({num(x0)}, {num(y0)})"},
        expressions={"z": z.to_string()},
        values=point,
    )


def _descent(rng: np.random.Generator, seed: int) -> Exercise:
    a, b = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x0, y0 = _nonzero(rng, -3, 3), _nonzero(rng, -3, 3)
    rate = float(_pick(rng, [0.05, 0.1, 0.2]))
    f = parse(_polynomial([(a, "x^2"), (b, "y^2")]))
    path, _ = descent_path(f, {"x": x0, "y": y0}, rate, 1)
    gradient, after = path[0]["gradient"], path[1]["point"]
    symbolic = symbolic_gradient(f, {"x": float(x0), "y": float(y0)})
    lines = [
        SolutionLine(
            "gradient",
            f"∇f = (∂f/∂x, ∂f/∂y) = ({symbolic['x'].typeset}, {symbolic['y'].typeset}) = "
            f"({symbolic['x'].at_values}, {symbolic['y'].at_values}) = ({num(gradient['x'])}, {num(gradient['y'])})",
        )
    ]
    for name, start in (("x", x0), ("y", y0)):
        lines.append(
            SolutionLine(
                "step",
                f"{name} ← {name} − η·∂f/∂{name} = {num(start)} − {num(rate)}·{_at(gradient[name])} = {num(after[name])}",
                {"variable": name},
            )
        )
    shown = _typeset(f)
    return Exercise(
        "descent",
        seed,
        given=[f"f(x, y) = {shown}", f"(x, y) = ({num(x0)}, {num(y0)})", f"η = {num(rate)}"],
        blanks=[Blank("x", "x", after["x"]), Blank("y", "y", after["y"])],
        solution=lines,
        params={"function": shown, "point": f"({num(x0)}, {num(y0)})", "rate": num(rate)},
        expressions={"f": f.to_string()},
        values={"x": x0, "y": y0, "learning_rate": rate},
    )


def _chain(rng: np.random.Generator, seed: int) -> Exercise:
    c, n = int(rng.integers(1, 3)), int(rng.integers(2, 4))
    a, b = int(_pick(rng, [-3, -2, 2, 3])), _nonzero(rng, -2, 2)  # u = x would hide the inner derivative
    x0 = int(rng.integers(-2, 3))
    inner = parse(_polynomial([(a, "x"), (b, "")]))
    outer = parse(f"{c}*u^{n}")
    whole = parse(f"{c}*({inner.to_string()})^{n}")
    u0 = float(values_at(inner, {"x": x0}))
    _, inner_gradient = value_and_gradient(inner, {"x": x0})
    _, outer_gradient = value_and_gradient(outer, {"u": u0})
    _, whole_gradient = value_and_gradient(whole, {"x": x0})
    du, df_du, df = inner_gradient["x"], outer_gradient["u"], whole_gradient["x"]
    outer_symbolic = symbolic_gradient(outer, {"u": u0})["u"]
    inner_symbolic = symbolic_gradient(inner, {"x": float(x0)})["x"]
    inner_shown, outer_shown = _typeset(inner), _typeset(outer)
    return Exercise(
        "chain",
        seed,
        given=[f"f = {outer_shown}", f"u = {inner_shown}", f"x = {num(x0)}"],
        blanks=[Blank("inner", "du/dx", du), Blank("outer", "df/du", df_du), Blank("total", "df/dx", df)],
        solution=[
            SolutionLine("inner_value", _equal("u", _typeset_at(inner, {"x": x0}), num(u0))),
            SolutionLine("inner", _equal("du/dx", inner_symbolic.typeset, num(du))),
            SolutionLine("outer", _equal("df/du", outer_symbolic.typeset, outer_symbolic.at_values, num(df_du))),
            SolutionLine("product", f"df/dx = df/du · du/dx = {_at(df_du)} · {_at(du)} = {num(df)}"),
        ],
        params={"outer": outer_shown, "inner": inner_shown, "point": num(x0)},
        expressions={"f": outer.to_string(), "u": inner.to_string()},
        values={"x": x0},
    )


def _typeset_at(expression: Expression, values: Mapping[str, float]) -> str:
    return to_typeset(normal_form(expression.root), {name: float(v) for name, v in values.items()})


def _network(rng: np.random.Generator, seed: int) -> Exercise:
    tenths = [v / 10 for v in range(-10, 11) if v != 0]
    w1, w2, bias = float(_pick(rng, tenths)), float(_pick(rng, tenths)), float(_pick(rng, tenths))
    x1, x2 = int(rng.integers(1, 3)), int(rng.integers(0, 3))  # x₁ = 0 would leave w₁ where it is
    target = int(rng.integers(0, 2))
    rate = float(_pick(rng, [0.1, 0.5, 1.0]))
    mlp = MLP.create([2, 1], output_activation="sigmoid", weights=[[[w1, w2]]], biases=[[bias]])
    forward = mlp.forward(np.array([[x1, x2]], dtype=float))
    loss = mlp.loss(forward.output, np.array([[target]], dtype=float), "mse")
    loss.backward()
    z = float(forward.pre_activations[1].data[0, 0])  # type: ignore[union-attr]
    y_hat = float(forward.output.data[0, 0])
    grad_y_hat = float(forward.output.grad[0, 0])  # type: ignore[index]
    delta = float(forward.pre_activations[1].grad[0, 0])  # type: ignore[union-attr,index]
    grad_w1 = float(mlp.weights[0].grad[0, 0])  # type: ignore[index]
    new_w1 = w1 - rate * grad_w1
    activation = forward.activations[1]
    slope = float(activation.op.local(activation)[0][0, 0])  # type: ignore[union-attr]  # σ′(z), as backprop applied it
    return Exercise(
        "network",
        seed,
        given=[
            "ŷ = σ(z), z = w₁x₁ + w₂x₂ + b, L = (ŷ − y)²",
            f"w₁ = {num(w1)}, w₂ = {num(w2)}, b = {num(bias)}",
            f"x₁ = {x1}, x₂ = {x2}, y = {target}, η = {num(rate)}",
        ],
        blanks=[Blank("delta", "δ", delta), Blank("weight", "w₁ ←", new_w1)],
        solution=[
            SolutionLine("z", f"z = w₁x₁ + w₂x₂ + b = {num(w1)}·{x1} + {_at(w2)}·{x2} + {_at(bias)} = {num(z)}"),
            SolutionLine("y_hat", f"ŷ = σ(z) = 1/(1 + e^(−z)) = σ({num(z)}) = {num(y_hat)}"),
            SolutionLine("grad_y_hat", f"∂L/∂ŷ = 2(ŷ − y) = 2·({num(y_hat)} − {target}) = {num(grad_y_hat)}"),
            SolutionLine("slope", f"σ′(z) = ŷ(1 − ŷ) = {num(y_hat)}·{num(1 - y_hat)} = {num(slope)}"),
            SolutionLine("delta", f"δ = ∂L/∂z = ∂L/∂ŷ · σ′(z) = {_at(grad_y_hat)}·{num(slope)} = {num(delta)}"),
            SolutionLine("weight_grad", f"∂L/∂w₁ = δ·x₁ = {_at(delta)}·{x1} = {num(grad_w1)}"),
            SolutionLine("update", f"w₁ ← w₁ − η·∂L/∂w₁ = {num(w1)} − {num(rate)}·{_at(grad_w1)} = {num(new_w1)}"),
        ],
        params={},
        expressions={},
        values={"w1": w1, "w2": w2, "b": bias, "x1": x1, "x2": x2, "y": target, "learning_rate": rate},
    )


_GENERATORS: dict[ExerciseKind, Callable[[np.random.Generator, int], Exercise]] = {
    "limit": _limit,
    "partial": _partial,
    "descent": _descent,
    "chain": _chain,
    "network": _network,
}
