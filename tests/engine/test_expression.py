"""The expression parser: values and gradients against hand-written maths, errors, limits, and fuzzing."""

from __future__ import annotations

import math
import random
import time
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.engine import numerical_gradient
from app.engine.expression import (
    CONSTANTS,
    FUNCTIONS,
    LABEL_LENGTH,
    MAX_DEPTH_LIMIT,
    Binary,
    Call,
    Constant,
    Expression,
    ExpressionError,
    Negation,
    Number,
    Variable,
    parse,
)
from app.engine.tensor import Tensor


def value_and_grads(text: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
    output, inputs = parse(text).evaluate(values)
    output.backward()
    return output.item(), {name: float(tensor.grad) for name, tensor in inputs.items()}


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


# ---------------------------------------------------------------------------------------- valid input
# (text, variable values, value, {variable: d value / d variable}), all worked out by hand.
VALID = [
    ("cos(x^2-1)", {"x": 3.0}, math.cos(8), {"x": -math.sin(8) * 6}),
    ("cos(x²−1)", {"x": 3.0}, math.cos(8), {"x": -math.sin(8) * 6}),
    ("2x^2", {"x": 3.0}, 18.0, {"x": 12.0}),
    ("2x²", {"x": 3.0}, 18.0, {"x": 12.0}),
    ("-x^2", {"x": 3.0}, -9.0, {"x": -6.0}),
    ("−x²", {"x": 3.0}, -9.0, {"x": -6.0}),
    ("(-x)^2", {"x": 3.0}, 9.0, {"x": 6.0}),
    ("-2^2", {}, -4.0, {}),
    ("2^3^2", {}, 512.0, {}),
    ("2**3**2", {}, 512.0, {}),
    ("(2^3)^2", {}, 64.0, {}),
    ("2^-1", {}, 0.5, {}),
    ("x^-1", {"x": 4.0}, 0.25, {"x": -1 / 16}),
    ("x⁻¹", {"x": 4.0}, 0.25, {"x": -1 / 16}),
    ("x^3", {"x": -2.0}, -8.0, {"x": 12.0}),  # a negative base needs the constant-exponent op
    ("x³", {"x": -2.0}, -8.0, {"x": 12.0}),
    ("x^y", {"x": 2.0, "y": 3.0}, 8.0, {"x": 12.0, "y": 8 * math.log(2)}),
    ("3(x+1)", {"x": 2.0}, 9.0, {"x": 3.0}),
    ("(x+1)(x-1)", {"x": 2.0}, 3.0, {"x": 4.0}),
    ("x (x + 1)", {"x": 2.0}, 6.0, {"x": 5.0}),
    ("x y", {"x": 2.0, "y": 5.0}, 10.0, {"x": 5.0, "y": 2.0}),
    ("x·x", {"x": 3.0}, 9.0, {"x": 6.0}),
    ("2 sin(x)", {"x": 0.5}, 2 * math.sin(0.5), {"x": 2 * math.cos(0.5)}),
    ("sin(x)cos(x)", {"x": 0.5}, math.sin(0.5) * math.cos(0.5), {"x": math.cos(1.0)}),
    ("sin (x)^2", {"x": 0.5}, math.sin(0.5) ** 2, {"x": math.sin(1.0)}),
    ("1/2x", {"x": 4.0}, 2.0, {"x": 0.5}),  # implicit "*" binds like "*": (1/2)·x
    ("1/(2x)", {"x": 4.0}, 0.125, {"x": -1 / 32}),
    ("x / y / 2", {"x": 8.0, "y": 2.0}, 2.0, {"x": 0.25, "y": -1.0}),
    ("x - y - 1", {"x": 5.0, "y": 2.0}, 2.0, {"x": 1.0, "y": -1.0}),
    ("x - -y", {"x": 5.0, "y": 2.0}, 7.0, {"x": 1.0, "y": 1.0}),
    ("--x", {"x": 5.0}, 5.0, {"x": 1.0}),
    ("+x", {"x": 5.0}, 5.0, {"x": 1.0}),
    ("3·x − 2÷y", {"x": 1.0, "y": 4.0}, 2.5, {"x": 3.0, "y": 0.125}),
    ("2×x", {"x": 1.5}, 3.0, {"x": 2.0}),
    ("  w1 x + b  ", {"w1": 2.0, "x": 3.0, "b": 1.0}, 7.0, {"w1": 3.0, "x": 2.0, "b": 1.0}),
    ("2e", {}, 2 * math.e, {}),  # "2e" before a non-digit is 2 times e
    ("2e-x", {"x": 1.0}, 2 * math.e - 1, {"x": -1.0}),
    ("2e3", {}, 2000.0, {}),
    ("1e-3", {}, 0.001, {}),
    ("1e−3", {}, 0.001, {}),
    ("2E+4", {}, 20000.0, {}),
    (".5x", {"x": 4.0}, 2.0, {"x": 0.5}),
    ("2.x", {"x": 4.0}, 8.0, {"x": 2.0}),
    ("1.e1", {}, 10.0, {}),
    ("pi", {}, math.pi, {}),
    ("2π", {}, 2 * math.pi, {}),
    ("π x", {"x": 2.0}, 2 * math.pi, {"x": math.pi}),
    ("e^x", {"x": 2.0}, math.exp(2), {"x": math.exp(2)}),
    ("exp(-x^2)", {"x": 0.5}, math.exp(-0.25), {"x": -2 * 0.5 * math.exp(-0.25)}),
    ("ln(x)", {"x": 2.0}, math.log(2), {"x": 0.5}),
    ("log(x)", {"x": 2.0}, math.log(2), {"x": 0.5}),
    ("sqrt(x)", {"x": 4.0}, 2.0, {"x": 0.25}),
    ("tan(x)", {"x": 0.5}, math.tan(0.5), {"x": 1 + math.tan(0.5) ** 2}),
    ("tanh(x)", {"x": 0.3}, math.tanh(0.3), {"x": 1 - math.tanh(0.3) ** 2}),
    ("sigmoid(x)", {"x": 0.3}, sigmoid(0.3), {"x": sigmoid(0.3) * (1 - sigmoid(0.3))}),
    ("relu(x)", {"x": -2.0}, 0.0, {"x": 0.0}),
    ("relu(x)", {"x": 2.0}, 2.0, {"x": 1.0}),
    ("abs(x)", {"x": -2.0}, 2.0, {"x": -1.0}),
    ("1e999 - x", {"x": 1.0}, math.inf, {"x": -1.0}),  # an overflowing literal is just infinity
]


@pytest.mark.parametrize(("text", "values", "expected_value", "expected_grads"), VALID)
def test_value_and_gradient_match_hand_computed_maths(text, values, expected_value, expected_grads) -> None:
    value, grads = value_and_grads(text, values)
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
    assert grads == pytest.approx(expected_grads, rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------------------------------- lesson examples
POINTS = [-2.0, -0.5, 0.0, 1.5, 3.0]


@pytest.mark.parametrize("x", POINTS)
def test_derivative_of_cos_of_x_squared_minus_one(x: float) -> None:
    value, grads = value_and_grads("cos(x²−1)", {"x": x})
    assert value == pytest.approx(math.cos(x * x - 1), abs=1e-12)
    assert grads["x"] == pytest.approx(-math.sin(x * x - 1) * 2 * x, abs=1e-12)


@pytest.mark.parametrize("x", POINTS)
def test_derivative_of_three_x_is_three(x: float) -> None:
    assert value_and_grads("3x", {"x": x}) == (pytest.approx(3 * x), {"x": pytest.approx(3.0)})


@pytest.mark.parametrize("x", POINTS)
def test_derivative_of_two_x_squared_is_four_x(x: float) -> None:
    assert value_and_grads("2x²", {"x": x}) == (pytest.approx(2 * x * x), {"x": pytest.approx(4 * x)})


@pytest.mark.parametrize(("x", "y"), [(1.0, 2.0), (-3.0, 0.5), (0.0, -1.0)])
def test_partial_derivatives_of_sum_of_squares(x: float, y: float) -> None:
    value, grads = value_and_grads("x^2 + y^2", {"x": x, "y": y})
    assert value == pytest.approx(x * x + y * y)
    assert grads == {"x": pytest.approx(2 * x), "y": pytest.approx(2 * y)}


@pytest.mark.parametrize(("x", "y"), [(1.0, 2.0), (-3.0, 0.5)])
def test_partial_derivatives_of_linear_function(x: float, y: float) -> None:
    value, grads = value_and_grads("3x + 2y", {"x": x, "y": y})
    assert value == pytest.approx(3 * x + 2 * y)
    assert grads == {"x": pytest.approx(3.0), "y": pytest.approx(2.0)}


# ---------------------------------------------------------------------------------------- the API
def test_variables_are_listed_in_order_of_first_appearance() -> None:
    assert parse("y + x*y + sin(z) + x").variables == ("y", "x", "z")
    assert parse("2 pi e").variables == ()


def test_each_variable_is_one_named_leaf_shared_by_its_occurrences() -> None:
    output, inputs = parse("x*x + x").evaluate({"x": 3.0, "unused": 1.0})
    assert set(inputs) == {"x"}
    x = inputs["x"]
    assert (x.name, x.requires_grad, x.op) == ("x", True, None)
    output.backward()
    assert float(x.grad) == 7.0  # 2x + 1: both paths reached the same tensor


def test_without_requires_grad_nothing_is_recorded() -> None:
    output, inputs = parse("x^2 + 1").evaluate({"x": 3.0}, requires_grad=False)
    assert output.item() == 10.0
    assert not inputs["x"].requires_grad
    assert output.op is None


def test_arrays_evaluate_elementwise_including_negative_bases() -> None:
    output, inputs = parse("x^2").evaluate({"x": np.array([-1.5, 2.0])})
    output.backward(np.ones(2))
    np.testing.assert_array_equal(output.data, [2.25, 4.0])
    np.testing.assert_array_equal(inputs["x"].grad, [-3.0, 4.0])


def test_constant_exponent_uses_pow_const_and_variable_exponent_uses_pow() -> None:
    assert parse("x^2").evaluate({"x": -3.0})[0].op.name == "pow_const"
    assert parse("x^(1+1)").evaluate({"x": -3.0})[0].op.name == "pow_const"
    assert parse("2^x").evaluate({"x": 3.0})[0].op.name == "pow"


def test_missing_value_names_the_variable_and_its_first_column() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("x + 2y + y").evaluate({"x": 1.0})
    assert (caught.value.code, caught.value.column, caught.value.params) == ("missing_value", 6, {"name": "y"})


def test_labels_follow_the_source_structure() -> None:
    output, _ = parse("cos(x^2-1)").evaluate({"x": 3.0})
    difference = output.inputs[0]
    square, one = difference.inputs
    assert (output.label, difference.label, square.label, one.label) == (
        "cos(x^2 − 1)",
        "x^2 − 1",
        "x^2",
        "1",
    )
    assert square.inputs[0].label is None  # the variable keeps its name instead


def test_labels_use_typeset_symbols() -> None:
    output, _ = parse("-(2x · π)").evaluate({"x": 1.0})
    assert output.label == "−(2 · x · π)"


def test_labels_of_big_subtrees_stay_short() -> None:
    output, _ = parse(" + ".join(f"sigmoid(w{i} x)" for i in range(12))).evaluate(
        {"x": 1.0} | {f"w{i}": 0.5 for i in range(12)}
    )
    assert "…" in output.label and output.label.endswith("sigmoid(w11 · x)")
    labels, stack = [], [output]
    while stack:
        tensor = stack.pop()
        labels.append(tensor.label or tensor.name)
        stack.extend(tensor.inputs)
    assert max(len(label) for label in labels) <= LABEL_LENGTH + 10


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("cos(x²−1)", "cos(x^2 - 1)"),
        ("2x^2", "2 * x^2"),
        ("-x^2", "-x^2"),
        ("(-x)^2", "(-x)^2"),
        ("2^3^2", "2^3^2"),
        ("(2^3)^2", "(2^3)^2"),
        ("2^(-1)", "2^-1"),
        ("x - (y - z)", "x - (y - z)"),
        ("(x - y) - z", "x - y - z"),
        ("x / (y * z)", "x / (y * z)"),
        ("1/2x", "1 / 2 * x"),
        ("-(x + 1)", "-(x + 1)"),
        ("((x))", "x"),
        ("+x", "x"),
        ("π ÷ .5", "pi / 0.5"),
        ("ln(x)", "log(x)"),
        ("1e-3 + 2E+4 + 1e999", "0.001 + 20000 + 1e999"),
        ("x⁻¹²", "x^-12"),
    ],
)
def test_to_string_is_canonical(text: str, canonical: str) -> None:
    assert parse(text).to_string() == canonical
    assert parse(canonical).to_string() == canonical


