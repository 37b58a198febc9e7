"""POST /expression, /expression/limit, /expression/partial and /expression/descent."""

from __future__ import annotations

import itertools
import math

import pytest

from tests.api.conftest import API, ok, refused, strict_json


# ---------------------------------------------------------------------------------------- /expression
def test_chain_rule_example_matches_calculus(client):
    data = ok(client, "/expression", {"expression": "cos(x^2 - 1)", "variables": {"x": 3}})
    assert data["value"] == pytest.approx(math.cos(8.0), rel=1e-15)
    assert data["gradient"]["x"] == pytest.approx(-math.sin(8.0) * 6.0, rel=1e-15)
    assert data["numerical_gradient"]["x"] == pytest.approx(-math.sin(8.0) * 6.0, rel=1e-7)
    assert data["gradient_error"]["x"] < 1e-6
    assert data["diverged"] is False
    assert data["variables"] == ["x"]


def test_graph_nodes_and_edges_follow_the_chain_rule(client):
    data = ok(client, "/expression", {"expression": "cos(x^2 - 1)", "variables": {"x": 3}})
    graph = data["graph"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    output = nodes[graph["output"]]
    assert output["op"] == "cos" and output["symbol"] == "f" and output["grad"] == 1.0
    assert nodes["x"]["kind"] == "variable" and nodes["x"]["value"] == 3.0
    assert {n["op"] for n in graph["nodes"]} == {"leaf", "pow_const", "sub", "cos"}
    constant = next(n for n in graph["nodes"] if n["kind"] == "constant")
    assert constant["value"] == 1.0 and constant["grad"] is None
    square = next(n for n in graph["nodes"] if n["op"] == "pow_const")
    assert square["value"] == 9.0 and square["label"] == "x^2"
    for edge in graph["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes
        if edge["contribution"] is not None:
            assert edge["contribution"] == pytest.approx(edge["upstream"] * edge["local"], rel=1e-15)
    into_x = next(e for e in graph["edges"] if e["source"] == "x")
    assert into_x["local"] == 6.0  # ∂(x²)/∂x at 3


def test_steps_go_forward_node_by_node_then_backward_edge_by_edge(client):
    data = ok(client, "/expression", {"expression": "cos(x^2 - 1)", "variables": {"x": 3}})
    steps = data["steps"]
    kinds = [s["kind"] for s in steps]
    assert kinds == ["input", "node_forward", "node_forward", "node_forward", "seed"] + ["edge_backward"] * 3 + [
        "gradient"
    ]
    assert [s["index"] for s in steps] == list(range(len(steps)))
    square = steps[1]["formula"][0]
    assert (square["lhs"], square["symbolic"], square["substituted"], square["result"]) == ("u₁", "x^2", "3^2", "9")
    minus = steps[2]["formula"][0]
    assert (minus["symbolic"], minus["substituted"], minus["value"]) == ("u₁ − 1", "9 − 1", 8.0)
    last_edge = steps[-2]
    assert last_edge["nodes"] == ["x", last_edge["nodes"][1]]
    local, product = last_edge["formula"]
    assert local["symbolic"] == "2·x" and local["value"] == 6.0  # not 2·x^1
    assert local["lhs"] == "∂u₁/∂x"  # a local derivative: ∂
    assert (product["lhs"], product["symbolic"]) == ("df/dx", "df/du₁ · ∂u₁/∂x")  # the total it gives: d
    assert product["value"] == pytest.approx(-math.sin(8.0) * 6.0)
    assert {s["phase"] for s in steps} == {"forward", "backward"}
    for step in steps:
        assert step["layer"] is None and step["neuron"] is None
        assert step["narration"]["key"].startswith("step.expression.")


def test_a_variable_used_twice_accumulates_its_gradient(client):
    data = ok(client, "/expression", {"expression": "x*x + 3x", "variables": {"x": 2}})
    assert data["gradient"]["x"] == pytest.approx(2 * 2 + 3)
    edges = [e["id"] for e in data["graph"]["edges"] if e["source"] == "x"]
    assert len(edges) == len(set(edges)) == 3
    accumulate = next(s for s in data["steps"] if s["kind"] == "accumulate")
    assert accumulate["nodes"] == ["x"]
    assert sum(accumulate["values"]["contributions"]) == pytest.approx(7.0)


def test_two_variables(client):
    data = ok(client, "/expression", {"expression": "3x + 2y", "variables": {"x": 1, "y": 2, "z": 9}})
    assert data["value"] == 7.0
    assert data["gradient"] == {"x": 3.0, "y": 2.0}


@pytest.mark.parametrize(
    ("expression", "variables", "symbolic", "typeset", "at_values"),
    [
        ("2x^2", {"x": 3}, {"x": "4*x"}, "4x", "4·3"),
        ("cos(x^2 - 1)", {"x": 3}, {"x": "-2*x*sin(x^2 - 1)"}, "−2x·sin(x² − 1)", "−2·3·sin(3² − 1)"),
        ("3x + 2y", {"x": 1, "y": 2}, {"x": "3", "y": "2"}, "3", "3"),
    ],
)
def test_symbolic_gradient_is_the_textbook_formula(client, expression, variables, symbolic, typeset, at_values):
    data = ok(client, "/expression", {"expression": expression, "variables": variables})
    assert data["symbolic_gradient"] == symbolic
    first = data["symbolic_derivatives"][data["variables"][0]]
    assert first == {
        "text": symbolic[data["variables"][0]],
        "typeset": typeset,
        "at_values": at_values,
        "omitted": None,
    }


def test_symbolic_gradient_posted_back_gives_the_backprop_gradient(client):
    variables = {"x": 1.7, "y": -1.3}
    data = ok(client, "/expression", {"expression": "x^y*sin(x y) + tanh(x)/y", "variables": variables})
    for name, text in data["symbolic_gradient"].items():
        written = ok(client, "/expression", {"expression": text, "variables": variables})
        assert written["value"] == pytest.approx(data["gradient"][name], rel=1e-12), (name, text)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("sin(x + " * 38 + "x" + ")" * 38, "too_large"),
        ("1e999*x", "non_finite_number"),
        ("x/(1 - 1)", "non_finite_number"),
    ],
)
def test_an_omitted_symbolic_derivative_is_null_with_its_reason(client, expression, reason):
    data = ok(client, "/expression", {"expression": expression, "variables": {"x": 0.5}})
    assert data["symbolic_gradient"] == {"x": None}
    assert data["symbolic_derivatives"]["x"] == {"text": None, "typeset": None, "at_values": None, "omitted": reason}
    assert data["gradient"]["x"] is not None or data["diverged"] is True


