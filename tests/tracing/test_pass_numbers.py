"""The numbers of one pass against the engine's own pieces: the update is SGD's, the health fractions are means."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.tensor import Tensor
from app.nn.mlp import MLP
from app.nn.optim import SGD
from app.tracing.contract import trace_numbers
from app.tracing.passes import health_numbers, run_pass


def _network(seed: int, activation: str) -> tuple[MLP, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mlp = MLP.create([3, 4, 2], activation=activation, seed=seed)
    return mlp, rng.normal(size=(5, 3)) * 3, rng.normal(size=(5, 2))


@pytest.mark.parametrize("learning_rate", [0.0, 0.1, 3.7, 1e308])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_the_update_is_what_sgd_makes_to_the_last_bit(activation, learning_rate):
    mlp, x, y = _network(7, activation)
    numbers = trace_numbers(mlp, x, y, "mse", learning_rate)
    copies = [Tensor(p.data.copy(), requires_grad=True) for p in mlp.parameters()]
    for copy, param in zip(copies, mlp.parameters(), strict=True):
        copy.grad = param.grad
    with np.errstate(all="ignore"):
        SGD(copies, learning_rate).step()
    stepped = [copy.data for copy in copies]
    sent = [array for pair in zip(numbers["updated_W"][1:], numbers["updated_b"][1:], strict=True) for array in pair]
    for ours, sgds in zip(sent, stepped, strict=True):
        np.testing.assert_array_equal(ours, sgds)
    assert not np.array_equal(numbers["W"][1], numbers["updated_W"][1]) or learning_rate == 0.0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu"])
def test_health_fractions_are_the_means_they_stand_for(activation):
    mlp, x, y = _network(3, activation)
    mlp.weights[0].data *= 4  # some units saturate or die
    with np.errstate(all="ignore"):
        run = run_pass(mlp, x, y, "mse", 0.1, 0)
    z, a = run.z(1), run.a(1)
    dead, saturated = health_numbers(run, 1)[:2]
    if activation in ("relu", "leaky_relu"):
        assert dead == (z <= 0).all(axis=0).mean()
        assert saturated == 0.0
    else:
        expected = (np.abs(a) > 0.97).mean() if activation == "tanh" else ((a > 0.97) | (a < 0.03)).mean()
        assert saturated == expected
        assert dead == 0.0
