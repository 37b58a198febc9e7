"""Small seeded datasets to train on, in the spirit of the TensorFlow Playground.

Every 2-D set lives in roughly the square [−1, 1]² (the Playground draws in [−6, 6]²; the smaller
scale lets the default learning rates and weight initialisations work unchanged); the 1-D sine set
spans x ∈ [−π, π]. ``noise`` is a fraction of the data scale s:

    classification   x ← x + noise · s · ε,   ε ~ N(0, I)    the points blur into each other
    regression       y ← y + noise · s · ε,   ε ~ N(0, 1)    the targets scatter around the curve

where s = 1, except for the spirals, whose arms lie only 1 / (1.75 · C) apart (C arms): there s is
that gap, as the Playground also blurs its spiral less. So ``noise = 0`` gives the clean geometry,
``noise ≈ 0.1`` a mild blur and ``noise = 1`` classes that overlap almost completely. The same name, size, noise
and seed always give the same points. Classification sets are balanced (class sizes differ by at
most one) and their rows are shuffled.

Targets are laid out for the loss that fits each kind:

    binary       targets [n, 1] ∈ {0, 1}        (sigmoid + binary cross-entropy)
    multiclass   targets [n, C] one-hot         (softmax + cross-entropy)
    regression   targets [n, 1] real            (identity + mean squared error)
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

DatasetKind = Literal["binary", "multiclass", "regression"]
KINDS: tuple[DatasetKind, ...] = ("binary", "multiclass", "regression")
MAX_CLASSES = 10
"""Class labels run from 0 to MAX_CLASSES − 1, which also bounds the width of a one-hot target."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and what a network should predict for them. Treat the arrays as read-only."""

    name: str
    kind: DatasetKind
    inputs: np.ndarray  # [n, d] float64
    targets: np.ndarray  # [n, k] float64
    labels: np.ndarray | None  # [n] int64 class index; None for regression

    def __post_init__(self) -> None:
        n = len(self.inputs)
        if self.inputs.ndim != 2 or self.targets.ndim != 2 or len(self.targets) != n:
            raise ValueError("inputs and targets must be 2-D arrays with one row per point")
        if (self.labels is None) != (self.kind == "regression"):
            raise ValueError("labels are required for classification and must be None for regression")
        if self.labels is not None and self.labels.shape != (n,):
            raise ValueError("labels must hold one class index per point")

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def input_dim(self) -> int:
        return self.inputs.shape[1]

    @property
    def output_dim(self) -> int:
        return self.targets.shape[1]

    @property
    def classes(self) -> int:
        """Number of classes: 2 for binary, the one-hot width for multiclass, 0 for regression."""
        if self.kind == "binary":
            return 2
        return self.targets.shape[1] if self.kind == "multiclass" else 0

    def split(self, test_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
        """Shuffle the rows and cut them into (train, test), stratified by class.

        The test set gets round(n · test_fraction) rows, but at least one and at most n − 1 when
        n ≥ 2, so neither part is empty. A single point goes to the training set. For classification
        each class gives the test set its share of those rows (within one), and a class of two or more
        points keeps one on each side whenever the test size allows: a plain shuffle of six alternating
        points can put a whole class on one side.
        """
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
        n = len(self)
        test_size = 0 if n < 2 else min(max(round(n * test_fraction), 1), n - 1)
        rng = np.random.default_rng(seed)
        order = rng.permutation(n)
        if self.labels is None:
            return self._rows(order[test_size:]), self._rows(order[:test_size])
        groups = [order[self.labels[order] == label] for label in np.unique(self.labels)]
        quotas = _class_quotas([len(g) for g in groups], test_size)
        test = np.concatenate([g[:q] for g, q in zip(groups, quotas, strict=True)])
        train = np.concatenate([g[q:] for g, q in zip(groups, quotas, strict=True)])
        return self._rows(rng.permutation(train)), self._rows(rng.permutation(test))

    def _rows(self, index: np.ndarray) -> Dataset:
        labels = None if self.labels is None else self.labels[index]
        return Dataset(self.name, self.kind, self.inputs[index], self.targets[index], labels)


def _class_quotas(sizes: list[int], test_size: int) -> list[int]:
    """How many test rows each class gives: its proportional share rounded down, then the rows still to
    give go first to classes of two or more points that have none in the test set, then by largest
    remainder; a class keeps at least one training row unless the test size leaves no other way."""
    n = sum(sizes)
    shares = [size * test_size / n for size in sizes]
    quotas = [min(math.floor(share), max(size - 1, 0)) for share, size in zip(shares, sizes, strict=True)]
    by_remainder = sorted(range(len(sizes)), key=lambda c: quotas[c] - shares[c])
    remaining = test_size - sum(quotas)
    for c in by_remainder:
        if remaining and quotas[c] == 0 and sizes[c] >= 2:
            quotas[c] += 1
            remaining -= 1
    for keep in (1, 0):  # keep a training row of every class, unless that cannot reach test_size
        while remaining and any(quotas[c] < sizes[c] - keep for c in by_remainder):
            for c in by_remainder:
                if remaining and quotas[c] < sizes[c] - keep:
                    quotas[c] += 1
                    remaining -= 1
    return quotas


def missing_classes(train: Dataset, test: Dataset | None) -> dict[str, list[int]]:
    """The classes of a classification set that one side of a split has no point of (none for regression)."""
    if train.labels is None:
        return {"train": [], "test": []}
    every = set(train.labels.tolist()) | set([] if test is None or test.labels is None else test.labels.tolist())

    def absent(part: Dataset | None) -> list[int]:
        present = set() if part is None or part.labels is None else set(part.labels.tolist())
        return sorted(every - present)

    return {"train": absent(train), "test": [] if test is None else absent(test)}


@dataclass(frozen=True)
class DatasetInfo:
    """What the network needs to know about a built-in dataset before it is generated."""

    name: str
    kind: DatasetKind
    input_dim: int
    output_dim: int
    classes: int  # 0 for regression
    description: str
    size: int | None = None  # points of a real dataset (a generated one has any n)
    image: tuple[int, int] | None = None  # (rows, columns) when each point is a picture, row-major
    class_names: tuple[str, ...] | None = None  # what the classes 0, 1, … are, when they have names


# ------------------------------------------------------------------------------------ generators
# A classification generator gets the size of each class and returns clean points and their labels;
# a regression generator returns inputs and clean targets. make_dataset adds the noise and shuffles.
Rng = np.random.Generator
ClassGenerator = Callable[[Rng, list[int]], tuple[np.ndarray, np.ndarray]]
RegressionGenerator = Callable[[Rng, int], tuple[np.ndarray, np.ndarray]]


def _balanced_counts(n: int, classes: int) -> list[int]:
    """Split n points over the classes as evenly as possible: sizes differ by at most one."""
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


def _labels_for(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _xor(rng: Rng, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 where x₁ and x₂ share a sign (quadrants I and III), 0 elsewhere.

    Coordinates keep a small margin from the axes, |xᵢ| ∈ [0.05, 1], as in the Playground.
    """
    labels = _labels_for(counts)
    n = len(labels)
    magnitude = rng.uniform(0.05, 1.0, size=(n, 2))
    sign_x1 = rng.choice([-1.0, 1.0], size=n)
    sign_x2 = np.where(labels == 1, sign_x1, -sign_x1)
    return magnitude * np.column_stack([sign_x1, sign_x2]), labels


def _circle(rng: Rng, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 inside the disc r ≤ 0.5, label 0 on the ring 0.7 ≤ r ≤ 1."""
    ring, disc = counts
    radius = np.concatenate([rng.uniform(0.7, 1.0, ring), rng.uniform(0.0, 0.5, disc)])
    angle = rng.uniform(0.0, 2 * np.pi, ring + disc)
    return _polar(radius, angle), _labels_for(counts)


GAUSS_CENTER = 0.5
GAUSS_SPREAD = 0.15


def _gauss(rng: Rng, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Two round Gaussian clouds, σ = 0.15: label 1 around (0.5, 0.5), label 0 around (−0.5, −0.5)."""
    labels = _labels_for(counts)
    centers = np.where(labels[:, None] == 1, GAUSS_CENTER, -GAUSS_CENTER)
    return centers + rng.normal(0.0, GAUSS_SPREAD, size=(len(labels), 2)), labels


SPIRAL_TURNS = 1.75


def _spiral(rng: Rng, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """C interleaved arms: arm c is r = s, θ = 2π · 1.75 · s + 2πc/C for s ∈ [0, 1]."""
    labels = _labels_for(counts)
    s = rng.uniform(0.0, 1.0, len(labels))
    angle = 2 * np.pi * SPIRAL_TURNS * s + 2 * np.pi * labels / len(counts)
    return _polar(s, angle), labels


MOONS_SCALE = 1.5
MOONS_SHIFT = np.array([0.5, 0.25])


def _moons(rng: Rng, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (scikit-learn's layout), shrunk and centred into [−1, 1] × [−½, ½].

    Label 0 is the upper arc (cos t, sin t), label 1 the lower arc (1 − cos t, ½ − sin t), t ∈ [0, π].
    """
    upper, lower = counts
    t = rng.uniform(0.0, np.pi, upper + lower)
    arc = np.column_stack([np.cos(t), np.sin(t)])
    arc[upper:] = np.array([1.0, 0.5]) - arc[upper:]
    return (arc - MOONS_SHIFT) / MOONS_SCALE, _labels_for(counts)


def _sine(rng: Rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x) for x uniform in [−π, π]."""
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return x, np.sin(x)


def _plane(rng: Rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """y = (x₁ + x₂) / 2 for x uniform in [−1, 1]², so y ∈ [−1, 1] too."""
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    return x, x.sum(axis=1, keepdims=True) / 2


MULTIGAUSS_CENTERS = np.array([[-2, 1.25], [0, 1.25], [2, 1.25], [-2, -1.25], [0, -1.25], [2, -1.25]]) / 3
MULTIGAUSS_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
MULTIGAUSS_SPREAD = 0.2


def _multigauss(rng: Rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Six Gaussian bumps of alternating sign on two rows, as the Playground's regression set:
    y = Σᵢ sᵢ · exp(−|x − cᵢ|² / (2σ²)), σ = 0.2, sᵢ = ±1, for x uniform in [−1, 1]²."""
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    squared = ((x[:, None, :] - MULTIGAUSS_CENTERS[None, :, :]) ** 2).sum(axis=2)
    bumps = np.exp(-squared / (2 * MULTIGAUSS_SPREAD**2))
    return x, (bumps @ MULTIGAUSS_SIGNS)[:, None]


def _binary_info(name: str, description: str) -> DatasetInfo:
    return DatasetInfo(name, "binary", 2, 1, 2, description)


def _arm_gap(classes: int) -> float:
    """Radial distance between neighbouring spiral arms: r grows by 1 per 1.75 turns, shared by C arms."""
    return 1.0 / (SPIRAL_TURNS * classes)


def _spiral_info(name: str, classes: int) -> DatasetInfo:
    kind: DatasetKind = "binary" if classes == 2 else "multiclass"
    output_dim = 1 if classes == 2 else classes
    description = f"{classes} interleaved spiral arms winding {SPIRAL_TURNS} turns out from the centre."
    return DatasetInfo(name, kind, 2, output_dim, classes, description)


_REGISTRY: list[tuple[DatasetInfo, ClassGenerator | RegressionGenerator, float]] = [
    (_binary_info("xor", "Points in the four quadrants; the class is 1 where x₁ and x₂ share a sign."), _xor, 1.0),
    (_binary_info("circle", "A disc of one class inside a ring of the other."), _circle, 1.0),
    (_binary_info("gauss", "Two Gaussian clouds on opposite sides of the diagonal x₁ + x₂ = 0."), _gauss, 1.0),
    (_spiral_info("spiral", 2), _spiral, _arm_gap(2)),
    (_spiral_info("spiral3", 3), _spiral, _arm_gap(3)),
    (_binary_info("moons", "Two interleaved half circles, like scikit-learn's make_moons."), _moons, 1.0),
    (DatasetInfo("sine", "regression", 1, 1, 0, "One input x in [−π, π] and the target y = sin(x)."), _sine, 1.0),
    (
        DatasetInfo("plane", "regression", 2, 1, 0, "Two inputs in [−1, 1] and a tilted plane y = (x₁ + x₂) / 2."),
        _plane,
        1.0,
    ),
    (
        DatasetInfo(
            "multigauss", "regression", 2, 1, 0, "Six Gaussian bumps of alternating sign over [−1, 1]², y ∈ [−1, 1]."
        ),
        _multigauss,
        1.0,
    ),
]  # (info, generator, data scale s of the noise)

DATA_DIR = Path(__file__).resolve().parent / "data"
DIGITS_SIDE = 8
DIGITS_MAX_PIXEL = 16.0


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 UCI handwritten digits (app/nn/data/README.md): pixels / 16 ∈ [0, 1], [n, 64] row-major."""
    with np.load(DATA_DIR / "digits.npz", allow_pickle=False) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    return pixels.astype(np.float64) / DIGITS_MAX_PIXEL, labels.astype(np.int64)


@functools.cache
def _iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's 150 irises (app/nn/data/README.md): each measurement standardised, x ← (x − mean) / sd."""
    with (DATA_DIR / "iris.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))[1:]
    values = np.array([[float(v) for v in row[:4]] for row in rows])
    labels = np.array([int(row[4]) for row in rows], dtype=np.int64)
    return (values - values.mean(axis=0)) / values.std(axis=0), labels


_REAL: dict[str, tuple[DatasetInfo, Callable[[], tuple[np.ndarray, np.ndarray]]]] = {
    "digits": (
        DatasetInfo(
            "digits",
            "multiclass",
            DIGITS_SIDE * DIGITS_SIDE,
            10,
            10,
            "1,797 handwritten digits 0–9 as 8×8 images (UCI, CC BY 4.0); the 64 pixels scaled to [0, 1].",
            size=1797,
            image=(DIGITS_SIDE, DIGITS_SIDE),
        ),
        _digits,
    ),
    "iris": (
        DatasetInfo(
            "iris",
            "multiclass",
            4,
            3,
            3,
            "Fisher's 150 irises of 3 species (UCI, CC BY 4.0): sepal and petal length and width, standardised.",
            size=150,
            class_names=("setosa", "versicolor", "virginica"),
        ),
        _iris,
    ),
}

DATASETS: dict[str, DatasetInfo] = {info.name: info for info, _, _ in _REGISTRY} | {
    name: info for name, (info, _) in _REAL.items()
}
"""The built-in datasets by name, in the order a menu should list them."""

_GENERATORS = {info.name: (generator, scale) for info, generator, scale in _REGISTRY}


def make_dataset(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Generate ``n`` points of the built-in dataset ``name`` (see :data:`DATASETS`)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"a dataset needs at least 1 point, got n = {n}")
    if not noise >= 0.0 or not math.isfinite(noise):
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise}")
    if name in _REAL:
        return _real_dataset(name, n, seed)
    info, (generate, scale) = DATASETS[name], _GENERATORS[name]
    rng = np.random.default_rng(seed)
    if info.kind == "regression":
        inputs, targets = generate(rng, n)
        targets = targets + noise * scale * rng.normal(size=targets.shape)
        return Dataset(name, info.kind, inputs, targets, None)
    inputs, labels = generate(rng, _balanced_counts(n, info.classes))
    inputs = inputs + noise * scale * rng.normal(size=inputs.shape)
    order = rng.permutation(n)
    return _classification(name, info.kind, inputs[order], labels[order], info.classes)


def _real_dataset(name: str, n: int, seed: int) -> Dataset:
    """``n`` rows of a real dataset (all of it when n reaches its size), chosen at random with ``seed`` and
    balanced: the classes take turns, so their sizes differ by at most one while every class has rows left.
    Noise does not apply: the measurements are what they are."""
    info, load = _REAL[name]
    inputs, labels = load()
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(len(inputs))
    turn = np.empty(len(inputs), dtype=np.int64)  # the k-th row of its class (in the shuffled order) has turn k
    for label in range(info.classes):
        members = labels[shuffled] == label
        turn[members] = np.arange(int(members.sum()))
    chosen = shuffled[np.argsort(turn, kind="stable")][:n]
    order = rng.permutation(chosen)
    return _classification(name, info.kind, inputs[order], labels[order], info.classes)


def _classification(name: str, kind: DatasetKind, inputs: np.ndarray, labels: np.ndarray, classes: int) -> Dataset:
    labels = labels.astype(np.int64)
    if kind == "binary":
        targets = labels[:, None].astype(np.float64)
    else:
        targets = np.zeros((len(labels), classes))
        targets[np.arange(len(labels)), labels] = 1.0
    return Dataset(name, kind, inputs.astype(np.float64), targets, labels)


# ------------------------------------------------------------------------------------ user data
def dataset_from_points(
    points: Sequence[Sequence[float]],
    labels_or_targets: Sequence[float],
    kind: DatasetKind,
    name: str = "custom",
) -> Dataset:
    """Build a dataset from points a user clicked or pasted.

    ``points`` holds n rows of 1 or 2 finite numbers. ``labels_or_targets`` holds one value per
    point: a class index 0, 1, … for "binary" (0 or 1) and "multiclass" (up to MAX_CLASSES − 1;
    the class count is the largest label + 1), a finite real number for "regression".
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    inputs = _point_array(points)
    values = _value_array(labels_or_targets, len(inputs))
    if kind == "regression":
        return Dataset(name, kind, inputs, values[:, None], None)
    whole = values == np.round(values)
    if not whole.all():
        row = int(np.argmin(whole))
        raise ValueError(f"label of point {row} is {values[row]}; class labels must be whole numbers 0, 1, 2, …")
    classes = _check_labels(values.tolist(), kind, where=lambda row: f"point {row}")
    return _classification(name, kind, inputs, values.astype(np.int64), classes)


def _point_array(points: Sequence[Sequence[float]]) -> np.ndarray:
    try:
        inputs = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("points must be a list of rows, each with the same number (1 or 2) of numbers") from None
    if len(inputs) == 0:
        raise ValueError("give at least one point")
    if inputs.ndim != 2 or inputs.shape[1] not in (1, 2):
        raise ValueError(f"points must be rows of 1 or 2 numbers, got an array of shape {inputs.shape}")
    if not np.isfinite(inputs).all():
        row = int(np.argmin(np.isfinite(inputs).all(axis=1)))
        raise ValueError(f"point {row} is not finite: {inputs[row].tolist()}; use ordinary numbers")
    return inputs


def _value_array(values: Sequence[float], n: int) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("labels/targets must be a list of numbers, one per point") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.shape != (n,):
        raise ValueError(f"expected one label/target per point ({n}), got an array of shape {array.shape}")
    if not np.isfinite(array).all():
        row = int(np.argmin(np.isfinite(array)))
        raise ValueError(f"label/target of point {row} is {array[row]}; use an ordinary number")
    return array


def _check_labels(labels: list[float], kind: DatasetKind, where: Callable[[int], str]) -> int:
    """Check whole-number class indices for ``kind`` and return the number of classes.

    Plain Python numbers, so that a label too large for int64 is reported rather than wrapped around.
    ``where(row)`` names the offending row in the message ("point 3", "line 7").
    """
    limit = 1 if kind == "binary" else MAX_CLASSES - 1
    for row, value in enumerate(labels):
        label = int(value)
        if label < 0:
            raise ValueError(f"{where(row)}: class label {label} is negative; number classes 0, 1, 2, …")
        if label > limit:
            hint = "binary labels are 0 or 1" if kind == "binary" else f"at most {MAX_CLASSES} classes"
            raise ValueError(f"{where(row)}: class label {label} is too large; {hint}")
    if kind == "binary":
        return 2
    classes = int(max(labels)) + 1
    if classes < 2:
        raise ValueError("a multiclass dataset needs a label ≥ 1; for labels 0 and 1 only, use kind 'binary'")
    return classes


# ------------------------------------------------------------------------------------ CSV
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # no nan, inf or 1_000


def parse_csv(text: str, max_rows: int = 2000) -> Dataset:
    """Read rows "x1,x2,label" (or "x,label") into a dataset.

    Fields are separated by commas, semicolons or tabs (whichever the first line uses); blank lines
    are skipped and a first line without any number in it is a header. The last column is the label:
    whole numbers written without a decimal point (0, 1, 2) make a classification set, binary when
    they are all 0 or 1; anything else (0.5, 1.0, -3e2) makes a regression set. Errors name the line.
    """
    rows = [(number, line.strip()) for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1)]
    rows = [(number, line) for number, line in rows if line]
    if not rows:
        raise ValueError("the CSV text is empty; give rows like 0.5,-0.2,1")
    delimiter = next((d for d in ("\t", ";", ",") if d in rows[0][1]), ",")
    first_fields = _fields(rows[0][1], delimiter)
    columns = len(first_fields)
    if columns not in (2, 3):
        raise ValueError(f"line {rows[0][0]}: expected 2 or 3 columns (x,label or x1,x2,label), found {columns}")
    if not any(_NUMBER.fullmatch(field) for field in first_fields):
        rows = rows[1:]  # a header
    if not rows:
        raise ValueError("the CSV text has a header but no data rows")
    if len(rows) > max_rows:
        raise ValueError(f"line {rows[max_rows][0]}: too many rows; at most {max_rows} data rows are allowed")

    line_numbers = [number for number, _ in rows]
    inputs = np.empty((len(rows), columns - 1))
    label_texts = []
    for index, (number, line) in enumerate(rows):
        fields = _fields(line, delimiter)
        if len(fields) != columns:
            raise ValueError(f"line {number}: expected {columns} columns, found {len(fields)}")
        inputs[index] = [_finite_number(field, number) for field in fields[:-1]]
        label_texts.append(fields[-1])

    if not all(_INTEGER.fullmatch(label) for label in label_texts):
        targets = [_finite_number(label, number) for label, number in zip(label_texts, line_numbers, strict=True)]
        return Dataset("custom", "regression", inputs, np.array(targets)[:, None], None)
    labels = [int(label) for label in label_texts]
    kind: DatasetKind = "binary" if set(labels) <= {0, 1} else "multiclass"
    classes = _check_labels(labels, kind, where=lambda row: f"line {line_numbers[row]}")
    return _classification("custom", kind, inputs, np.array(labels), classes)


def _fields(line: str, delimiter: str) -> list[str]:
    return [field.strip().strip('"').strip() for field in line.split(delimiter)]


def _finite_number(field: str, line_number: int) -> float:
    value = float(field) if _NUMBER.fullmatch(field) else math.nan
    if not math.isfinite(value):  # also catches 1e999, which overflows to inf
        raise ValueError(f"line {line_number}: {field!r} is not a number; write e.g. 0.25 or -1e-3")
    return value
