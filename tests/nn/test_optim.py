"""Optimizers: hand-computed single steps, bookkeeping, and step-by-step agreement with torch.optim."""

import numpy as np
import pytest

from app.engine import functions as F
from app.engine.tensor import Tensor
from app.nn.optim import (
    OPTIMIZERS,
    SGD,
    Adam,
    Momentum,
    make_optimizer,
    regularization_grad,
    regularization_penalty,
)


def _param(value, grad=None):
    p = Tensor(np.array(value, dtype=np.float64), requires_grad=True)
    p.grad = None if grad is None else np.array(grad, dtype=np.float64)
    return p


# ------------------------------------------------------------------------------ one parameter, by hand
def test_sgd_step_by_hand():
    p = _param([1.0], grad=[0.5])
    SGD([p], lr=0.1).step()
    assert p.data[0] == pytest.approx(1.0 - 0.1 * 0.5, rel=1e-15)


def test_sgd_weight_decay_by_hand():
    p = _param([1.0], grad=[0.5])
    SGD([p], lr=0.1, weight_decay=0.2).step()
    assert p.data[0] == pytest.approx(1.0 - 0.1 * (0.5 + 0.2 * 1.0), rel=1e-15)  # 0.93


def test_momentum_two_steps_by_hand():
    p = _param([1.0], grad=[1.0])
    opt = Momentum([p], lr=0.1, momentum=0.9)
    opt.step()  # v = g = 1                → p = 1 − 0.1 = 0.9
    assert p.data[0] == pytest.approx(0.9, rel=1e-15)
    opt.step()  # v = 0.9 · 1 + 1 = 1.9    → p = 0.9 − 0.19 = 0.71
    assert p.data[0] == pytest.approx(0.71, rel=1e-15)


def test_momentum_default_and_weight_decay_by_hand():
    p = _param([2.0], grad=[1.0])
    opt = Momentum([p], lr=0.1, weight_decay=0.5)
    assert opt.momentum == 0.9
    opt.step()  # v = 1 + 0.5 · 2 = 2            → p = 2 − 0.2 = 1.8
    opt.step()  # v = 0.9 · 2 + (1 + 0.5 · 1.8) = 3.7 → p = 1.8 − 0.37 = 1.43
    assert p.data[0] == pytest.approx(1.43, rel=1e-14)


def test_adam_moves_by_lr_per_step_under_a_constant_gradient():
    # With g constant, m̂ = g and v̂ = g² at every t, so each step is η · g / (|g| + ε).
    p = _param([1.0], grad=[0.5])
    opt = Adam([p], lr=0.1)
    step = 0.1 * 0.5 / (0.5 + 1e-8)
    opt.step()
    assert p.data[0] == pytest.approx(1.0 - step, rel=1e-14)
    opt.step()
    assert p.data[0] == pytest.approx(1.0 - 2 * step, rel=1e-14)


def test_adam_first_two_steps_with_changing_gradient_by_hand():
    p = _param([0.0], grad=[1.0])
    opt = Adam([p], lr=0.01, betas=(0.5, 0.75), eps=0.0)
    opt.step()  # m̂ = 1, v̂ = 1 → p = −0.01
    assert p.data[0] == pytest.approx(-0.01, rel=1e-14)
    p.grad = np.array([3.0])
    opt.step()  # m = 0.5·0.5 + 0.5·3 = 1.75, m̂ = 1.75/0.75; v = 0.75·0.25 + 0.25·9 = 2.4375, v̂ = 2.4375/0.4375
    expected = -0.01 - 0.01 * (1.75 / 0.75) / np.sqrt(2.4375 / 0.4375)
    assert p.data[0] == pytest.approx(expected, rel=1e-14)


# ------------------------------------------------------------------------------ bookkeeping
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_step_updates_in_place_and_leaves_the_gradient_alone(name):
    p = _param([[1.0, -2.0], [0.5, 3.0]], grad=[[0.1, 0.2], [-0.3, 0.4]])
    data, grad = p.data, p.grad
    grad_before = grad.copy()
    make_optimizer(name, [p], lr=0.1, weight_decay=0.01).step()
    assert p.data is data  # other views of the parameter see the update
    assert not np.array_equal(p.data, [[1.0, -2.0], [0.5, 3.0]])
    assert p.grad is grad
    np.testing.assert_array_equal(grad, grad_before)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_parameters_without_a_gradient_are_skipped(name):
    used, unused = _param([1.0, 2.0], grad=[1.0, 1.0]), _param([5.0])
    opt = make_optimizer(name, [used, unused], lr=0.1, weight_decay=0.1)
    opt.step()
    assert unused.data.tolist() == [5.0]
    assert used.data.tolist() != [1.0, 2.0]