@pytest.mark.parametrize(
    ("expression", "value"),
    [("exp(1000)", None), ("1/0", None), ("log(0)", None), ("exp(x)^1000", None), ("sqrt(-1)", None)],
)
def test_overflow_is_null_and_flagged(client, expression, value):
    response = client.post(API + "/expression", json={"expression": expression, "variables": {"x": 800}})
    assert response.status_code == 200
    data = strict_json(response.content)
    assert data["value"] is value
    assert data["diverged"] is True


def test_overflow_in_a_gradient_only(client):
    data = ok(client, "/expression", {"expression": "sqrt(x)", "variables": {"x": 0}})
    assert data["value"] == 0.0
    assert data["gradient"]["x"] is None  # 1/(2√0)
    assert data["diverged"] is True


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"expression": "cos(x^2 - 1", "variables": {"x": 3}}, "unbalanced_parenthesis", ["column"]),
        ({"expression": "foo(x)", "variables": {"x": 3}}, "unknown_function", ["foo", "column 1"]),
        ({"expression": "x +", "variables": {"x": 3}}, "missing_operand", ["column 3"]),
        ({"expression": "", "variables": {}}, "empty", ["expression"]),
        ({"expression": "x + y", "variables": {"x": 3}}, "missing_value", ["'y'"]),
        ({"expression": "x + 1", "variables": {}}, "missing_value", ["'x'"]),
    ],
)
def test_parse_errors_name_the_problem_and_the_column(client, body, code, words):
    error = refused(client, "/expression", body, 422, *words)
    assert error["code"] == code
    assert error["field"] in ("expression", "variables")
    assert "column" in error


def test_parse_error_carries_column_and_params(client):
    error = refused(client, "/expression", {"expression": "2 + foo(x)", "variables": {"x": 1}}, 422, "foo")
    assert error["column"] == 5
    assert error["params"] == {"name": "foo"}


def test_expression_caps(client_with):
    client = client_with(max_expression_length=20, max_expression_depth=5, max_variables=2)
    error = refused(client, "/expression", {"expression": "x + " * 10 + "x", "variables": {"x": 1}}, 422, "at most 20")
    assert error["code"] == "too_long"
    deep = "(" * 8 + "x" + ")" * 8
    error = refused(client, "/expression", {"expression": deep, "variables": {"x": 1}}, 422, "5 levels")
    assert error["code"] == "too_deep"
    refused(client, "/expression", {"expression": "a+b+c", "variables": {"a": 1, "b": 1, "c": 1}}, 413, "3 variables")


