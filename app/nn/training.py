"""Training a network on a dataset: minibatch gradient descent, in chunks that can be resumed.

One step on a batch B of the training set:

    L = loss(network(x_B), y_B)                     the data loss, mean over the batch
    g = ∂L/∂p for every parameter p                 one backward pass
    g_W ← g_W + ∂R/∂W for every weight matrix W     the penalty R (l1 or l2) skips the biases
    p ← optimizer(p, g)

Batches walk through a shuffled copy of the training set and the order is reshuffled after each
pass (epoch), so every point is seen once per epoch. Every ``record_every`` steps, and before the
first and after the last, the loss and accuracy on the whole training and test sets are recorded.

A step whose loss is not finite ends the run with ``diverged`` set: the parameters are no longer
numbers worth updating. Overflow inside NumPy is expected then and is not a warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.functions import LOSSES
from app.engine.tape import Tape, TapeError
from app.engine.tensor import Tensor
from app.nn.datasets import Dataset
from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.nn.optim import Optimizer, RegularizationKind, make_optimizer, regularization_grad

DECISION_THRESHOLD = 0.5
"""A single output at or above this predicts class 1."""


@dataclass(frozen=True)
class TrainingConfig:
    loss: str
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    steps: int = 500
    record_every: int = 10
    regularization: RegularizationKind = "none"
    regularization_rate: float = 0.0
    seed: int = 0
    snapshot_every: int = 1  # keep the parameters at every k-th record (and at the last one)

    @property
    def record_count(self) -> int:
        """Records of a run that does not diverge: before the first step, every ``record_every``, after the last."""
        return 1 + self.steps // self.record_every + (1 if self.steps % self.record_every else 0)


@dataclass(frozen=True)
class Record:
    """Where a run stood after ``step`` steps, measured on the whole training and test sets."""

    step: int
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None


@dataclass(frozen=True)
class Snapshot:
    step: int
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def evaluate(
    mlp: MLP, data: Dataset, targets: np.ndarray, loss: str, inputs: np.ndarray | None = None
) -> tuple[float, float | None]:
    """The data loss and, for a classification set, the share of points classified right; ``inputs`` are
    the network's inputs for the points when they differ from the points (input features)."""
    prediction = mlp.predict(data.inputs if inputs is None else inputs)
    value = LOSSES[loss](Tensor(prediction), Tensor(targets)).item()
    if data.labels is None:
        return value, None
    if prediction.shape[1] == 1:
        predicted = (prediction[:, 0] >= DECISION_THRESHOLD).astype(np.int64)
    else:
        predicted = np.argmax(prediction, axis=1)
    return value, float(np.mean(predicted == data.labels))


def targets_for(data: Dataset, outputs: int) -> np.ndarray:
    """The dataset's targets laid out for a network with ``outputs`` output neurons.

    A binary set has one 0/1 column; a network with two outputs (softmax + cross-entropy) gets it
    one-hot instead. Other layouts are returned as they are; the caller checks their width.
    """
    if data.kind == "binary" and outputs == 2 and data.labels is not None:
        return np.eye(2)[data.labels]
    return data.targets


