"""Every op's vector-Jacobian product against central finite differences, and each local derivative.

The expected gradients come from the forward pass alone (∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h), so
a wrong vjp cannot agree with them by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from app.engine import check_gradients
from app.engine import functions as F
from app.engine.ops import OPS, Op, unbroadcast
from app.engine.tensor import Tensor, topological_order

RTOL = 1e-6
ATOL = 1e-8
BROADCAST_PAIRS = [
    ((), ()),
    ((4,), ()),
    ((), (4,)),
    ((4,), (4,)),
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 4), (1, 4)),
    ((3, 1), (1, 4)),
    ((3, 4), (3, 1)),
    ((1, 4), (3, 1)),
    ((2, 3, 4), (3, 1)),
]


def normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def positive(shape: tuple[int, ...], seed: int, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, shape)


def away_from_zero(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """|x| in (0.2, 2) with random signs: kinks at 0 (relu, abs) are never within a finite-difference step."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def probabilities(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Rows that are probability distributions along the last axis."""
    e = np.exp(normal(shape, seed))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Case:
    """One gradient check: ``fn`` applied to ``inputs`` must use the op under test."""

    op: str
    fn: Callable[..., Tensor]
    inputs: tuple[np.ndarray, ...]
    id: str


def binary_cases(op: str, fn: Callable[..., Tensor], make_b: Callable = normal) -> list[Case]:
    return [
        Case(op, fn, (normal(sa, 1), make_b(sb, 2)), f"{op}{sa}{sb}")
        for sa, sb in BROADCAST_PAIRS
    ]  # fmt: skip


def unary_cases(op: str, fn: Callable[..., Tensor], make_x: Callable = normal) -> list[Case]:
    return [Case(op, fn, (make_x(shape, 3),), f"{op}{shape}") for shape in [(), (4,), (3, 4), (2, 3, 4)]]


def reduction_cases(op: str, fn: Callable[..., Tensor]) -> list[Case]:
    settings = [((3, 4), None, False), ((3, 4), 0, False), ((3, 4), 1, True), ((2, 3, 4), (0, 2), False),
                ((2, 3, 4), -1, True), ((4,), 0, False), ((), None, False)]  # fmt: skip
    return [
        Case(op, lambda x, a=axis, k=keep: fn(x, axis=a, keepdims=k), (normal(shape, 4),), f"{op}{shape}-{axis}-{keep}")
        for shape, axis, keep in settings
    ]


def matmul_cases() -> list[Case]:
    shapes = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
              ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((2, 3, 4), (4,))]  # fmt: skip
    return [Case("matmul", lambda a, b: a @ b, (normal(sa, 5), normal(sb, 6)), f"matmul{sa}{sb}") for sa, sb in shapes]


def softmax_cases(op: str, fn: Callable[..., Tensor]) -> list[Case]:
    settings = [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]
    return [
        Case(op, lambda x, a=axis: fn(x, axis=a), (normal(shape, 7) * 2,), f"{op}{shape}-{axis}")
        for shape, axis in settings
    ]


def loss_cases() -> list[Case]:
    def class_indices(logits: Tensor) -> Tensor:
        return F.cross_entropy(logits, np.array([2, 0, 4, 1]))

    return [
        Case("mse_loss", F.mse_loss, (normal((5,), 8), normal((5,), 9)), "mse(5,)"),
        Case("mse_loss", F.mse_loss, (normal((4, 3), 8), normal((4, 3), 9)), "mse(4,3)"),
        Case("mse_loss", F.mse_loss, (normal((), 8), normal((), 9)), "mse()"),
        Case("binary_cross_entropy", F.binary_cross_entropy,
             (positive((6,), 10, 0.05, 0.95), np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.8])), "bce(6,)"),
        Case("binary_cross_entropy", F.binary_cross_entropy,
             (positive((4, 2), 10, 0.05, 0.95), positive((4, 2), 11, 0.0, 1.0)), "bce(4,2)"),
        Case("cross_entropy", F.cross_entropy, (normal((4, 5), 12), probabilities((4, 5), 13)), "ce-probabilities"),
        Case("cross_entropy", F.cross_entropy, (normal((5,), 12), probabilities((5,), 13)), "ce-1d"),
        Case("cross_entropy", F.cross_entropy, (normal((3, 4), 12), positive((3, 4), 13, 0.0, 1.0)), "ce-unnormalised"),
        Case("cross_entropy", class_indices, (normal((4, 5), 12),), "ce-class-indices"),
    ]  # fmt: skip


