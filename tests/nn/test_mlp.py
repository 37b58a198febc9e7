"""The MLP builder: validation, names, inference without a graph, and training steps against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import check_gradients
from app.engine.tensor import Tensor
from app.nn.mlp import MLP

ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
LEARNING_RATE = 0.1


def batch(n: int, features: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, features))


# ---------------------------------------------------------------------------------------- building
def test_shapes_follow_torch_linear_layout() -> None:
    mlp = MLP.create([3, 5, 2], seed=0)
    assert [w.shape for w in mlp.weights] == [(5, 3), (2, 5)]
    assert [b.shape for b in mlp.biases] == [(5,), (2,)]
    assert mlp.depth == 2
    assert mlp.parameter_count() == 5 * 3 + 5 + 2 * 5 + 2
    assert [p.name for p in mlp.parameters()] == ["W1", "b1", "W2", "b2"]
    assert all(p.requires_grad for p in mlp.parameters())


def test_activations_per_layer() -> None:
    mlp = MLP.create([2, 3, 3, 1], activation=["relu", "tanh"], output_activation="sigmoid")
    assert mlp.activations == ["relu", "tanh", "sigmoid"]


def test_same_seed_same_network_other_seed_other_network() -> None:
    first, again, other = MLP.create([4, 6, 2], seed=7), MLP.create([4, 6, 2], seed=7), MLP.create([4, 6, 2], seed=8)
    for a, b in zip(first.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(first.weights[0].data, other.weights[0].data)


def test_initial_weights_respect_their_scheme() -> None:
    fan_in, fan_out = 300, 200
    xavier = MLP.create([fan_in, fan_out], output_activation="tanh", init="xavier").weights[0].data
    assert np.abs(xavier).max() <= np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(xavier).max() > 0.95 * np.sqrt(6 / (fan_in + fan_out))
    torch_like = MLP.create([fan_in, fan_out], init="torch").weights[0].data
    assert np.abs(torch_like).max() <= 1 / np.sqrt(fan_in)
    he = MLP.create([fan_in, fan_out], output_activation="relu", init="he").weights[0].data
    assert he.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.03)
    auto_relu = MLP.create([fan_in, fan_out, 1], activation="relu").weights[0].data
    assert auto_relu.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.03)  # "auto" picks He for ReLU


def test_given_weights_and_biases_are_copied() -> None:
    weights = [np.arange(6.0).reshape(3, 2), np.ones((1, 3))]
    biases = [np.zeros(3), np.array([0.5])]
    mlp = MLP.create([2, 3, 1], weights=weights, biases=biases)
    weights[0][0, 0] = 99.0
    np.testing.assert_array_equal(mlp.weights[0].data, np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(mlp.biases[1].data, [0.5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": [3]}, "at least"),
        ({"sizes": [3, 0, 1]}, "at least"),
        ({"sizes": [2, 3, 1], "activation": "swish"}, "unknown activation"),
        ({"sizes": [2, 3, 1], "output_activation": "softplus"}, "unknown activation"),
        ({"sizes": [2, 3, 3, 1], "activation": ["tanh"]}, "hidden activations"),
        ({"sizes": [2, 3, 1], "init": "orthogonal"}, "unknown init"),
        ({"sizes": [2, 3, 1], "weights": [np.zeros((2, 3)), np.zeros((1, 3))]}, r"\[out\]\[in\]"),
        ({"sizes": [2, 3, 1], "biases": [np.zeros(3), np.zeros(2)]}, "biases"),
        ({"sizes": [2, 3, 1], "weights": [np.zeros((3, 2)), np.zeros((1, 3)), np.zeros((1, 1))]}, "weight matrices"),
    ],
)
def test_invalid_networks_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MLP.create(**kwargs)


def test_forward_rejects_inputs_of_the_wrong_shape() -> None:
    mlp = MLP.create([3, 2])
    with pytest.raises(ValueError, match=r"\[batch, 3\]"):
        mlp.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\[batch, 3\]"):
        mlp.forward(np.zeros(3))


def test_unknown_loss_is_rejected() -> None:
    mlp = MLP.create([2, 1])
    with pytest.raises(ValueError, match="unknown loss"):
        mlp.loss(mlp(np.zeros((1, 2))), np.zeros((1, 1)), "hinge")


# ---------------------------------------------------------------------------------------- forward
def test_forward_names_every_layer_and_matches_the_formula() -> None:
    mlp = MLP.create([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    x = batch(4, 2)
    run = mlp.forward(x)
    assert [a.name for a in run.activations] == ["a0", "a1", "a2"]
    assert [z.name if z is not None else None for z in run.pre_activations] == [None, "z1", "z2"]
    w1, b1, w2, b2 = (p.data for p in mlp.parameters())
    hidden = np.tanh(x @ w1.T + b1)
    expected = 1 / (1 + np.exp(-(hidden @ w2.T + b2)))
    np.testing.assert_allclose(run.output.data, expected, rtol=1e-14)
    assert not run.activations[0].requires_grad  # the input is data, not a parameter


def test_predict_gives_the_same_numbers_without_a_graph() -> None:
    mlp = MLP.create([3, 4, 4, 2], activation=["relu", "leaky_relu"], output_activation="tanh", seed=4)
    x = batch(5, 3)
    run = mlp.forward(x)
    layers = mlp.predict_layers(x)
    assert len(layers) == len(run.activations)
    for predicted, recorded in zip(layers, run.activations, strict=True):
        np.testing.assert_array_equal(predicted, recorded.data)
    np.testing.assert_array_equal(mlp.predict(x), run.output.data)


def test_input_gradient_only_on_request() -> None:
    mlp = MLP.create([2, 3, 1], seed=5)
    x = batch(2, 2)
    without = mlp.forward(x)
    mlp.loss(without.output, np.zeros((2, 1)), "mse").backward()
    assert without.activations[0].grad is None
    with_grad = mlp.forward(x, input_requires_grad=True)
    mlp.loss(with_grad.output, np.zeros((2, 1)), "mse").backward()
    assert with_grad.activations[0].grad.shape == (2, 2)


def test_copy_is_independent() -> None:
    mlp = MLP.create([2, 2, 1], seed=6)
    twin = mlp.copy()
    twin.weights[0].data += 1.0
    assert not np.array_equal(mlp.weights[0].data, twin.weights[0].data)
    assert [p.name for p in twin.parameters()] == [p.name for p in mlp.parameters()]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_parameter_gradients_match_central_differences(activation: str) -> None:
    template = MLP.create([3, 4, 2], activation=activation, seed=9)
    x = batch(5, 3)
    x = np.where(np.abs(x) < 0.05, 0.5, x)  # keep relu kinks out of reach of the finite-difference step
    targets = batch(5, 2, seed=2)

    def loss_of(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
        mlp = MLP(sizes=template.sizes, activations=template.activations, weights=[w1, w2], biases=[b1, b2])
        return mlp.loss(mlp(x), targets, "mse")

    for check in check_gradients(loss_of, *(p.data for p in template.parameters())):
        np.testing.assert_allclose(check.analytic, check.numerical, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------- against PyTorch
SIZES = [(2, 3, 2), (3, 5, 4, 2), (4, 8, 8, 8, 3), (1, 2)]
LOSSES = ["mse", "bce", "cross_entropy"]


def torch_twin(mlp: MLP) -> object:
    torch = pytest.importorskip("torch")
    modules = {
        "identity": torch.nn.Identity,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "relu": torch.nn.ReLU,
        "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
    }
    layers = []
    for w, b, activation in zip(mlp.weights, mlp.biases, mlp.activations, strict=True):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.data))  # [out][in] on both sides
            linear.bias.copy_(torch.from_numpy(b.data))
        layers += [linear, modules[activation]()]
    return torch.nn.Sequential(*layers)


def problem(sizes: tuple[int, ...], loss: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((6, sizes[0]))
    if loss == "mse":
        return x, rng.standard_normal((6, sizes[-1]))
    if loss == "bce":
        return x, rng.integers(0, 2, (6, sizes[-1])).astype(np.float64)
    return x, rng.integers(0, sizes[-1], 6)  # class indices


@pytest.mark.torch
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
def test_training_step_matches_pytorch(sizes: tuple[int, ...], activation: str, loss: str) -> None:
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    output = {"mse": "identity", "bce": "sigmoid", "cross_entropy": "identity"}[loss]
    mlp = MLP.create(sizes, activation=activation, output_activation=output, seed=sum(sizes))
    twin = torch_twin(mlp)
    x, targets = problem(sizes, loss, seed=len(sizes))
    torch_loss = {
        "mse": lambda out: tf.mse_loss(out, torch.from_numpy(targets)),
        "bce": lambda out: tf.binary_cross_entropy(out, torch.from_numpy(targets)),
        "cross_entropy": lambda out: tf.cross_entropy(out, torch.from_numpy(targets)),
    }[loss]

    ours = mlp.loss(mlp(x), targets, loss)
    ours.backward()
    theirs = torch_loss(twin(torch.from_numpy(x)))
    theirs.backward()
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-9)

    torch_params = [p for layer in twin if isinstance(layer, torch.nn.Linear) for p in (layer.weight, layer.bias)]
    for mine, reference in zip(mlp.parameters(), torch_params, strict=True):
        assert mine.grad.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-13)

    for p in mlp.parameters():  # one SGD step on each side: p ← p − η ∂L/∂p
        p.data = p.data - LEARNING_RATE * p.grad
    with torch.no_grad():
        for p in torch_params:
            p -= LEARNING_RATE * p.grad
    for mine, reference in zip(mlp.parameters(), torch_params, strict=True):
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-9, atol=1e-13)
    after = mlp.loss(mlp(x), targets, loss).item()
    assert after == pytest.approx(torch_loss(twin(torch.from_numpy(x))).item(), rel=1e-9)


def test_the_parametrisation_covers_every_activation_and_loss() -> None:
    from app.engine.functions import ACTIVATIONS as ENGINE_ACTIVATIONS
    from app.engine.functions import LOSSES as ENGINE_LOSSES

    assert set(ACTIVATIONS) == set(ENGINE_ACTIVATIONS)
    assert set(LOSSES) == set(ENGINE_LOSSES)