def test_expressions_compare_by_source() -> None:
    assert parse("x + 1") == parse("x + 1")
    assert parse("x + 1") != parse("x+1")
    assert hash(parse("x + 1")) == hash(parse("x + 1"))


def test_allowed_variables_reject_other_names() -> None:
    assert parse("x y", variables=("x", "y")).variables == ("x", "y")
    with pytest.raises(ExpressionError) as caught:
        parse("x + z", variables=("x", "y"))
    assert (caught.value.code, caught.value.column, caught.value.params["name"]) == ("unknown_variable", 5, "z")
    with pytest.raises(ExpressionError) as caught:
        parse("x", variables=("x", "pi"))
    assert caught.value.code == "reserved_name"


# ---------------------------------------------------------------------------------------- errors
ERRORS = [
    ("", "empty", None),
    ("   \t", "empty", None),
    ("x +", "missing_operand", 3),
    ("x −", "missing_operand", 3),
    ("x^", "missing_operand", 2),
    ("x **", "missing_operand", 3),
    ("-", "missing_operand", 1),
    ("* x", "missing_operand", 1),
    ("x * / y", "missing_operand", 5),
    ("(x + )", "missing_operand", 4),
    ("²", "missing_operand", 1),
    ("(x + 1", "unbalanced_parenthesis", 1),
    ("x + 1)", "unbalanced_parenthesis", 6),
    ("((x)", "unbalanced_parenthesis", 1),
    ("(x))(", "unbalanced_parenthesis", 4),
    ("sin(x", "unbalanced_parenthesis", 4),
    ("()", "empty_parentheses", 1),
    ("2 + sin()", "empty_parentheses", 8),
    ("foo(x)", "unknown_function", 1),
    ("2 + x(x + 1)", "unknown_function", 5),
    ("sin x", "function_without_parenthesis", 1),
    ("2 cos", "function_without_parenthesis", 3),
    ("sin²(x)", "function_without_parenthesis", 1),
    ("x + sqrt", "function_without_parenthesis", 5),
    ("2 3", "missing_operator", 3),
    ("(x + 1)2", "missing_operator", 8),
    ("x .5", "missing_operator", 3),
    ("1.2.3", "bad_number", 1),
    ("x + .", "bad_number", 5),
    ("1e5.5", "bad_number", 1),
    ("x⁻", "bad_number", 2),
    ("2 $ x", "bad_character", 3),
    ("x, y", "bad_character", 2),
    ("θ + 1", "bad_character", 1),
    ("x = 1", "bad_character", 3),
    ("x" * 501, "too_long", None),
    ("(" * 41 + "x" + ")" * 41, "too_deep", 41),
    ("-" * 41 + "x", "too_deep", 41),
]