def test_a_deeply_nested_expression_is_refused_quickly(client):
    deep = "sin(" * 5000 + "x" + ")" * 5000
    error = refused(client, "/expression", {"expression": deep, "variables": {"x": 1}}, 422)
    assert error["code"] in ("too_long", "too_deep")


def test_non_finite_variable_values_are_refused(client):
    body = b'{"expression": "x", "variables": {"x": NaN}}'
    refused(client, "/expression", body, 422, "variables.x")


# ---------------------------------------------------------------------------------------- /expression/limit
def test_limit_of_3x_is_exactly_3(client):
    data = ok(client, "/expression/limit", {"expression": "3x", "variable": "x", "at": 3})
    assert data["derivative"] == 3.0
    assert [row["delta"] for row in data["rows"]] == [1, 0.5, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6]
    for row in data["rows"]:
        assert row["quotient"] == pytest.approx(3.0, rel=1e-8)
        assert row["f_x"] == pytest.approx(3 * (3 + row["delta"]))
        assert row["secant"]["slope"] == row["quotient"]
    assert data["tangent"] == {"slope": 3.0, "intercept": pytest.approx(0.0)}


def test_limit_of_2x_squared_converges_to_4x0(client):
    x0 = 1.5
    data = ok(client, "/expression/limit", {"expression": "2x^2", "at": x0, "deltas": [1, 0.1, 0.01, 0.001]})
    assert data["derivative"] == pytest.approx(4 * x0)
    for row in data["rows"]:  # (2(x+d)² − 2x²)/d = 4x + 2d
        assert row["quotient"] == pytest.approx(4 * x0 + 2 * row["delta"], rel=1e-9)
        assert row["error"] == pytest.approx(2 * row["delta"], rel=1e-5)
    errors = [row["abs_error"] for row in data["rows"]]
    assert errors == sorted(errors, reverse=True)
    curve = data["curve"]
    assert len(curve["xs"]) == len(curve["values"]) == 201
    assert curve["range"][0] < x0 < curve["range"][1]
    assert curve["values"][100] == pytest.approx(2 * curve["xs"][100] ** 2)


def test_limit_refusals(client, client_with):
    refused(client, "/expression/limit", {"expression": "3x + y"}, 422, "'y'")
    refused(client, "/expression/limit", {"deltas": [0.1, 0]}, 422, "Δx ≠ 0")
    refused(client, "/expression/limit", {"deltas": []}, 422, "deltas is empty")
    refused(client, "/expression/limit", {"range": [2, 1]}, 422, "range")
    refused(client_with(max_limit_deltas=2), "/expression/limit", {"deltas": [1, 0.1, 0.01]}, 413, "deltas is 3")
    refused(client_with(max_curve_samples=50), "/expression/limit", {}, 413, "samples is 201")


def test_limit_overflow_is_null(client):
    data = ok(client, "/expression/limit", {"expression": "exp(x)", "at": 709, "deltas": [1, 0.5]})
    assert data["rows"][0]["f_x"] is None
    assert data["rows"][0]["quotient"] is None
    assert data["diverged"] is True


# ---------------------------------------------------------------------------------------- /expression/partial
def test_partial_of_a_bowl(client):
    data = ok(client, "/expression/partial", {"expression": "x^2 + y^2", "at": {"x": 1, "y": 2}, "variable": "x"})
    assert data["value"] == 5.0
    assert data["partial"] == 2.0
    assert data["gradient"] == {"x": 2.0, "y": 4.0}
    assert data["tangent"] == {"slope": 2.0, "intercept": 3.0}  # 5 + 2(t − 1)
    xs, values = data["slice"]["xs"], data["slice"]["values"]
    assert all(v == pytest.approx(t * t + 4) for t, v in zip(xs, values, strict=True))
    assert xs[0] == -1.0 and xs[-1] == 3.0


def test_partial_along_y_of_a_plane(client):
    body = {"expression": "3x + 2y", "at": {"x": 1, "y": 2}, "variable": "y", "range": [0, 4], "samples": 5}
    data = ok(client, "/expression/partial", body)
    assert data["partial"] == 2.0
    assert data["slice"]["values"] == [3.0, 5.0, 7.0, 9.0, 11.0]


def test_partial_refusals(client):
    refused(client, "/expression/partial", {"expression": "x^2", "at": {"x": 1}, "variable": "y"}, 422, "'y'", "x")
    refused(client, "/expression/partial", {"expression": "x*y", "at": {"x": 1}, "variable": "x"}, 422, "'y'")