def exponent_cases() -> list[Case]:
    return [
        Case("pow_const", lambda x: x**2, (normal((3, 4), 14),), "square"),
        Case("pow_const", lambda x: x**3.0, (normal((4,), 14),), "cube-negative-base"),
        Case("pow_const", lambda x: x**0.5, (positive((4,), 14),), "root"),
        Case("pow_const", lambda x: x**-1.5, (positive((3, 4), 14),), "negative-exponent"),
        Case("pow_const", lambda x: x**0, (normal((4,), 14),), "zero-exponent"),
        Case("pow_const", lambda x: F.power(x, np.float64(1.7)), (positive((2, 3), 14),), "array-scalar-exponent"),
        Case("pow_const", lambda x: 2.0 * x**2 + 1.0 / x, (positive((), 14),), "in-an-expression"),
        *[Case("pow", F.power, (positive(sa, 15), normal(sb, 16)), f"pow{sa}{sb}") for sa, sb in BROADCAST_PAIRS],
        Case("pow", lambda a: F.power(a, np.array([0.5, 2.0, -1.0, 3.0])), (positive((3, 4), 15),), "array-exponent"),
    ]


def linear_cases() -> list[Case]:
    return [
        Case("linear", F.linear, (normal((5, 3), 17), normal((4, 3), 18), normal((4,), 19)), "linear(5,3)->4"),
        Case("linear", F.linear, (normal((1, 2), 17), normal((1, 2), 18), normal((1,), 19)), "linear(1,2)->1"),
    ]


@pytest.mark.parametrize("x", [np.ones(3), np.ones((2, 2, 3))], ids=["1-d", "3-d"])
def test_linear_takes_a_batch_of_rows_only(x: np.ndarray) -> None:
    weight, bias = Tensor(np.ones((4, 3)), requires_grad=True), Tensor(np.zeros(4), requires_grad=True)
    with pytest.raises(ValueError, match=r"\[batch, in\]"):
        F.linear(x, weight, bias)


def shape_cases() -> list[Case]:
    return [
        Case("reshape", lambda x: x.reshape(2, 6) * np.arange(12.0).reshape(2, 6), (normal((3, 4), 20),), "2x6"),
        Case("reshape", lambda x: F.reshape(x, (12,)), (normal((3, 4), 20),), "flat"),
        Case("reshape", lambda x: F.reshape(x, (4, 1, 3)), (normal((2, 6), 20),), "add-axis"),
        Case("transpose", lambda x: x.T, (normal((3, 4), 21),), "T"),
        Case("transpose", lambda x: F.transpose(x, (1, 0, 2)), (normal((2, 3, 4), 21),), "swap-first"),
        Case("transpose", lambda x: F.transpose(x, (2, 0, 1)), (normal((2, 3, 4), 21),), "rotate"),
    ]