@pytest.mark.parametrize(("text", "code", "column"), ERRORS)
def test_invalid_input_raises_expression_error_with_code_and_column(text: str, code: str, column) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert (caught.value.code, caught.value.column) == (code, column)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.message
    if column is not None:
        assert f"column {column}" in caught.value.message


def test_error_params_carry_what_the_message_mentions() -> None:
    cases = {
        "foo(x)": {"name": "foo"},
        "sin x": {"name": "sin"},
        "2 $ x": {"character": "$"},
        "(x + 1": {"parenthesis": "("},
        "x + 1)": {"parenthesis": ")"},
        "x +": {"operator": "+", "side": "after"},
        "x" * 501: {"length": 501, "max_length": 500},
    }
    for text, params in cases.items():
        with pytest.raises(ExpressionError) as caught:
            parse(text)
        assert caught.value.params == params, text
        for value in params.values():
            assert str(value) in caught.value.message


def test_length_and_depth_limits_are_parameters() -> None:
    assert parse("x+1", max_length=3).variables == ("x",)
    with pytest.raises(ExpressionError, match="at most 2"):
        parse("x+1", max_length=2)
    assert parse("-(x)", max_depth=2).to_string() == "-x"
    assert parse("sin(x)^2", max_depth=1).to_string() == "sin(x)^2"  # call and exponent: side by side
    for text, column in [("-(x)", 2), ("sin(x^2)", 6), ("2^-x", 3), ("--x", 2)]:
        with pytest.raises(ExpressionError) as caught:
            parse(text, max_depth=1)
        assert (caught.value.code, caught.value.column, caught.value.params) == (
            "too_deep",
            column,
            {"max_depth": 1},
        )
    with pytest.raises(ValueError, match="max_depth"):
        parse("x", max_depth=MAX_DEPTH_LIMIT + 1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("(" * 100_000 + "x" + ")" * 100_000, "too_deep"),
        ("-" * 100_000 + "x", "too_deep"),
        ("x^" * 50_000 + "2", "too_deep"),
        ("sin(" * 50_000 + "x" + ")" * 50_000, "too_deep"),
        ("(" * 100_000 + "x", "unbalanced_parenthesis"),
    ],
    ids=["parentheses", "signs", "powers", "calls", "unclosed"],
)
def test_deep_nesting_fails_fast_without_recursion_error(text: str, code: str) -> None:
    start = time.process_time()  # CPU time: other processes on the machine do not count
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.code == "too_long"
    with pytest.raises(ExpressionError) as caught:
        parse(text, max_length=len(text))
    assert caught.value.code == code
    assert time.process_time() - start < 2.0