def test_skipped_steps_do_not_advance_adam_bias_correction():
    late, early = _param([1.0]), _param([1.0], grad=[0.5])
    opt = Adam([late, early], lr=0.1)
    opt.step()
    late.grad = np.array([0.5])
    opt.step()  # late's first update: bias correction for t = 1, a step of ≈ η
    assert late.data[0] == pytest.approx(0.9, rel=1e-7)


def test_zero_grad_clears_every_gradient():
    params = [_param([1.0], grad=[2.0]), _param([3.0], grad=[4.0])]
    SGD(params, lr=0.1).zero_grad()
    assert all(p.grad is None for p in params)


def test_lr_and_weight_decay_can_change_between_steps():
    p = _param([1.0], grad=[1.0])
    opt = SGD([p], lr=0.1)
    opt.lr, opt.weight_decay = 0.5, 0.2
    opt.step()
    assert p.data[0] == pytest.approx(1.0 - 0.5 * (1.0 + 0.2 * 1.0))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: SGD([], lr=0.1), "empty"),
        (lambda p: SGD([p, p], lr=0.1), "more than once"),
        (lambda p: SGD([p], lr=-0.1), "lr"),
        (lambda p: SGD([p], lr=float("nan")), "lr"),
        (lambda p: Adam([p], lr=0.1, weight_decay=-1.0), "weight_decay"),
        (lambda p: Momentum([p], lr=0.1, momentum=1.0), "momentum"),
        (lambda p: Adam([p], lr=0.1, betas=(0.9, 1.0)), "beta2"),
        (lambda p: make_optimizer("rmsprop", [p], lr=0.1), "sgd, momentum, adam"),
        (lambda p: make_optimizer("sgd", [p], lr=0.1, momentum=0.9), "no option momentum; its options: none"),
        (lambda p: make_optimizer("adam", [p], lr=0.1, beta=0.9), "its options: betas, eps"),
    ],
)
def test_bad_settings_are_rejected(build, message):
    with pytest.raises(ValueError, match=message):
        build(_param([1.0]))


def test_make_optimizer_passes_options_through():
    opt = make_optimizer("momentum", [_param([1.0])], lr=0.3, weight_decay=0.01, momentum=0.5)
    assert isinstance(opt, Momentum) and (opt.lr, opt.weight_decay, opt.momentum) == (0.3, 0.01, 0.5)


# ------------------------------------------------------------------------------ regularization
def test_penalties_by_hand():
    w = [np.array([1.0, -2.0]), Tensor(np.array([[0.0, 3.0]]))]
    assert regularization_penalty("l2", 0.1, w) == pytest.approx(0.1 / 2 * (1 + 4 + 0 + 9))
    assert regularization_penalty("l1", 0.1, w) == pytest.approx(0.1 * (1 + 2 + 0 + 3))
    assert regularization_penalty("none", 0.1, w) == 0.0


@pytest.mark.parametrize("kind", ["none", "l1", "l2"])
def test_regularization_grad_is_the_derivative_of_the_penalty(kind):
    w = np.random.default_rng(0).normal(size=(3, 4))
    rate, h = 0.3, 1e-6
    numerical = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[index] = h
        up, down = regularization_penalty(kind, rate, [w + step]), regularization_penalty(kind, rate, [w - step])
        numerical[index] = (up - down) / (2 * h)
    np.testing.assert_allclose(regularization_grad(kind, rate, w), numerical, rtol=1e-6, atol=1e-9)
    out = np.full_like(w, 7.0)
    assert regularization_grad(kind, rate, w, out=out) is out
    np.testing.assert_allclose(out, numerical, rtol=1e-6, atol=1e-9)


def test_l1_grad_is_zero_at_zero():
    np.testing.assert_array_equal(regularization_grad("l1", 0.5, np.array([-2.0, 0.0, 3.0])), [-0.5, 0.0, 0.5])


def test_unknown_regularization_is_rejected():
    with pytest.raises(ValueError, match="none, l1, l2"):
        regularization_grad("l3", 0.1, np.zeros(2))
    with pytest.raises(ValueError, match="none, l1, l2"):
        regularization_penalty("l3", 0.1, [np.zeros(2)])


def test_weight_decay_is_l2_regularization_added_to_the_gradient():
    grad = np.array([0.3, -0.2])
    decayed, regularized = _param([1.0, 2.0], grad=grad), _param([1.0, 2.0])
    regularized.grad = grad + regularization_grad("l2", 0.05, regularized.data)
    SGD([decayed], lr=0.1, weight_decay=0.05).step()
    SGD([regularized], lr=0.1).step()
    np.testing.assert_allclose(decayed.data, regularized.data, rtol=1e-15)