GRADIENT_CASES: list[Case] = [
    *binary_cases("add", F.add),
    *binary_cases("sub", F.sub),
    *binary_cases("mul", F.mul),
    *binary_cases("div", F.div, make_b=away_from_zero),
    *unary_cases("neg", F.neg),
    *exponent_cases(),
    *unary_cases("exp", F.exp),
    *unary_cases("log", F.log, make_x=positive),
    *unary_cases("sqrt", F.sqrt, make_x=positive),
    *unary_cases("abs", F.abs, make_x=away_from_zero),
    *unary_cases("sin", F.sin),
    *unary_cases("cos", F.cos),
    *unary_cases("tan", F.tan, make_x=lambda shape, seed: positive(shape, seed, -1.2, 1.2)),
    *unary_cases("identity", F.identity),
    *unary_cases("tanh", F.tanh),
    *unary_cases("sigmoid", F.sigmoid),
    *unary_cases("relu", F.relu, make_x=away_from_zero),
    *unary_cases("leaky_relu", F.leaky_relu, make_x=away_from_zero),
    *matmul_cases(),
    *linear_cases(),
    *reduction_cases("sum", F.sum),
    *reduction_cases("mean", F.mean),
    *shape_cases(),
    *softmax_cases("softmax", F.softmax),
    *softmax_cases("log_softmax", F.log_softmax),
    *loss_cases(),
]


def test_every_op_has_a_gradient_check() -> None:
    """Adding an op to OPS without a gradient case here fails this test."""
    assert {case.op for case in GRADIENT_CASES} == set(OPS)


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda case: case.id)
def test_gradient_matches_central_differences(case: Case) -> None:
    leaves = [Tensor(x, requires_grad=True) for x in case.inputs]
    used = {node.op.name for node in topological_order(case.fn(*leaves)) if node.op is not None}
    assert case.op in used, f"case {case.id} does not exercise {case.op}"
    for check in check_gradients(case.fn, *case.inputs):
        assert check.analytic.shape == check.numerical.shape
        np.testing.assert_allclose(check.analytic, check.numerical, rtol=RTOL, atol=ATOL)


def test_gradient_check_catches_a_wrong_derivative() -> None:
    """The harness itself can fail: a vjp with a wrong sign does not pass."""

    class WrongSin(OPS["sin"]):
        @classmethod
        def vjp(cls, g: np.ndarray, node: Tensor) -> tuple[np.ndarray, ...]:
            return (-g * np.cos(node.inputs[0].data),)

    def wrong_sin(x: Tensor) -> Tensor:
        data, saved = WrongSin.forward(x.data)
        return Tensor._from_op(WrongSin, data, (x,), saved)

    (check,) = check_gradients(wrong_sin, normal((4,), 0))
    assert check.max_abs_error > 0.1


# ---------------------------------------------------------------------------------------- local derivatives
ELEMENTWISE = sorted(name for name, op in OPS.items() if op.elementwise)
DOMAIN: dict[str, Callable] = {
    "log": positive,
    "sqrt": positive,
    "abs": away_from_zero,
    "relu": away_from_zero,
    "leaky_relu": away_from_zero,
    "tan": lambda shape, seed: positive(shape, seed, -1.2, 1.2),
    "pow": positive,
}