def test_the_deepest_allowed_nesting_parses() -> None:
    text = "(" * MAX_DEPTH_LIMIT + "x" + ")" * MAX_DEPTH_LIMIT
    assert parse(text, max_depth=MAX_DEPTH_LIMIT).to_string() == "x"
    text = "-" * (MAX_DEPTH_LIMIT - 1) + "x^2"
    assert parse(text, max_depth=MAX_DEPTH_LIMIT).variables == ("x",)


def test_long_flat_expressions_evaluate_render_and_backpropagate() -> None:
    # Left-nested trees as deep as the text is long: everything that walks them must be iterative.
    terms = 5_000  # Python's default recursion limit is 1,000
    expression = parse("x + " * terms + "2x y", max_length=10**6)
    output, inputs = expression.evaluate({"x": 1.0, "y": 3.0})
    output.backward()
    assert (output.item(), float(inputs["x"].grad), float(inputs["y"].grad)) == (terms + 6.0, terms + 6.0, 2.0)
    assert expression.to_string() == "x + " * terms + "2 * x * y"
    assert repr(expression.root).startswith("Binary('x + x")
    assert hash(expression) == hash(parse(expression.source, max_length=10**6))


# ---------------------------------------------------------------------------------------- property tests
# A tree is ("num", value) | ("var", name) | ("const", name) | ("neg", tree) | (op, tree, tree)
# | ("call", function, tree), evaluated below with plain Python maths.
NAMES = ("x", "y", "w1")
NUMBERS = st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25, 10.0, 0.001]) | st.integers(0, 9999).map(lambda n: n / 1000)
LEAVES = (
    st.tuples(st.just("num"), NUMBERS)
    | st.tuples(st.just("var"), st.sampled_from(NAMES))
    | st.tuples(st.just("var"), st.sampled_from(NAMES))  # twice: most trees should have variables
    | st.tuples(st.just("const"), st.sampled_from(sorted(CONSTANTS)))
)


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return (
        st.tuples(st.just("neg"), children)
        | st.tuples(st.sampled_from(["+", "-", "*", "/", "^"]), children, children)
        | st.tuples(st.just("call"), st.sampled_from(FUNCTIONS), children)
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=8)
VALUES = st.integers(-3000, 3000).map(lambda n: n / 1000)  # no subnormals: they overflow 1/x²
ENVIRONMENTS = st.fixed_dictionaries({name: VALUES for name in NAMES})