# ------------------------------------------------------------------------------ against torch.optim
STEPS = 30
CASES = [
    ("sgd", 0.01, {}),
    ("momentum", 0.01, {}),
    ("momentum", 0.01, {"momentum": 0.5}),
    ("adam", 0.05, {}),
    ("adam", 0.05, {"betas": (0.8, 0.99), "eps": 1e-6}),
]


def _torch_optimizer(torch, name, params, lr, weight_decay, options):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, momentum=options.get("momentum", 0.9))
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, **options)


@pytest.mark.torch
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize(("name", "lr", "options"), CASES)
def test_matches_torch_optim_step_by_step(name, lr, options, weight_decay):
    """loss = Σ (X W + c − Y)² + Σ e², minimised by both libraries from the same start.

    During steps 10–12 the loss leaves e out, so e has no gradient and both libraries skip it; this
    covers the update of all parameters at once and the update one by one.
    """
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    start = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=2)]

    ours = [Tensor(value.copy(), requires_grad=True) for value in start]
    theirs = [torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in start]
    optimizer = make_optimizer(name, ours, lr=lr, weight_decay=weight_decay, **options)
    reference = _torch_optimizer(torch, name, theirs, lr, weight_decay, options)
    x_t, y_t = torch.tensor(x), torch.tensor(y)

    for step in range(STEPS):
        uses_e = not 10 <= step <= 12
        optimizer.zero_grad()
        loss = F.sum((F.matmul(x, ours[0]) + ours[1] - y) ** 2)
        (loss + F.sum(ours[2] ** 2) if uses_e else loss).backward()
        optimizer.step()
        reference.zero_grad()
        loss_t = ((x_t @ theirs[0] + theirs[1] - y_t) ** 2).sum()
        (loss_t + (theirs[2] ** 2).sum() if uses_e else loss_t).backward()
        reference.step()
        assert (ours[2].grad is None) == (theirs[2].grad is None) == (not uses_e)
        for mine, expected in zip(ours, theirs, strict=True):
            expected = expected.detach().numpy()
            relative_error = np.abs(mine.data - expected).max() / np.abs(expected).max()
            assert relative_error <= 1e-9
    for mine, initial in zip(ours, start, strict=True):
        assert np.abs(mine.data - initial).max() > 0.05  # the comparison covered real movement


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_one_pass_over_all_parameters_equals_one_pass_each(name, weight_decay, monkeypatch):
    rng = np.random.default_rng(5)
    shapes = [(3, 2), (3,), (1, 3), (1,)]
    start = [rng.normal(size=shape) for shape in shapes]
    together, separately = ([_param(value.copy()) for value in start] for _ in range(2))
    optimizers = [make_optimizer(name, params, lr=0.1, weight_decay=weight_decay) for params in (together, separately)]
    monkeypatch.setattr(optimizers[1], "_can_step_together", lambda: False)
    for _ in range(5):
        grads = [rng.normal(size=shape) for shape in shapes]
        for params, optimizer in zip((together, separately), optimizers, strict=True):
            for p, g in zip(params, grads, strict=True):
                p.grad = g
            optimizer.step()
    for a, b in zip(together, separately, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(together[0].data, start[0])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_an_mlps_shared_storage_is_updated_like_each_parameter(name):
    from app.nn.mlp import MLP

    rng = np.random.default_rng(4)
    shared, separate = MLP.create([2, 3, 2], seed=1), MLP.create([2, 3, 2], seed=1)
    for p in separate.parameters():
        p.data = p.data.copy()  # no longer a slice of the network's one array
    opt_shared = make_optimizer(name, shared.parameters(), 0.1, weight_decay=0.01)
    opt_separate = make_optimizer(name, separate.parameters(), 0.1, weight_decay=0.01)
    assert opt_shared._storage is not None and opt_shared._in_storage()
    assert opt_separate._storage is None
    for _ in range(3):
        for a, b in zip(shared.parameters(), separate.parameters(), strict=True):
            a.grad = b.grad = rng.normal(size=a.data.shape)
        opt_shared.step()
        opt_separate.step()
        for a, b in zip(shared.parameters(), separate.parameters(), strict=True):
            np.testing.assert_array_equal(a.data, b.data)
    shared.weights[0].data = shared.weights[0].data.copy()  # replaced: the optimizer must update it, not the storage
    assert not opt_shared._in_storage()
    before = shared.weights[0].data.copy()
    shared.weights[0].grad = np.ones_like(before)
    opt_shared.step()
    assert not np.array_equal(shared.weights[0].data, before)
