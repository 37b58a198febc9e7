"""graph.describe: the computed graph read back with stable ids, labels and each edge's chain-rule step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import GraphView, Tensor, describe
from app.engine import functions as F

X = 1.3


def cos_of_square_minus_one(x_value: float = X) -> tuple[GraphView, Tensor]:
    x = Tensor(x_value, requires_grad=True, name="x")
    y = F.cos(x**2 - 1)
    y.backward()
    return describe(y), x


def test_ids_are_stable_and_deterministic_across_identical_builds() -> None:
    first, _ = cos_of_square_minus_one()
    second, _ = cos_of_square_minus_one()
    assert [n.id for n in first.nodes] == [n.id for n in second.nodes]
    assert [(e.source, e.target, e.input_index) for e in first.edges] == [
        (e.source, e.target, e.input_index) for e in second.edges
    ]
    assert first.output == second.output


def test_nodes_come_inputs_first_with_names_and_generated_ids() -> None:
    view, _ = cos_of_square_minus_one()
    ops = [n.op for n in view.nodes]
    assert ops == ["leaf", "pow_const", "leaf", "sub", "cos"]
    assert view.nodes[0].id == "x"
    ids = [n.id for n in view.nodes]
    assert len(set(ids)) == len(ids)
    for node in view.nodes:
        for input_id in node.inputs:
            assert ids.index(input_id) < ids.index(node.id)
    assert view.output == view.nodes[-1].id


def test_labels_read_as_the_formula() -> None:
    view, _ = cos_of_square_minus_one()
    labels = [n.label for n in view.nodes]
    assert labels == ["x", "x^2", "1", "x^2 − 1", "cos(x^2 − 1)"]


def test_constants_are_shown_but_carry_no_gradient() -> None:
    view, _ = cos_of_square_minus_one()
    constant = view.nodes[2]
    assert constant.op == "leaf" and not constant.requires_grad
    assert constant.grad is None
    (edge,) = [e for e in view.edges if e.source == constant.id]
    assert edge.contribution is None


def test_values_and_grads_are_the_hand_computed_ones() -> None:
    view, x = cos_of_square_minus_one()
    u = X * X - 1
    root = view.node(view.output)
    assert float(root.value) == pytest.approx(math.cos(u), rel=1e-15)
    assert float(root.grad) == 1.0
    assert float(view.node("x").grad) == pytest.approx(-math.sin(u) * 2 * X, rel=1e-14)
    assert x.grad == pytest.approx(-math.sin(u) * 2 * X, rel=1e-14)


def test_each_edge_contribution_is_upstream_times_local() -> None:
    view, _ = cos_of_square_minus_one()
    u = X * X - 1
    expected_local = {  # ∂target/∂source, by hand
        ("x", "pow_const"): 2 * X,
        ("pow_const", "sub"): 1.0,
        ("leaf", "sub"): -1.0,
        ("sub", "cos"): -math.sin(u),
    }
    seen = set()
    for edge in view.edges:
        source, target = view.node(edge.source), view.node(edge.target)
        key = (source.id if source.id == "x" else source.op, target.op)
        local = float(edge.local)
        assert local == pytest.approx(expected_local[key], rel=1e-14)
        if edge.contribution is not None:
            assert float(edge.contribution) == pytest.approx(float(target.grad) * local, rel=1e-14)
            assert float(edge.contribution) == pytest.approx(float(source.grad), rel=1e-14)  # one consumer each
        seen.add(key)
    assert seen == set(expected_local)


def test_a_times_a_shows_two_edges() -> None:
    a = Tensor(3.0, requires_grad=True, name="a")
    y = a * a
    y.backward()
    view = describe(y)
    edges = [(e.source, e.target, e.input_index) for e in view.edges]
    assert edges == [("a", view.output, 0), ("a", view.output, 1)]
    assert [float(e.contribution) for e in view.edges] == [3.0, 3.0]
    assert float(view.node("a").grad) == 6.0


def test_repeated_names_get_distinct_ids() -> None:
    first = Tensor(1.0, requires_grad=True, name="w")
    second = Tensor(2.0, requires_grad=True, name="w")
    view = describe(first * second)
    assert [n.id for n in view.nodes[:2]] == ["w", "w'"]


def test_non_elementwise_edges_have_no_local_but_a_contribution() -> None:
    x = Tensor(np.array([[1.0, 2.0]]), name="x")
    w = Tensor(np.array([[0.5, -1.0]]), requires_grad=True, name="W")
    b = Tensor(np.array([0.25]), requires_grad=True, name="b")
    loss = F.mse_loss(F.linear(x, w, b), np.array([[0.0]]))
    loss.backward()
    view = describe(loss)
    (weight_edge,) = [e for e in view.edges if e.source == "W"]
    assert weight_edge.local is None
    z = 0.5 - 2.0 + 0.25
    np.testing.assert_allclose(weight_edge.contribution, [[2 * z * 1.0, 2 * z * 2.0]], rtol=1e-15)