def elementwise_node(name: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> Tensor:
    """A graph node of op ``name`` on random inputs within its domain (the second shape for binary ops)."""
    make = DOMAIN.get(name, normal)
    a = Tensor(make(shape_a, 30), requires_grad=True)
    if name == "pow_const":
        return a**3.0
    if name in ("add", "sub", "mul", "pow"):
        b = Tensor(normal(shape_b, 31), requires_grad=True)
        return getattr(F, "power" if name == "pow" else name)(a, b)
    if name == "div":
        return F.div(a, Tensor(away_from_zero(shape_b, 31), requires_grad=True))
    return getattr(F, name)(a)


def test_elementwise_ops_are_the_expected_family() -> None:
    expected = {"add", "sub", "mul", "div", "neg", "pow_const", "pow", "exp", "log", "sqrt", "abs", "sin", "cos",
                "tan", "identity", "tanh", "sigmoid", "relu", "leaky_relu"}  # fmt: skip
    assert set(ELEMENTWISE) == expected


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize(("shape_a", "shape_b"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))])
def test_vjp_is_upstream_times_local(name: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    node = elementwise_node(name, shape_a, shape_b)
    op: type[Op] = node.op
    upstream = normal(node.shape, 32)
    locals_ = op.local(node)
    contributions = op.vjp(upstream, node)
    assert len(locals_) == len(contributions) == len(node.inputs)
    for parent, local, contribution in zip(node.inputs, locals_, contributions, strict=True):
        assert local.shape == node.shape
        expected = unbroadcast(upstream * local, parent.shape)
        np.testing.assert_allclose(contribution, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_local_derivative_matches_central_differences(name: str) -> None:
    """Elementwise: output i depends on input i only, so nudging every input at once gives each ∂yᵢ/∂xᵢ."""
    node = elementwise_node(name, (3, 4), (3, 4))
    op = node.op
    params = node.params or {}
    arrays = [parent.data for parent in node.inputs]
    step = 1e-6
    for i, local in enumerate(op.local(node)):
        above = [a + step if j == i else a for j, a in enumerate(arrays)]
        below = [a - step if j == i else a for j, a in enumerate(arrays)]
        numerical = (op.forward(*above, **params)[0] - op.forward(*below, **params)[0]) / (2 * step)
        np.testing.assert_allclose(local, numerical, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["mse_loss", "binary_cross_entropy", "cross_entropy"])
def test_loss_vjp_is_upstream_times_local(name: str) -> None:
    prediction = positive((4, 3), 33, 0.05, 0.95) if name == "binary_cross_entropy" else normal((4, 3), 33)
    target = probabilities((4, 3), 34)
    node = getattr(F, name)(Tensor(prediction, requires_grad=True), Tensor(target, requires_grad=True))
    upstream = np.asarray(1.7)
    for local, contribution in zip(node.op.local(node), node.op.vjp(upstream, node), strict=True):
        np.testing.assert_allclose(contribution, 1.7 * local, rtol=1e-13)


def test_binary_cross_entropy_skips_the_derivative_nobody_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A training step's targets need no gradient: its vjp must not compute ∂L/∂t (half the loss's backward)."""
    prediction = positive((10, 1), 35, 0.05, 0.95)
    target = positive((10, 1), 36, 0.0, 1.0)
    node = F.binary_cross_entropy(Tensor(prediction, requires_grad=True), Tensor(target))
    expected = node.op.local(node)[0]

    def unwanted(node: Tensor) -> np.ndarray:
        raise AssertionError("∂L/∂t computed for a target without gradient")

    monkeypatch.setattr(node.op, "d_target", staticmethod(unwanted))
    grad_prediction, grad_target = node.op.vjp(np.asarray(1.0), node)
    assert grad_target is None
    np.testing.assert_array_equal(grad_prediction, expected)


def test_binary_cross_entropy_is_the_mean_of_its_terms_bit_for_bit() -> None:
    """The loss as PyTorch defines it, −mean(t ln p + (1 − t) ln(1 − p)) with logs clamped at −100, exactly."""
    prediction = np.concatenate([positive((12,), 37, 0.0, 1.0), [0.0, 1.0]])
    target = np.concatenate([positive((12,), 38, 0.0, 1.0), [1.0, 0.0]])
    with np.errstate(divide="ignore"):
        log_p, log_1mp = np.maximum(np.log(prediction), -100.0), np.maximum(np.log1p(-prediction), -100.0)
    expected = -np.mean(target * log_p + (1.0 - target) * log_1mp)
    assert F.binary_cross_entropy(prediction, target).item() == expected


def test_unbroadcast_sums_over_copies() -> None:
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(grad, (3, 4)), grad[0] + grad[1])
    np.testing.assert_array_equal(unbroadcast(grad, (3, 1)), (grad[0] + grad[1]).sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(unbroadcast(grad, ()), np.asarray(276.0))
    assert unbroadcast(grad, (2, 3, 4)) is grad
