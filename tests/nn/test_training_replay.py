"""The trainer's replayed step (a recorded tape) against building the graph every step: the same numbers, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import functions as F
from app.engine.tape import Tape, TapeError
from app.engine.tensor import Tensor
from app.nn.datasets import make_dataset
from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.nn.training import Trainer, TrainingConfig

STEPS = 45


def _trainers(
    sizes: list[int],
    activation: str = "tanh",
    output: str = "sigmoid",
    dataset: str = "circle",
    n: int = 120,
    features: FeatureMap | None = None,
    **config: object,
) -> tuple[Trainer, Trainer]:
    """Two identical runs: one replays the recorded step, the other builds the graph every step."""
    data = make_dataset(dataset, n, 0.1, 3)
    train, test = data.split(0.25, 3)
    runs = []
    for replay in (True, False):
        mlp = MLP.create(sizes, activation=activation, output_activation=output, seed=5)
        settings = {"loss": "mse", "batch_size": 10, "steps": STEPS, "record_every": 4, "seed": 2, **config}
        trainer = Trainer(mlp, train, test, TrainingConfig(**settings), features=features)  # type: ignore[arg-type]
        trainer.replay = replay
        runs.append(trainer)
    return runs[0], runs[1]


def _assert_same_runs(replayed: Trainer, built: Trainer) -> None:
    """Step by step: the same gradients, then the same parameters and records, bit for bit."""
    for _ in range(STEPS):
        replayed.run(1)
        built.run(1)
        for a, b in zip(replayed.mlp.parameters(), built.mlp.parameters(), strict=True):
            np.testing.assert_array_equal(a.grad, b.grad)
            np.testing.assert_array_equal(a.data, b.data)
    assert replayed.history == built.history
    assert replayed.step == built.step and replayed.diverged == built.diverged


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "identity"])
def test_every_activation(activation: str) -> None:
    replayed, built = _trainers([2, 5, 3, 1], activation=activation)
    _assert_same_runs(replayed, built)
    assert replayed._tape is not None and built._tape is None


@pytest.mark.parametrize(
    ("loss", "output", "sizes", "dataset"),
    [
        ("mse", "identity", [1, 6, 1], "sine"),
        ("bce", "sigmoid", [2, 4, 1], "xor"),
        ("cross_entropy", "identity", [2, 4, 2], "circle"),  # a binary set one-hot for two outputs
        ("cross_entropy", "identity", [2, 6, 3], "spiral3"),
    ],
)
def test_every_loss(loss: str, output: str, sizes: list[int], dataset: str) -> None:
    replayed, built = _trainers(sizes, output=output, dataset=dataset, loss=loss)
    _assert_same_runs(replayed, built)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(("regularization", "rate"), [("none", 0.0), ("l1", 0.01), ("l2", 0.03)])
def test_every_optimizer_and_regularization(optimizer: str, regularization: str, rate: float) -> None:
    replayed, built = _trainers(
        [2, 4, 2, 1], optimizer=optimizer, regularization=regularization, regularization_rate=rate, learning_rate=0.05
    )
    _assert_same_runs(replayed, built)


def test_input_features() -> None:
    features = FeatureMap.parse(["x1", "x2", "x1^2", "x1*x2", "sin(x2)"])
    replayed, built = _trainers([5, 3, 1], features=features)
    _assert_same_runs(replayed, built)


@pytest.mark.parametrize("batch_size", [1, 7, 90, 500])  # 7 leaves a partial batch out of each epoch; ≥ n: all
def test_batch_sizes(batch_size: int) -> None:
    replayed, built = _trainers([2, 3, 1], batch_size=batch_size)
    _assert_same_runs(replayed, built)


def test_divergence_stops_both_runs_at_the_same_step() -> None:
    replayed, built = _trainers([1, 8, 8, 1], activation="relu", output="identity", dataset="sine", learning_rate=50.0)
    _assert_same_runs(replayed, built)
    assert replayed.diverged and replayed.step < STEPS


def test_the_batches_are_the_shuffled_set_in_order() -> None:
    """Each epoch walks a fresh permutation of the training set, batch by batch, as one gather per batch would."""
    replayed, _ = _trainers([2, 3, 1], batch_size=7)
    data, size = replayed.train_set, 7
    rng = np.random.default_rng(replayed.config.seed)
    order = rng.permutation(len(data))
    for start in range(0, 3 * (len(data) // size) * size, size):
        start %= (len(data) // size) * size
        if start == 0 and replayed._cursor:
            order = rng.permutation(len(data))
        inputs, targets = replayed._batch()
        index = order[start : start + size]
        np.testing.assert_array_equal(inputs, data.inputs[index])
        np.testing.assert_array_equal(targets, replayed.train_targets[index])


# ---------------------------------------------------------------------------------------- the tape on its own
def test_tape_replays_a_graph_of_many_ops_like_building_it_again() -> None:
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    c = Tensor(rng.normal(size=3), requires_grad=True)

    def build(x: Tensor, y: Tensor) -> Tensor:
        h = F.sin(F.matmul(x, w)) * F.exp(-x.sum(axis=1, keepdims=True)) + F.relu(x @ w) ** 2
        z = F.reshape(F.transpose(h), (-1,)).mean() + F.softmax(x @ w, axis=1).sum() / F.sqrt(F.abs(c) + 1.0).sum()
        return z + F.mse_loss(F.tanh(x @ w), y) + F.log_softmax(x, axis=0).sum() * 0.1 + (x * c).sum()

    x0, y0 = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    tape = Tape.record(build, x0, y0)
    for _ in range(3):
        x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
        assert tape.fits(x, y)
        w.grad = c.grad = None
        value = tape.forward(x, y).item()
        tape.backward()
        replayed = (w.grad.copy(), c.grad.copy())
        w.grad = c.grad = None
        root = build(Tensor(x), Tensor(y))
        root.backward()
        assert value == root.item()
        np.testing.assert_array_equal(replayed[0], w.grad)
        np.testing.assert_array_equal(replayed[1], c.grad)


def test_tape_refuses_an_input_computed_outside_the_ops_and_other_shapes() -> None:
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(TapeError):
        Tape.record(lambda x: (Tensor(x.data * 2) @ w).sum(), np.ones((3, 2)))
    tape = Tape.record(lambda x: (x @ w).sum(), np.ones((3, 2)))
    assert not tape.fits(np.ones((4, 2)))
    assert not tape.fits(np.ones((3, 2), dtype=np.float32))