REFERENCE_FUNCTIONS = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": lambda v: 0.5 + 0.5 * math.tanh(0.5 * v),  # the engine's overflow-free form of 1/(1+e⁻ᵛ)
    "relu": lambda v: max(v, 0.0),
    "abs": abs,
}
REFERENCE_OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": math.pow,
}


def test_every_function_and_constant_is_supported() -> None:
    assert set(FUNCTIONS) == set(REFERENCE_FUNCTIONS)
    for name in FUNCTIONS:
        output, _ = parse(f"{name}(x)").evaluate({"x": 0.7})
        assert output.item() == pytest.approx(REFERENCE_FUNCTIONS[name](0.7), rel=1e-12), name
    assert {name: parse(name).evaluate({})[0].item() for name in ("pi", "π", "e")} == {
        "pi": math.pi,
        "π": math.pi,
        "e": math.e,
    }
    assert set(CONSTANTS) == {"pi", "e"}


class Reference(NamedTuple):
    value: float
    scale: float  # the largest magnitude among the intermediate values
    # Some step sat where its derivative is infinite or undefined: sqrt(0), 0^b, or a^b with a < 0
    # and a variable b. The chain rule then gives 0·∞ = nan even where the whole is smooth.
    singular: bool = False


def reference(tree: tuple, env: dict[str, float], jitter: random.Random | None = None) -> Reference:
    """The tree's value by plain Python maths; raises where it is undefined or overflows.

    With ``jitter`` every intermediate result is nudged by ±1e-12 (relative), to measure how much
    rounding the expression amplifies.
    """
    kind = tree[0]
    if kind == "num":
        return Reference(tree[1], abs(tree[1]))
    if kind == "var":
        return Reference(env[tree[1]], abs(env[tree[1]]))
    if kind == "const":
        return Reference(CONSTANTS[tree[1]], CONSTANTS[tree[1]])
    if kind == "neg":
        inner = reference(tree[1], env, jitter)
        return Reference(-inner.value, inner.scale, inner.singular)
    if kind == "call":
        inner = reference(tree[2], env, jitter)
        parts, value = [inner], REFERENCE_FUNCTIONS[tree[1]](inner.value)
    else:
        parts = [reference(tree[1], env, jitter), reference(tree[2], env, jitter)]
        value = REFERENCE_OPERATORS[kind](parts[0].value, parts[1].value)
    if jitter is not None:
        value *= 1 + jitter.choice((-1e-12, 1e-12))
    singular = any(part.singular for part in parts) or _is_singular(tree, parts[0].value)
    return Reference(value, max(abs(value), *(part.scale for part in parts)), singular)


