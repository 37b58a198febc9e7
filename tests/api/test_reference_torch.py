"""POST /network/trace against PyTorch (float64) on random networks: loss, gradients and the SGD update."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.api.conftest import ok

torch = pytest.importorskip("torch")
functional = torch.nn.functional

pytestmark = pytest.mark.torch

RTOL = 1e-9
ATOL = 1e-12
ACTIVATIONS = {
    "identity": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "leaky_relu": lambda z: functional.leaky_relu(z, 0.01),
}
LOSSES = {  # loss → output activation it needs
    "mse": "tanh",
    "bce": "sigmoid",
    "cross_entropy": "identity",
}


def random_case(activation: str, loss: str, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    outputs = int(rng.integers(2, 4)) if loss == "cross_entropy" else int(rng.integers(1, 4))
    layers = [int(rng.integers(1, 5)), *rng.integers(1, 6, size=int(rng.integers(1, 3))).tolist(), outputs]
    batch = int(rng.integers(1, 5))
    weights = [rng.normal(0, 0.8, size=(n_out, n_in)).tolist() for n_in, n_out in itertools.pairwise(layers)]
    biases = [rng.normal(0, 0.5, size=n_out).tolist() for n_out in layers[1:]]
    inputs = rng.normal(0, 1, size=(batch, layers[0]))
    if loss == "cross_entropy":
        targets = np.eye(outputs)[rng.integers(0, outputs, size=batch)]
    elif loss == "bce":
        targets = rng.uniform(0, 1, size=(batch, outputs))
    else:
        targets = rng.normal(0, 1, size=(batch, outputs))
    return {
        "layers": layers,
        "activation": activation,
        "output_activation": LOSSES[loss],
        "loss": loss,
        "weights": weights,
        "biases": biases,
        "inputs": inputs.tolist(),
        "targets": targets.tolist(),
        "learning_rate": float(rng.uniform(0.01, 1.0)),
    }


def torch_pass(case: dict) -> tuple[float, list, list]:
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in case["weights"]]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in case["biases"]]
    a = torch.tensor(case["inputs"], dtype=torch.float64)
    names = [case["activation"]] * (len(weights) - 1) + [case["output_activation"]]
    for w, b, name in zip(weights, biases, names, strict=True):
        a = ACTIVATIONS[name](functional.linear(a, w, b))
    target = torch.tensor(case["targets"], dtype=torch.float64)
    if case["loss"] == "mse":
        loss = functional.mse_loss(a, target)
    elif case["loss"] == "bce":
        loss = functional.binary_cross_entropy(a, target)
    else:
        loss = functional.cross_entropy(a, target)
    loss.backward()
    return loss.item(), weights, biases


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.array(actual, dtype=np.float64), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trace_matches_torch(client, activation, loss, seed):
    case = random_case(
        activation, loss, seed=100 * seed + 10 * list(ACTIVATIONS).index(activation) + list(LOSSES).index(loss)
    )
    data = ok(client, "/network/trace", case)
    expected_loss, weights, biases = torch_pass(case)
    assert data["loss"] == pytest.approx(expected_loss, rel=RTOL, abs=ATOL)
    eta = case["learning_rate"]
    for param, w, b in zip(data["params"], weights, biases, strict=True):
        close(param["grad_weight"], w.grad.numpy())
        close(param["grad_bias"], b.grad.numpy())
        close(param["updated_weight"], (w - eta * w.grad).detach().numpy())
        close(param["updated_bias"], (b - eta * b.grad).detach().numpy())