# ---------------------------------------------------------------------------------------- /expression/descent
def test_descent_on_a_bowl_decreases_monotonically(client):
    body = {"expression": "x^2 + y^2", "start": {"x": 2, "y": 1.5}, "learning_rate": 0.1, "steps": 30}
    data = ok(client, "/expression/descent", body)
    path = data["path"]
    assert len(path) == 31 and data["steps_done"] == 30
    values = [p["value"] for p in path]
    assert all(b < a for a, b in itertools.pairwise(values))
    for k, point in enumerate(path):  # p_k = 0.8^k · p_0
        assert point["point"]["x"] == pytest.approx(2 * 0.8**k)
        assert point["gradient"]["y"] == pytest.approx(2 * 1.5 * 0.8**k)
    grid = data["grid"]
    assert data["variables"] == ["x", "y"]
    assert len(grid["values"]) == len(grid["ys"]) == 40 and len(grid["values"][0]) == len(grid["xs"]) == 40
    assert grid["values"][3][5] == pytest.approx(grid["xs"][5] ** 2 + grid["ys"][3] ** 2)
    assert grid["x_range"][0] <= 0 and grid["x_range"][1] >= 2
    assert data["curve"] is None


def test_descent_in_one_variable_draws_a_curve(client):
    body = {"expression": "(x - 1)^2", "start": {"x": 3}, "learning_rate": 0.25, "steps": 5, "x_range": [-1, 4]}
    data = ok(client, "/expression/descent", body)
    assert data["final"]["point"]["x"] == pytest.approx(1 + 2 * 0.5**5)
    assert data["grid"] is None
    assert data["curve"]["range"] == [-1, 4]


def test_descent_that_diverges_stops_with_nulls(client):
    body = {"expression": "x^2 + y^2", "start": {"x": 2, "y": 1}, "learning_rate": 1e300, "steps": 50}
    data = ok(client, "/expression/descent", body)
    assert data["diverged"] is True
    assert data["steps_done"] < 50


def test_ranges_at_the_edge_of_float64_stay_strict_json(client):
    body = {"expression": "x^2 + y^2", "start": {"x": 1, "y": 1}, "x_range": [-1.7e308, 1.7e308], "resolution": 3}
    refused(client, "/expression/descent", body, 422, "x_range", "narrower")
    body["x_range"] = [0, 1.7e308]
    data = ok(client, "/expression/descent", body)
    assert data["grid"]["values"][0][-1] is None and data["diverged"] is True
    data = ok(client, "/expression/limit", {"expression": "x", "at": 1e308, "deltas": [1e308]})
    assert data["rows"][0]["x"] is None
    assert data["curve"]["xs"][0] is None or data["curve"]["xs"][-1] is None
    assert data["diverged"] is True


def test_descent_refusals(client, client_with):
    refused(client, "/expression/descent", {"expression": "x + y", "start": {"x": 1}}, 422, "'y'")
    refused(client, "/expression/descent", {"expression": "2 + 3", "start": {}}, 422, "no variables")
    refused(client, "/expression/descent", {"learning_rate": -0.1}, 422, "learning_rate")
    refused(client, "/expression/descent", {"x_range": [1, 1]}, 422, "x_range")
    refused(client_with(max_descent_steps=10), "/expression/descent", {"steps": 11}, 413, "steps is 11")
    refused(client_with(max_grid=8), "/expression/descent", {"resolution": 9}, 413, "resolution is 9")


def test_a_long_descent_runs(client):
    body = {"expression": "x^2 + y^2", "start": {"x": 2, "y": 1.5}, "learning_rate": 0.01, "steps": 1000}
    data = ok(client, "/expression/descent", body)
    assert data["steps_done"] == 1000


def test_local_and_total_derivatives_have_distinct_symbols_and_products_name_their_share(client):
    """x*x + x: the local ∂f/∂x = 1 of the + is not the total df/dx = 4; each path's product is named."""
    data = ok(client, "/expression", {"expression": "x*x + x", "variables": {"x": 1.5}})
    lines = [line for step in data["steps"] for line in step["formula"]]
    locals_of_f = [line for line in lines if line["lhs"] == "∂f/∂x"]
    assert [line["value"] for line in locals_of_f] == [1.0]
    shares = {line["lhs"]: line["value"] for line in lines if line["lhs"].startswith("(df/dx)")}
    assert shares == {"(df/dx)₁": 1.5, "(df/dx)₂": 1.5, "(df/dx)₃": 1.0}
    accumulate = next(s for s in data["steps"] if s["kind"] == "accumulate")["formula"][0]
    assert (accumulate["lhs"], accumulate["symbolic"], accumulate["value"]) == (
        "df/dx",
        "(df/dx)₁ + (df/dx)₂ + (df/dx)₃",
        4.0,
    )