def _is_singular(tree: tuple, first_argument: float) -> bool:
    if tree[:2] == ("call", "sqrt"):
        return first_argument == 0
    if tree[0] == "^":
        return first_argument == 0 or (first_argument < 0 and bool(_variables_left_to_right(tree[2])))
    return False


def expected_node(tree: tuple):
    kind = tree[0]
    if kind == "num":
        return Number(tree[1])
    if kind == "var":
        return Variable(tree[1])
    if kind == "const":
        return Constant(tree[1])
    if kind == "neg":
        return Negation(expected_node(tree[1]))
    if kind == "call":
        return Call(tree[1], expected_node(tree[2]))
    return Binary(kind, expected_node(tree[1]), expected_node(tree[2]))


SUM, PRODUCT, SIGNED, POWER, ATOM = 1, 2, 3, 4, 5


class Text(NamedTuple):
    text: str
    precedence: int
    ends_with: str  # "number", "name" or "other": what may not be glued to a following name


def _grouped(part: Text, weakest_allowed: int, rnd: random.Random) -> Text:
    if part.precedence >= weakest_allowed:
        return part
    pad = rnd.choice(["", " "])
    return Text(f"({pad}{part.text}{pad})", ATOM, "other")


def _number_text(value: float, rnd: random.Random) -> str:
    spellings = [repr(value), f"{value:e}", f"{value:E}"]
    if value.is_integer():
        spellings += [str(int(value)), f"{int(value)}."]
    if 0 < value < 1:
        spellings.append(repr(value)[1:])  # ".5"
    return rnd.choice(spellings)


