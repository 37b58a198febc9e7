"""Every op against PyTorch (float64): the same values and the same gradients, to 1e-9 relative."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from app.engine import functions as F
from app.engine.ops import OPS
from app.engine.tensor import Tensor, topological_order

torch = pytest.importorskip("torch")
tf = torch.nn.functional

pytestmark = pytest.mark.torch

RTOL = 1e-9
ATOL = 1e-12


def normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def uniform(shape: tuple[int, ...], seed: int, low: float, high: float) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, shape)


def probabilities(shape: tuple[int, ...], seed: int) -> np.ndarray:
    e = np.exp(normal(shape, seed))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Reference:
    """``ours`` and ``theirs`` applied to the same ``inputs``; ``grad_of`` marks the inputs to differentiate."""

    op: str
    ours: Callable[..., Tensor]
    theirs: Callable[..., torch.Tensor]
    inputs: tuple[np.ndarray, ...]
    id: str
    grad_of: tuple[bool, ...] | None = None  # default: every input


def _sum_kwargs(axis: int | tuple[int, ...] | None, keepdims: bool, ndim: int) -> dict:
    dims = tuple(range(ndim)) if axis is None else axis
    return {"dim": dims, "keepdim": keepdims}


BROADCAST_PAIRS = [((), ()), ((4,), ()), ((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1))]


def arithmetic() -> list[Reference]:
    pairs = [
        ("add", F.add, torch.add), ("sub", F.sub, torch.sub), ("mul", F.mul, torch.mul), ("div", F.div, torch.div),
    ]  # fmt: skip
    cases = []
    for name, ours, theirs in pairs:
        for sa, sb in BROADCAST_PAIRS:
            b = uniform(sb, 2, 0.5, 2.0) if name == "div" else normal(sb, 2)
            cases.append(Reference(name, ours, theirs, (normal(sa, 1), b), f"{name}{sa}{sb}"))
    return cases


def powers() -> list[Reference]:
    base_at_zero = np.array([0.0, 0.0, 0.5, 2.0, 1.3])
    exponents = np.array([2.0, 1.0, 1.5, 0.5, -1.0])
    return [
        Reference("neg", F.neg, torch.neg, (normal((3, 4), 3),), "neg"),
        Reference("pow_const", lambda x: x**2, lambda x: x**2, (normal((3, 4), 4),), "square"),
        Reference("pow_const", lambda x: x**3, lambda x: x**3, (normal((3, 4), 4),), "cube"),
        Reference("pow_const", lambda x: x**0.5, lambda x: x**0.5, (uniform((4,), 4, 0.1, 3),), "root"),
        Reference("pow_const", lambda x: x**-1.5, lambda x: x**-1.5, (uniform((4,), 4, 0.1, 3),), "negative"),
        Reference("pow", F.power, torch.pow, (uniform((3, 4), 5, 0.1, 3), normal((4,), 6)), "pow-broadcast"),
        Reference("pow", F.power, torch.pow, (base_at_zero, exponents), "pow-zero-base"),
    ]


def unary() -> list[Reference]:
    x = normal((3, 4), 7)
    kinks = np.array([-1.5, -0.0, 0.0, 0.7, 2.0, -0.2])  # relu, abs and leaky_relu at exactly 0 as PyTorch
    positive = uniform((3, 4), 8, 0.1, 4.0)
    table = [
        ("exp", F.exp, torch.exp, x), ("log", F.log, torch.log, positive), ("sqrt", F.sqrt, torch.sqrt, positive),
        ("abs", F.abs, torch.abs, kinks), ("sin", F.sin, torch.sin, x), ("cos", F.cos, torch.cos, x),
        ("tan", F.tan, torch.tan, uniform((3, 4), 9, -1.4, 1.4)), ("identity", F.identity, lambda t: t * 1, x),
        ("tanh", F.tanh, torch.tanh, x * 3), ("sigmoid", F.sigmoid, torch.sigmoid, x * 3),
        ("sigmoid", F.sigmoid, torch.sigmoid, np.array([-800.0, -40.0, 0.0, 40.0, 800.0])),
        ("relu", F.relu, torch.relu, kinks), ("relu", F.relu, torch.relu, x),
        ("leaky_relu", F.leaky_relu, tf.leaky_relu, kinks), ("leaky_relu", F.leaky_relu, tf.leaky_relu, x),
    ]  # fmt: skip
    return [
        Reference(name, ours, theirs, (value,), f"{name}-{i}") for i, (name, ours, theirs, value) in enumerate(table)
    ]


def linear_algebra() -> list[Reference]:
    shapes = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
              ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((2, 3, 4), (4,))]  # fmt: skip
    cases = [
        Reference("matmul", F.matmul, torch.matmul, (normal(sa, 10), normal(sb, 11)), f"matmul{sa}{sb}")
        for sa, sb in shapes
    ]
    for batch, n_in, n_out in [(1, 2, 1), (5, 3, 4), (64, 20, 10)]:
        inputs = (normal((batch, n_in), 12), normal((n_out, n_in), 13), normal((n_out,), 14))
        cases.append(Reference("linear", F.linear, tf.linear, inputs, f"linear-{batch}x{n_in}->{n_out}"))
    return cases


def reductions_and_shapes() -> list[Reference]:
    cases = []
    for shape, axis, keep in [((3, 4), None, False), ((3, 4), 0, False), ((3, 4), 1, True),
                              ((2, 3, 4), (0, 2), False), ((2, 3, 4), -1, True), ((2, 3, 4), None, True)]:  # fmt: skip
        kwargs = _sum_kwargs(axis, keep, len(shape))
        for name, ours, theirs in [("sum", F.sum, torch.sum), ("mean", F.mean, torch.mean)]:
            cases.append(
                Reference(
                    name,
                    lambda x, ours=ours, a=axis, k=keep: ours(x, axis=a, keepdims=k),
                    lambda t, theirs=theirs, kw=kwargs: theirs(t, **kw),
                    (normal(shape, 15),),
                    f"{name}{shape}-{axis}-{keep}",
                )
            )
    x = (normal((2, 3, 4), 16),)
    cases += [
        Reference("reshape", lambda t: F.reshape(t, (4, 6)), lambda t: t.reshape(4, 6), x, "reshape"),
        Reference("reshape", lambda t: t.reshape(-1), lambda t: t.reshape(-1), x, "reshape-flat"),
        Reference("transpose", F.transpose, lambda t: t.permute(2, 1, 0), x, "transpose-reverse"),
        Reference("transpose", lambda t: F.transpose(t, (1, 2, 0)), lambda t: t.permute(1, 2, 0), x, "transpose-axes"),
    ]
    return cases


def softmaxes() -> list[Reference]:
    cases = []
    for shape, axis in [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]:
        x = (normal(shape, 17) * 3,)
        cases += [
            Reference("softmax", lambda t, a=axis: F.softmax(t, a), lambda t, a=axis: torch.softmax(t, a), x,
                      f"softmax{shape}-{axis}"),
            Reference("log_softmax", lambda t, a=axis: F.log_softmax(t, a), lambda t, a=axis: torch.log_softmax(t, a),
                      x, f"log_softmax{shape}-{axis}"),
        ]  # fmt: skip
    return cases


def losses() -> list[Reference]:
    clamped_p = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 1e-60])
    clamped_t = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 1.0])  # the last four hit log(0) or a tiny p(1 − p)
    indices = np.array([2, 0, 4, 1, 4])
    return [
        Reference("mse_loss", F.mse_loss, tf.mse_loss, (normal((4, 3), 18), normal((4, 3), 19)), "mse"),
        Reference("mse_loss", F.mse_loss, tf.mse_loss, (normal((7,), 18), normal((7,), 19)), "mse-1d"),
        Reference("binary_cross_entropy", F.binary_cross_entropy, tf.binary_cross_entropy,
                  (uniform((4, 3), 20, 0.01, 0.99), uniform((4, 3), 21, 0.0, 1.0)), "bce"),
        Reference("binary_cross_entropy", F.binary_cross_entropy, tf.binary_cross_entropy,
                  (clamped_p, clamped_t), "bce-clamped", grad_of=(True, False)),
        Reference("cross_entropy", F.cross_entropy, tf.cross_entropy,
                  (normal((5, 4), 22) * 3, probabilities((5, 4), 23)), "ce-probabilities"),
        Reference("cross_entropy", F.cross_entropy, tf.cross_entropy,
                  (normal((4,), 22), probabilities((4,), 23)), "ce-unbatched"),
        Reference("cross_entropy", F.cross_entropy, tf.cross_entropy,
                  (normal((3, 4), 22), uniform((3, 4), 23, 0.0, 1.0)), "ce-unnormalised-targets"),
        Reference("cross_entropy", lambda x: F.cross_entropy(x, indices),
                  lambda t: tf.cross_entropy(t, torch.from_numpy(indices)), (normal((5, 6), 24) * 3,), "ce-indices"),
    ]  # fmt: skip


REFERENCES = [*arithmetic(), *powers(), *unary(), *linear_algebra(), *reductions_and_shapes(), *softmaxes(), *losses()]


def test_every_op_is_compared_with_pytorch() -> None:
    assert {case.op for case in REFERENCES} == set(OPS)


@pytest.mark.parametrize("case", REFERENCES, ids=lambda case: case.id)
def test_values_and_gradients_match_pytorch(case: Reference) -> None:
    grad_of = case.grad_of or (True,) * len(case.inputs)
    ours_in = [Tensor(x.copy(), requires_grad=g) for x, g in zip(case.inputs, grad_of, strict=True)]
    theirs_in = [
        torch.tensor(x, dtype=torch.float64, requires_grad=g) for x, g in zip(case.inputs, grad_of, strict=True)
    ]
    ours_out = case.ours(*ours_in)
    theirs_out = case.theirs(*theirs_in)
    assert case.op in {node.op.name for node in topological_order(ours_out) if node.op is not None}

    assert ours_out.shape == tuple(theirs_out.shape)
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=RTOL, atol=ATOL)

    upstream = normal(ours_out.shape, 99)  # a random upstream gradient exercises every output element
    ours_out.backward(upstream)
    theirs_out.backward(torch.from_numpy(upstream))
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        if not reference.requires_grad:
            assert mine.grad is None
            continue
        assert mine.grad is not None and mine.grad.shape == mine.shape
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_binary_cross_entropy_of_certain_wrong_answers_is_clamped_at_100() -> None:
    """p = 1 for a target 0 would be −ln 0 = ∞; PyTorch clamps each log at −100, and so do we."""
    loss = F.binary_cross_entropy(Tensor([1.0, 0.0]), Tensor([0.0, 1.0]))
    as_torch = {"dtype": torch.float64}
    reference = tf.binary_cross_entropy(torch.tensor([1.0, 0.0], **as_torch), torch.tensor([0.0, 1.0], **as_torch))
    assert loss.item() == 100.0
    assert reference.item() == 100.0