@dataclass
class Trainer:
    """A training run that advances in chunks: ``run(n)`` takes up to n more steps."""

    mlp: MLP
    train_set: Dataset
    test_set: Dataset | None
    config: TrainingConfig
    step: int = 0
    diverged: bool = False
    history: list[Record] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    features: FeatureMap | None = None  # the network sees φ(x) instead of the points x

    def __post_init__(self) -> None:
        outputs = self.mlp.sizes[-1]
        self.train_inputs = self._network_inputs(self.train_set)
        self.test_inputs = None if self.test_set is None else self._network_inputs(self.test_set)
        self.train_targets = targets_for(self.train_set, outputs)
        self.test_targets = None if self.test_set is None else targets_for(self.test_set, outputs)
        self.optimizer: Optimizer = make_optimizer(
            self.config.optimizer, self.mlp.parameters(), self.config.learning_rate
        )
        self._rng = np.random.default_rng(self.config.seed)
        self._shuffle()
        self._loss_fn = LOSSES[self.config.loss]
        self._tape: Tape | None = None  # the step's graph, recorded on the first step (see _batch_loss)
        self.replay = True  # False: build the graph on every step, as the tape's tests compare
        with np.errstate(all="ignore"):
            self._record()

    def _network_inputs(self, data: Dataset) -> np.ndarray:
        return data.inputs if self.features is None else self.features.transform(data.inputs)

    @property
    def finished(self) -> bool:
        return self.diverged or self.step >= self.config.steps

    @property
    def latest(self) -> Record:
        return self.history[-1]

    def run(self, max_steps: int | None = None, stop: Callable[[], bool] | None = None) -> list[Record]:
        """Take up to ``max_steps`` steps (all remaining by default), fewer once ``stop()`` holds; return the
        records they made."""
        recorded = len(self.history)
        end = self.config.steps if max_steps is None else min(self.config.steps, self.step + max_steps)
        every = self.config.record_every
        with np.errstate(all="ignore"):
            while self.step < end and not self.diverged and not (stop is not None and stop()):
                self.diverged = not self._take_step()
                self.step += 1
                if self.diverged or self.step % every == 0 or self.step == self.config.steps:
                    self._record()
        return self.history[recorded:]

    # ------------------------------------------------------------------ one step
    def _shuffle(self) -> None:
        """Start an epoch: the training set in a new random order, taken batch by batch from the start."""
        order = self._rng.permutation(len(self.train_set))
        self._shuffled = self.train_inputs[order], self.train_targets[order]  # one gather per epoch, not per batch
        self._cursor = 0

    def _batch(self) -> tuple[np.ndarray, np.ndarray]:
        n, size = len(self.train_set), self.config.batch_size
        if size >= n:
            return self.train_inputs, self.train_targets
        if self._cursor + size > n:
            self._shuffle()
        start = self._cursor
        self._cursor += size
        inputs, targets = self._shuffled
        return inputs[start : self._cursor], targets[start : self._cursor]

    def _take_step(self) -> bool:
        """One optimizer step; False when the batch loss is not finite (nothing is updated then)."""
        self.optimizer.zero_grad()
        loss, backward = self._batch_loss(*self._batch())
        if not math.isfinite(loss):
            return False
        backward()
        kind, rate = self.config.regularization, self.config.regularization_rate
        if kind != "none" and rate:
            for weight in self.mlp.weights:
                weight.grad = weight.grad + regularization_grad(kind, rate, weight.data)
        self.optimizer.step()
        return True

    def _loss(self, inputs: Tensor, targets: Tensor) -> Tensor:
        return self._loss_fn(self.mlp(inputs), targets)

    def _batch_loss(self, inputs: np.ndarray, targets: np.ndarray) -> tuple[float, Callable[[], None]]:
        """The batch's loss and what computes its gradients: a replay of the recorded step when the batch has
        the recorded shapes, else a graph built afresh."""
        if not self.replay:
            loss = self._loss(Tensor(inputs), Tensor(targets))
            return loss.item(), loss.backward
        tape = self._tape
        if tape is None or not tape.fits(inputs, targets):
            try:
                tape = self._tape = Tape.record(self._loss, inputs, targets)
            except TapeError:
                self.replay = False
                return self._batch_loss(inputs, targets)
            return tape.root.item(), tape.backward
        return tape.forward(inputs, targets).item(), tape.backward

    def _record(self) -> None:
        loss = self.config.loss
        train_loss, train_accuracy = evaluate(self.mlp, self.train_set, self.train_targets, loss, self.train_inputs)
        test_loss = test_accuracy = None
        if self.test_set is not None and self.test_targets is not None:
            test_loss, test_accuracy = evaluate(self.mlp, self.test_set, self.test_targets, loss, self.test_inputs)
        if not math.isfinite(train_loss):
            self.diverged = True
        self.history.append(Record(self.step, train_loss, test_loss, train_accuracy, test_accuracy))
        index = len(self.history) - 1
        if index % self.config.snapshot_every == 0 or self.finished:
            self._snapshot()

    def _snapshot(self) -> None:
        if self.snapshots and self.snapshots[-1].step == self.step:
            return
        weights = [w.data.copy() for w in self.mlp.weights]
        biases = [b.data.copy() for b in self.mlp.biases]
        self.snapshots.append(Snapshot(self.step, weights, biases))


# ---------------------------------------------------------------------------------------- what the network draws
@dataclass(frozen=True)
class HeatMaps:
    """A network's activations over a grid of 2-D inputs (rows follow y, columns follow x).

    ``outputs[k]`` is output neuron k over the grid; ``neurons[(layer, j)]`` is neuron j of an input or
    hidden layer over a (usually coarser) grid.
    """

    xs: np.ndarray
    ys: np.ndarray
    outputs: np.ndarray  # [outputs, rows, cols]
    neuron_xs: np.ndarray
    neuron_ys: np.ndarray
    neurons: dict[tuple[int, int], np.ndarray]


def _grid_points(x_range: tuple[float, float], y_range: tuple[float, float], resolution: int):
    xs = np.linspace(x_range[0], x_range[1], resolution)
    ys = np.linspace(y_range[0], y_range[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)  # [rows = y, cols = x]
    return xs, ys, np.column_stack([grid_x.reshape(-1), grid_y.reshape(-1)])


def heat_maps(
    mlp: MLP,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    resolution: int,
    neuron_resolution: int = 0,
    features: FeatureMap | None = None,
) -> HeatMaps:
    """Evaluate a network over a grid of 2-D points (through ``features`` when given, so the input neurons'
    maps are the features'); ``neuron_resolution`` 0 skips the neurons' maps."""

    def inputs(points: np.ndarray) -> np.ndarray:
        return points if features is None else features.transform(points)

    with np.errstate(all="ignore"):
        xs, ys, points = _grid_points(x_range, y_range, resolution)
        outputs = mlp.predict(inputs(points)).T.reshape(-1, resolution, resolution)
        neurons: dict[tuple[int, int], np.ndarray] = {}
        neuron_xs = neuron_ys = np.empty(0)
        if neuron_resolution:
            neuron_xs, neuron_ys, points = _grid_points(x_range, y_range, neuron_resolution)
            for layer, activation in enumerate(mlp.predict_layers(inputs(points))[:-1]):
                maps = activation.T.reshape(-1, neuron_resolution, neuron_resolution)
                neurons.update({(layer, j): maps[j] for j in range(len(maps))})
    return HeatMaps(xs, ys, outputs, neuron_xs, neuron_ys, neurons)


@dataclass(frozen=True)
class Curves:
    """A network with 1 input evaluated along x: ``outputs[k]`` and ``neurons[(layer, j)]`` are curves."""

    xs: np.ndarray
    outputs: np.ndarray  # [outputs, samples]
    neurons: dict[tuple[int, int], np.ndarray]


def curves(mlp: MLP, x_range: tuple[float, float], samples: int) -> Curves:
    with np.errstate(all="ignore"):
        xs = np.linspace(x_range[0], x_range[1], samples)
        layers = mlp.predict_layers(xs[:, None])
    neurons = {(layer, j): a[:, j] for layer, a in enumerate(layers[1:-1], start=1) for j in range(a.shape[1])}
    return Curves(xs, layers[-1].T, neurons)