def render(tree: tuple, rnd: random.Random) -> Text:
    """Write a tree as a person might: random spacing, symbols, optional parentheses, implicit "*"."""
    text = _render(tree, rnd)
    if rnd.random() < 0.1:
        return Text(f"({text.text})", ATOM, "other")
    return text


def _render(tree: tuple, rnd: random.Random) -> Text:
    kind = tree[0]
    space = rnd.choice(["", " "])
    if kind == "num":
        return Text(_number_text(tree[1], rnd), ATOM, "number")
    if kind == "var":
        return Text(tree[1], ATOM, "name")
    if kind == "const":
        return Text(rnd.choice(["pi", "π"]) if tree[1] == "pi" else "e", ATOM, "name")
    if kind == "neg":
        inner = _grouped(render(tree[1], rnd), SIGNED, rnd)
        return Text(rnd.choice("-−") + space + inner.text, SIGNED, inner.ends_with)
    if kind == "call":
        name = rnd.choice(["log", "ln"]) if tree[1] == "log" else tree[1]
        return Text(f"{name}{space}({render(tree[2], rnd).text})", ATOM, "other")
    left, right = render(tree[1], rnd), render(tree[2], rnd)
    if kind == "^":
        base = _grouped(left, ATOM, rnd)
        if tree[2] in (("num", 2.0), ("num", 3.0)) and rnd.random() < 0.5:
            return Text(base.text + "²³"[int(tree[2][1]) - 2], POWER, "other")
        exponent = _grouped(right, SIGNED, rnd)
        return Text(f"{base.text}{space}{rnd.choice(['^', '**'])}{space}{exponent.text}", POWER, exponent.ends_with)
    precedence = SUM if kind in "+-" else PRODUCT
    left = _grouped(left, precedence, rnd)
    starts_like_a_factor = right.text[0] in "(π" or right.text[0].isalpha()
    if kind == "*" and right.precedence >= POWER and starts_like_a_factor and rnd.random() < 0.5:
        return Text(left.text + _juxtaposition(left, right, rnd) + right.text, PRODUCT, right.ends_with)
    right = _grouped(right, precedence + 1, rnd)
    symbol = rnd.choice({"+": "+", "-": "-−", "*": "*·×⋅", "/": "/÷"}[kind])
    return Text(f"{left.text}{space}{symbol}{space}{right.text}", precedence, right.ends_with)


def _juxtaposition(left: Text, right: Text, rnd: random.Random) -> str:
    """What goes between two factors multiplied without "*": a space where gluing would change them."""
    if left.ends_with == "name":  # "x" "y" would read "xy"; "x" "(…)" would read as a call
        return " "
    if left.ends_with == "number" and right.text[0] in "eE":  # "2" "e" - "3" would read "2e-3"
        return " "
    return rnd.choice(["", " "])


def _evaluate(expression: Expression, env: dict[str, float]) -> float:
    with np.errstate(all="ignore"):
        return expression.evaluate(env, requires_grad=False)[0].item()


