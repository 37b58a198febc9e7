"""Symbolic derivatives: textbook texts, and agreement with backprop on random expressions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.engine.expression import CONSTANTS, FUNCTIONS, MAX_DEPTH_LIMIT, parse
from app.engine.gradcheck import numerical_gradient
from app.engine.graph import describe
from app.engine.symbolic import (
    DERIVATIVE_RULES,
    Omitted,
    differentiate,
    normal_form,
    symbolic_gradient,
    to_text,
    to_typeset,
)


def derivative_texts(text: str) -> dict[str, str | None]:
    return {name: d.text for name, d in symbolic_gradient(parse(text)).items()}


# ---------------------------------------------------------------------------------------- textbook cases
# (function, {variable: derivative as the parser reads it}) — each worked out by hand
TEXTBOOK = [
    ("2*x^2", {"x": "4*x"}),
    ("2x²", {"x": "4*x"}),
    ("3*x", {"x": "3"}),
    ("x^2 + y^2", {"x": "2*x", "y": "2*y"}),
    ("3*x + 2*y", {"x": "3", "y": "2"}),
    ("cos(x^2 - 1)", {"x": "-2*x*sin(x^2 - 1)"}),
    ("x*x + x", {"x": "2*x + 1"}),
    ("x*(x + 1)", {"x": "2*x + 1"}),
    ("(x + 1)^2", {"x": "2*(x + 1)"}),
    ("(2x)^2", {"x": "8*x"}),
    ("x - x", {"x": "0"}),
    ("-x", {"x": "-1"}),
    ("5", {}),
    ("x^2*y^3", {"x": "2*x*y^3", "y": "3*x^2*y^2"}),
    ("1/x", {"x": "-1/x^2"}),
    ("1/(2x)", {"x": "-1/(2*x^2)"}),
    ("x/y", {"x": "1/y", "y": "-x/y^2"}),
    ("sin(x)/x", {"x": "cos(x)/x - sin(x)/x^2"}),
    ("sqrt(x)", {"x": "1/(2*sqrt(x))"}),
    ("x^0.5", {"x": "1/(2*x^(1/2))"}),
    ("x^(1/3)", {"x": "1/(3*x^(2/3))"}),
    ("exp(-x^2)", {"x": "-2*x*exp(-x^2)"}),
    ("e^x", {"x": "e^x"}),
    ("2^x", {"x": "2^x*log(2)"}),
    ("x^x", {"x": "x^x*(log(x) + 1)"}),
    ("x^y", {"x": "y*x^(y - 1)", "y": "x^y*log(x)"}),
    ("log(x^2 - 1)", {"x": "2*x/(x^2 - 1)"}),
    ("ln(x)", {"x": "1/x"}),
    ("sin(x)cos(x)", {"x": "cos(x)^2 - sin(x)^2"}),
    ("tan(x)", {"x": "tan(x)^2 + 1"}),
    ("tanh(x)", {"x": "1 - tanh(x)^2"}),
    ("sigmoid(x)", {"x": "sigmoid(x)*(1 - sigmoid(x))"}),
    ("abs(x)", {"x": "x/abs(x)"}),
    ("relu(x)", {"x": "relu(x)/x"}),
    ("pi*x^2", {"x": "2*pi*x"}),
    ("0.1*x + 0.2*x", {"x": "0.3"}),  # exact decimals, not 0.30000000000000004
    ("0.05x^2", {"x": "0.1*x"}),
    ("x^2/8", {"x": "x/4"}),
    ("1.5*x^2/3", {"x": "x"}),
    ("2^3*x", {"x": "8"}),
]


@pytest.mark.parametrize(("function", "expected"), TEXTBOOK)
def test_textbook_derivatives_read_as_a_textbook_prints_them(function: str, expected: dict[str, str]) -> None:
    assert derivative_texts(function) == expected


@pytest.mark.parametrize(
    ("function", "typeset"),
    [
        ("2*x^2", "4x"),
        ("cos(x^2 - 1)", "−2x·sin(x² − 1)"),
        ("(x + 1)^2", "2(x + 1)"),
        ("sqrt(x)", "1/(2√x)"),
        ("abs(x)", "x/|x|"),
        ("sigmoid(x)", "σ(x)·(1 − σ(x))"),
        ("x^x", "x^x·(ln(x) + 1)"),
        ("pi*x^2", "2πx"),
        ("x^2*y^3", "2xy³"),
        ("x^3*y^3 + w1*x", "3x²y³ + w1"),
        ("w1*x^2", "2w1·x"),
    ],
)
def test_typeset_form_uses_textbook_symbols(function: str, typeset: str) -> None:
    assert symbolic_gradient(parse(function))["x"].typeset == typeset


def test_values_put_in_show_the_arithmetic() -> None:
    cases = [("2x^2", 3.0, "4·3"), ("cos(x^2 - 1)", 3.0, "−2·3·sin(3² − 1)"), ("x^2 + x", -1.0, "2·(−1) + 1")]
    for function, x, at_values in cases:
        (derivative,) = symbolic_gradient(parse(function), {"x": x}).values()
        assert derivative.at_values == at_values, function


def test_every_function_of_the_parser_has_a_derivative_rule() -> None:
    assert set(DERIVATIVE_RULES) == set(FUNCTIONS)


def test_a_derivative_over_the_node_cap_is_omitted_with_a_reason() -> None:
    expression = parse("sin(cos(tan(exp(x^x))))")
    (small,) = symbolic_gradient(expression, max_nodes=10).values()
    assert (small.text, small.typeset, small.omitted) == (None, None, "too_large")
    (full,) = symbolic_gradient(expression).values()
    assert full.omitted is None and full.text is not None


def test_an_overflowing_number_is_omitted_with_a_reason() -> None:
    (derivative,) = symbolic_gradient(parse("1e999*x")).values()
    assert (derivative.text, derivative.omitted) == (None, "non_finite_number")
    (product,) = symbolic_gradient(parse("1e300*1e300*x")).values()  # exact, but no float holds it
    assert (product.text, product.omitted) == (None, "non_finite_number")
    (quotient,) = symbolic_gradient(parse("x/(1 - 1)")).values()
    assert (quotient.text, quotient.omitted) == (None, "non_finite_number")


def test_huge_powers_of_numbers_stay_unfolded() -> None:
    # 10^(10^10) would have ten billion digits: it is kept as a power, and answered at once
    (derivative,) = symbolic_gradient(parse("10^10^10*x")).values()
    assert derivative.text == "10^10000000000"


def test_nested_functions_stay_within_the_cap_quickly() -> None:
    text = "sin(x + " * 38 + "x" + ")" * 38
    (derivative,) = symbolic_gradient(parse(text, max_depth=MAX_DEPTH_LIMIT)).values()
    assert derivative.omitted == "too_large"


# ---------------------------------------------------------------------------------------- random expressions
# Fully parenthesised texts within the parser's grammar, with the numbers a lesson would use.
NAMES = ("x", "y")
NUMBER_TEXTS = st.sampled_from(["0.5", "1", "2", "3", "0.25", "1.5", "10", "4"])
LEAVES = (
    NUMBER_TEXTS
    | st.sampled_from(NAMES)
    | st.sampled_from(NAMES)  # twice: most expressions should have variables
    | st.sampled_from(sorted(CONSTANTS))
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return (
        children.map(lambda a: f"-({a})")
        | st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})")
        | st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(lambda t: f"({t[0]}){t[1]}({t[2]})")
        | st.tuples(children, NUMBER_TEXTS | st.sampled_from(["-1", "-2"])).map(lambda t: f"({t[0]})^({t[1]})")
        | st.tuples(children, children).map(lambda t: f"({t[0]})^({t[1]})")
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=7)
POINTS = st.fixed_dictionaries({name: st.integers(-2500, 2500).map(lambda n: n / 1000) for name in NAMES})


def _value(text: str, point: dict[str, float]) -> float:
    with np.errstate(all="ignore"):
        return parse(text, max_depth=MAX_DEPTH_LIMIT).evaluate(point, requires_grad=False)[0].item()


def _smooth_slope(text: str, point: dict[str, float], name: str) -> float | None:
    """∂/∂name by central differences, or None near a kink, a pole or where rounding swamps the slope."""

    def along(value: np.ndarray) -> float:
        return _value(text, point | {name: float(value)})

    x0, h = point[name], 1e-6
    one_sided = [
        (along(np.float64(x0 + h)) - along(np.float64(x0))) / h,
        (along(np.float64(x0)) - along(np.float64(x0 - h))) / h,
    ]
    estimates = [float(numerical_gradient(along, x0, step=step)) for step in (1e-4, 1e-5, h)] + one_sided
    if not all(math.isfinite(v) for v in estimates):
        return None
    if max(estimates) - min(estimates) > 1e-4 * (1 + abs(estimates[2])):
        return None
    return estimates[2]


@settings(max_examples=300, deadline=None)
@given(text=EXPRESSIONS, point=POINTS)
def test_symbolic_derivative_equals_backprop_where_smooth(text: str, point: dict[str, float]) -> None:
    expression = parse(text, max_depth=MAX_DEPTH_LIMIT)
    with np.errstate(all="ignore"):
        output, inputs = expression.evaluate(point)
        output.backward()
        graph = describe(output)
    values = [float(np.asarray(n.value)) for n in graph.nodes] + [float(np.asarray(n.grad or 0.0)) for n in graph.nodes]
    assume(all(math.isfinite(v) for v in values))
    scale = max((abs(v) for v in values), default=1.0)
    assume(scale < 1e8)
    # at a kink (the argument of relu or abs exactly 0) the written derivative is 0/0 by design
    by_id = {node.id: node for node in graph.nodes}
    kinks = [n for n in graph.nodes if n.op in ("relu", "abs") and float(np.asarray(by_id[n.inputs[0]].value)) == 0]
    assume(not kinks)
    # u^v with both varying is e^(v·ln u): its derivative (with ln u) is written for u > 0 only
    assume(all(float(np.asarray(by_id[n.inputs[0]].value)) > 0 for n in graph.nodes if n.op == "pow"))
    symbolic = symbolic_gradient(expression)
    for name, tensor in inputs.items():
        derivative = symbolic[name]
        assert derivative.omitted in (None, "too_large"), text
        if derivative.text is None or _smooth_slope(text, point, name) is None:
            continue
        backprop = float(tensor.grad)
        written = _value(derivative.text, point)
        event("compared with backprop")  # --hypothesis-show-statistics shows how often
        assert written == pytest.approx(backprop, rel=1e-6, abs=1e-9 * (1 + scale)), (text, name, derivative.text)


@settings(max_examples=300, deadline=None)
@given(text=EXPRESSIONS)
def test_written_derivatives_read_back_to_the_same_text(text: str) -> None:
    """The printer writes what the parser reads: parsed and simplified again, a derivative prints the same."""
    try:
        function = normal_form(parse(text, max_depth=MAX_DEPTH_LIMIT).root)
    except Omitted as omitted:  # such as 1/0
        assert omitted.reason == "non_finite_number"
        return
    for name in NAMES:
        derivative = differentiate(function, name, max_nodes=10_000)
        written = to_text(derivative)
        again = normal_form(parse(written, max_length=10**6, max_depth=MAX_DEPTH_LIMIT).root)
        assert to_text(again) == written, text
        assert to_typeset(again) == to_typeset(derivative)
