"""Tensor semantics: accumulation, broadcasting, when graphs are recorded, and very deep graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import check_gradients
from app.engine import functions as F
from app.engine.tensor import Tensor, topological_order

RANDOM_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - 0.5 * b,
    "mul": lambda a, b: F.tanh(a) * b,
    "sin": lambda a, b: F.sin(a) + 0.1 * b,
}


def leaf(value: float | list[float] | np.ndarray, name: str | None = None) -> Tensor:
    return Tensor(np.array(value, dtype=np.float64), requires_grad=True, name=name)


# ---------------------------------------------------------------------------------------- accumulation
def test_a_times_a_counts_both_edges() -> None:
    a = leaf(3.0)
    (a * a).backward()
    assert a.grad == pytest.approx(6.0)  # d(a²)/da = 2a, one a from each edge


def test_tensor_used_three_times_sums_its_three_contributions() -> None:
    x = leaf([0.3, -1.2, 2.0])
    y = (x * x + 3.0 * x + F.sin(x)).sum()
    y.backward()
    expected = [2 * v + 3 + math.cos(v) for v in (0.3, -1.2, 2.0)]
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)


def test_shared_intermediate_collects_gradient_from_every_consumer() -> None:
    x = leaf(0.7)
    u = x * x  # consumed by two ops
    y = F.exp(u) + F.cos(u)
    y.backward()
    assert u.grad == pytest.approx(math.exp(0.49) - math.sin(0.49), rel=1e-14)
    assert x.grad == pytest.approx((math.exp(0.49) - math.sin(0.49)) * 1.4, rel=1e-14)


def test_leaf_grads_accumulate_across_backward_calls_intermediates_do_not() -> None:
    x = leaf(2.0)
    u = x * x
    y = 3.0 * u
    y.backward()
    y.backward()
    assert x.grad == pytest.approx(2 * 12.0)  # leaves accumulate, as in PyTorch
    assert u.grad == pytest.approx(3.0)  # recomputed on each pass, not 6
    assert y.grad == pytest.approx(1.0)


def test_diamond_sums_both_paths() -> None:
    x = leaf(1.5)
    a, b = x * 2.0, x * 3.0
    c = a * b  # 6x²
    c.backward()
    assert x.grad == pytest.approx(12 * 1.5, rel=1e-15)
    assert a.grad == pytest.approx(3 * 1.5, rel=1e-15)
    assert b.grad == pytest.approx(2 * 1.5, rel=1e-15)


def test_backward_from_a_leaf_seeds_it() -> None:
    x = leaf(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_from_an_intermediate_restarts_it() -> None:
    x = leaf(2.0)
    y = x * x
    z = y * 3.0
    z.backward()
    assert y.grad == pytest.approx(3.0)
    y.backward()
    assert y.grad == pytest.approx(1.0)  # a new pass from y: its own gradient is 1, not 3 + 1
    assert x.grad == pytest.approx(12.0 + 4.0)  # the leaf adds both passes


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_graphs_with_shared_nodes_match_central_differences(data: st.DataObject) -> None:
    """Each step applies an op to earlier results, so tensors feed several consumers at different depths."""
    steps = data.draw(st.lists(st.tuples(st.sampled_from(sorted(RANDOM_OPS)), st.integers(0, 99), st.integers(0, 99)),
                               min_size=1, max_size=25))  # fmt: skip

    def program(x: Tensor, y: Tensor) -> Tensor:
        values = [x, y]
        for name, i, j in steps:
            values.append(RANDOM_OPS[name](values[i % len(values)], values[j % len(values)]))
        return values[-1].sum() + 0.5 * values[len(values) // 2].sum()

    for check in check_gradients(program, np.array([0.3, -0.7]), np.array([[0.9], [-0.4]])):
        np.testing.assert_allclose(check.analytic, check.numerical, rtol=1e-6, atol=1e-7)


def test_zero_grad_starts_a_fresh_pass() -> None:
    x = leaf(2.0)
    y = x * x
    y.backward()
    x.zero_grad()
    assert x.grad is None
    y.backward()
    assert x.grad == pytest.approx(4.0)


def test_constant_inputs_get_no_gradient() -> None:
    x = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# ---------------------------------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3, 1), (4,)), ((), (2, 3)), ((1, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((4,), (4,))],
)
def test_broadcast_gradients_have_the_input_shape(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    a, b = leaf(np.ones(shape_a)), leaf(np.ones(shape_b))
    out = a + 2.0 * b
    out.sum().backward()
    copies_of_a = out.size // a.size
    copies_of_b = out.size // b.size
    for tensor in (a, b):
        assert isinstance(tensor.grad, np.ndarray)
        assert tensor.grad.shape == tensor.shape
    np.testing.assert_array_equal(a.grad, np.full(shape_a, copies_of_a))
    np.testing.assert_array_equal(b.grad, np.full(shape_b, 2.0 * copies_of_b))


def test_every_gradient_has_its_tensors_shape() -> None:
    x = leaf(np.arange(6.0).reshape(2, 3))
    w = leaf(np.ones((3, 4)))
    b = leaf(np.zeros(4))
    hidden = F.tanh(x @ w + b)
    loss = F.mean(hidden * hidden)
    loss.backward()
    for node in topological_order(loss):
        assert node.grad is not None
        assert node.grad.shape == node.shape


def test_backward_on_a_non_scalar_needs_a_gradient() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2.0
    with pytest.raises(ValueError, match="scalar"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(2))
    y.backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0, 200.0])


def test_backward_on_a_size_one_tensor_seeds_with_one() -> None:
    x = leaf([[1.5]])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[3.0]])


# ---------------------------------------------------------------------------------------- recording
def test_no_graph_is_recorded_without_requires_grad() -> None:
    a = Tensor([1.0, 2.0])
    b = Tensor([3.0, 4.0])
    results = [
        a * b + F.tanh(a),
        F.sum(a @ b),
        F.softmax(a).reshape(2, 1).T,
        F.mse_loss(a, b),
        2.0**a,
        a**2,
    ]
    for out in results:
        assert out.op is None
        assert out.inputs == ()
        assert not out.requires_grad


def test_graph_is_recorded_when_any_input_requires_grad() -> None:
    a = Tensor([1.0, 2.0])
    b = leaf([3.0, 4.0])
    out = a * b
    assert out.requires_grad
    assert out.op is not None and out.op.name == "mul"
    assert out.inputs[0] is a and out.inputs[1] is b


def test_plain_numbers_work_on_either_side() -> None:
    x = leaf(2.0)
    y = (1.0 + x) * (5.0 - x) / (4.0 / x) - (-x) + 2.0**x + x**3
    y.backward()
    # y = (1 + x)(5 − x)·x/4 + x + 2ˣ + x³
    value = (1 + 2) * (5 - 2) * 2 / 4 + 2 + 2**2 + 2**3
    slope = ((5 - 2) * 2 - (1 + 2) * 2 + (1 + 2) * (5 - 2)) / 4 + 1 + math.log(2) * 2**2 + 3 * 2**2
    assert y.item() == pytest.approx(value, rel=1e-14)
    assert x.grad == pytest.approx(slope, rel=1e-14)


def test_number_operands_cannot_be_changed_through_the_graph() -> None:
    x = leaf([1.0, 2.0])
    constant = (x * 2.0).inputs[1]
    assert constant.op is None and not constant.requires_grad
    with pytest.raises(ValueError, match="read-only"):
        constant.data[...] = 5.0
    np.testing.assert_array_equal((x * 2.0).data, [2.0, 4.0])
    np.testing.assert_array_equal((3 + x).data, [4.0, 5.0])


def test_number_operands_keep_the_sign_of_zero_and_nan() -> None:
    x = leaf([1.0, 2.0])
    assert np.signbit((x * -0.0).data).all()
    assert not np.signbit((x * 0.0).data).any()
    assert np.isnan((x + float("nan")).data).all()


def test_detach_cuts_the_graph() -> None:
    x = leaf(3.0)
    y = x * x
    d = y.detach()
    assert d.op is None and not d.requires_grad
    (d * x).backward()
    assert x.grad == pytest.approx(9.0)


# ---------------------------------------------------------------------------------------- depth
def test_deep_chain_needs_no_recursion() -> None:
    depth = 100_000
    x = leaf(0.0)
    y = x
    for _ in range(depth):
        y = y + 1.0
    y.backward()
    assert y.item() == pytest.approx(depth)
    assert x.grad == pytest.approx(1.0)
    order = topological_order(y)
    assert len(order) == depth + 1
    assert order[0] is x and order[-1] is y


def test_long_mixed_chain_multiplies_its_local_slopes() -> None:
    x = leaf(0.5)
    y = x
    slope = 1.0
    value = 0.5
    for _ in range(500):
        y = F.tanh(y * 1.2 + 0.1)
        value = math.tanh(value * 1.2 + 0.1)
        slope *= (1 - value * value) * 1.2
    y.backward()
    assert y.item() == pytest.approx(value, rel=1e-12)
    assert x.grad == pytest.approx(slope, rel=1e-9)