def _numerical_slope(expression: Expression, env: dict[str, float], name: str, scale: float) -> float | None:
    """∂/∂name by central differences, or None where the function is not smooth enough around env."""

    def f(value: np.ndarray) -> float:
        return _evaluate(expression, env | {name: float(value)})

    h = 1e-6
    x0 = env[name]
    central = float(numerical_gradient(f, x0, step=h))
    coarse = float(numerical_gradient(f, x0, step=1e-4))
    forward = (f(np.float64(x0 + h)) - f(np.float64(x0))) / h
    backward = (f(np.float64(x0)) - f(np.float64(x0 - h))) / h
    tolerance = 1e-4 * (1 + abs(central)) + 1e-8 * scale
    estimates = (central, coarse, forward, backward)
    if not all(math.isfinite(v) for v in estimates):
        return None
    if abs(forward - backward) > tolerance or abs(coarse - central) > tolerance:
        return None  # a kink, a pole nearby, or rounding noise larger than the slope
    return central


@settings(max_examples=300, deadline=None)
@given(tree=TREES, env=ENVIRONMENTS, rnd=st.randoms(use_true_random=False))
def test_random_expressions_parse_to_their_tree_value_and_gradient(tree, env, rnd) -> None:
    text = render(tree, rnd).text
    expression = parse(text, max_depth=MAX_DEPTH_LIMIT)
    assert expression.root == expected_node(tree), text
    assert parse(expression.to_string(), max_depth=MAX_DEPTH_LIMIT).root == expression.root

    assert expression.variables == tuple(dict.fromkeys(_variables_left_to_right(tree)))

    try:
        exact = reference(tree, env)
        jittered = [reference(tree, env, random.Random(seed)).value for seed in range(3)]
    except (ArithmeticError, ValueError):
        assume(False)
    spread = max(abs(v - exact.value) for v in jittered)
    assume(math.isfinite(exact.value) and exact.scale < 1e12)
    assume(spread <= 1e-6 * (1 + abs(exact.value)))  # rounding not amplified beyond use

    with np.errstate(all="ignore"):
        output, inputs = expression.evaluate(env)
        output.backward()
    assert output.item() == pytest.approx(exact.value, rel=0, abs=1e-9 * (1 + abs(exact.value)) + spread)

    if exact.singular:
        return
    for name, tensor in inputs.items():
        slope = _numerical_slope(expression, env, name, exact.scale)
        if slope is not None:
            assert float(tensor.grad) == pytest.approx(slope, rel=1e-4, abs=1e-4 + 1e-8 * exact.scale), name


def _variables_left_to_right(tree: tuple) -> list[str]:
    if tree[0] == "var":
        return [tree[1]]
    children = [child for child in tree[1:] if isinstance(child, tuple)]
    return [name for child in children for name in _variables_left_to_right(child)]


GRAMMAR_CHARACTERS = "0123456789.eExyzπ+-−*·×÷/^()²³⁻ \t_sincotaexplgqrthdmbuw"
JUNK = st.text(st.sampled_from(GRAMMAR_CHARACTERS), max_size=60) | st.text(
    st.sampled_from(GRAMMAR_CHARACTERS) | st.characters(), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(text=JUNK, max_length=st.integers(0, 100), max_depth=st.integers(1, MAX_DEPTH_LIMIT))
def test_any_text_parses_or_raises_expression_error(text: str, max_length: int, max_depth: int) -> None:
    try:
        expression = parse(text, max_length=max_length, max_depth=max_depth)
    except ExpressionError as error:
        assert error.code and error.message
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    rendered = expression.to_string()
    assert parse(rendered, max_length=10 * len(rendered), max_depth=MAX_DEPTH_LIMIT).root == expression.root
    with np.errstate(all="ignore"):
        output = expression.evaluate(dict.fromkeys(expression.variables, 0.7))[0]
    assert isinstance(output, Tensor)


def _nested(depth: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(["(", "-", "sin(", "x^", "+", "2^-"]), min_size=depth, max_size=depth)


@settings(max_examples=50, deadline=None)
@given(openers=_nested(MAX_DEPTH_LIMIT + 1))
def test_nesting_deeper_than_the_limit_is_too_deep(openers: list[str]) -> None:
    closers = "".join(")" for opener in reversed(openers) if opener.endswith("("))
    with pytest.raises(ExpressionError) as caught:
        parse("".join(openers) + "x" + closers, max_depth=MAX_DEPTH_LIMIT)
    assert caught.value.code == "too_deep"
