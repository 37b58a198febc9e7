"""How fast is one training step of the engine, next to the alternatives?

One step = forward + loss + backward + SGD update (p ← p − lr·∂L/∂p), float64, measured side by side for

    engine      app.nn.mlp.MLP on the autograd engine
    numpy       the same network's forward and backward written out by hand: no graph, the NumPy floor
    torch       torch.nn.Linear layers + torch.nn.functional losses, manual SGD; once with one thread and
                once with PyTorch's default thread count (the goals compare with the faster of the two)
    micrograd   Karpathy's scalar engine (small networks only; a few steps for batch 200)

Each figure is the median over many timed steps after a warm-up, measured with ``time.perf_counter``.
Run: ``python benchmarks/engine.py`` (``--quick`` for fewer repeats).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine import functions as F
from app.engine.tensor import Tensor
from app.nn.mlp import MLP

try:
    import torch
except ImportError:  # the figures beside PyTorch are simply left out
    torch = None

try:
    from micrograd.engine import Value
except ImportError:
    Value = None

LEARNING_RATE = 0.01
CHAIN_LENGTH = 1_000


@dataclass(frozen=True)
class Shape:
    """A benchmarked network: layer sizes, hidden activation, loss and batch size."""

    key: str
    sizes: tuple[int, ...]
    activation: str
    loss: str  # "mse" (identity output) or "cross_entropy" (logits)
    batch: int
    micrograd_steps: int  # 0: too big for a scalar engine

    @property
    def title(self) -> str:
        layers = "-".join(str(n) for n in self.sizes)
        return f"{layers} {self.activation}, {self.loss}, batch {self.batch}"


SHAPES = (
    Shape("tiny", (2, 4, 4, 1), "tanh", "mse", 1, micrograd_steps=200),
    Shape("small", (2, 8, 8, 1), "tanh", "mse", 200, micrograd_steps=5),
    Shape("mnist", (784, 128, 10), "relu", "cross_entropy", 64, micrograd_steps=0),
)


# ---------------------------------------------------------------------------------------- timing
@dataclass
class Candidate:
    """One implementation of a benchmark: a zero-argument step and, for PyTorch, its thread count."""

    label: str
    step: Callable[[], object]
    torch_threads: int | None = None


def measure(candidates: list[Candidate], rounds: int, block: int) -> dict[str, float]:
    """Median seconds per step of each candidate.

    The candidates take turns, ``block`` timed steps at a time for ``rounds`` rounds, so that whatever else
    the machine is doing meanwhile falls on all of them alike. Each turn starts with one untimed step:
    it warms the caches and lets PyTorch's idle worker threads (which spin for a while after a parallel
    region) stop competing with NumPy's.
    """
    default_threads = torch.get_num_threads() if torch is not None else None
    samples: dict[str, list[float]] = {c.label: [] for c in candidates}
    try:
        for round_number in range(rounds + 1):  # round 0 is a warm-up
            for candidate in candidates:
                if candidate.torch_threads is not None:
                    torch.set_num_threads(candidate.torch_threads)
                candidate.step()
                for _ in range(block):
                    start = time.perf_counter()
                    candidate.step()
                    elapsed = time.perf_counter() - start
                    if round_number:
                        samples[candidate.label].append(elapsed)
            if round_number == 0:
                gc.collect()
    finally:
        if default_threads is not None:
            torch.set_num_threads(default_threads)
    return {label: statistics.median(times) for label, times in samples.items()}


def torch_candidates(make: Callable[[], Callable[[], object]]) -> list[Candidate]:
    """PyTorch with one thread and with its default thread count (a fresh model for each)."""
    if torch is None:
        return []
    default_threads = torch.get_num_threads()
    one = Candidate("torch, 1 thread", make(), torch_threads=1)
    if default_threads == 1:
        return [one]
    return [one, Candidate(f"torch, {default_threads} threads", make(), torch_threads=default_threads)]


# ---------------------------------------------------------------------------------------- problem
@dataclass
class Problem:
    """Initial parameters, a batch and its targets, shared by every implementation."""

    shape: Shape
    weights: list[np.ndarray]  # [out, in], as torch.nn.Linear
    biases: list[np.ndarray]
    x: np.ndarray
    targets: np.ndarray  # mse: [batch, out]; cross_entropy: one-hot [batch, classes]
    classes: np.ndarray  # cross_entropy: the class indices behind ``targets``


def make_problem(shape: Shape, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    sizes = shape.sizes
    weights = [rng.uniform(-1, 1, (n_out, n_in)) / math.sqrt(n_in) for n_in, n_out in itertools.pairwise(sizes)]
    biases = [rng.uniform(-0.1, 0.1, n_out) for n_out in sizes[1:]]
    x = rng.standard_normal((shape.batch, sizes[0]))
    classes = rng.integers(0, sizes[-1], shape.batch)
    targets = rng.standard_normal((shape.batch, sizes[-1])) if shape.loss == "mse" else np.eye(sizes[-1])[classes]
    return Problem(shape, weights, biases, x, targets, classes)


# ---------------------------------------------------------------------------------------- engine
def engine_step(problem: Problem) -> Callable[[], float]:
    shape = problem.shape
    output = "identity"
    mlp = MLP.create(shape.sizes, shape.activation, output, weights=problem.weights, biases=problem.biases)
    params = mlp.parameters()
    x = Tensor(problem.x)  # requires_grad=False: dL/dx is never computed
    targets = problem.targets

    def step() -> float:
        loss = mlp.loss(mlp(x), targets, shape.loss)
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return loss.item()

    return step


# ---------------------------------------------------------------------------------------- hand-written NumPy
def numpy_step(problem: Problem) -> Callable[[], float]:
    """Forward, backward and update of the same network, derived by hand: no graph, the NumPy floor.

    It makes the same NumPy calls as the engine's ops (``.dot`` for 2-D products, ``np.vdot`` for the
    sum of squares, ``np.add.reduce`` for the bias gradient), so engine ÷ this is the cost of the graph.
    """
    shape = problem.shape
    weights = [w.copy() for w in problem.weights]
    biases = [b.copy() for b in problem.biases]
    x, targets = problem.x, problem.targets
    last = len(weights) - 1
    relu = shape.activation == "relu"

    def step() -> float:
        inputs, outputs = [], []
        a = x
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            inputs.append(a)
            z = a.dot(w.T) + b
            a = z if layer == last else np.maximum(z, 0.0) if relu else np.tanh(z)
            outputs.append(a)
        if shape.loss == "mse":
            diff = a - targets
            loss = float(np.vdot(diff, diff) / diff.size)
            grad = (2.0 / diff.size) * diff
        else:
            shifted = a - a.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = float(-np.sum(targets * log_probs) / len(a))
            grad = (np.exp(log_probs) - targets) / len(a)
        for layer in range(last, -1, -1):
            if layer < last:
                out = outputs[layer]
                grad = np.where(out > 0, grad, 0.0) if relu else grad * (1.0 - out * out)
            w = weights[layer]
            grad_w = grad.T.dot(inputs[layer])
            grad_b = np.add.reduce(grad, 0)
            if layer > 0:
                grad = grad.dot(w)
            w -= LEARNING_RATE * grad_w
            biases[layer] -= LEARNING_RATE * grad_b
        return loss

    return step


# ---------------------------------------------------------------------------------------- PyTorch
def torch_step(problem: Problem) -> Callable[[], float]:
    shape = problem.shape
    nnf = torch.nn.functional
    layers = []
    for w, b in zip(problem.weights, problem.biases, strict=True):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
    activation = torch.nn.ReLU() if shape.activation == "relu" else torch.nn.Tanh()
    modules = []
    for layer in layers[:-1]:
        modules += [layer, activation]
    model = torch.nn.Sequential(*modules, layers[-1])
    params = list(model.parameters())
    x = torch.from_numpy(problem.x)
    if shape.loss == "mse":
        targets = torch.from_numpy(problem.targets)

        def loss_of(out: torch.Tensor) -> torch.Tensor:
            return nnf.mse_loss(out, targets)
    else:
        classes = torch.from_numpy(problem.classes)

        def loss_of(out: torch.Tensor) -> torch.Tensor:
            return nnf.cross_entropy(out, classes)

    def step() -> float:
        loss = loss_of(model(x))
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(LEARNING_RATE * p.grad)
        return loss.item()

    return step


# ---------------------------------------------------------------------------------------- micrograd
def micrograd_tanh(v: Value) -> Value:
    """tanh for micrograd's Value, written the way micrograd writes its own ops (the package has none)."""
    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward() -> None:
        v.grad += (1.0 - t * t) * out.grad

    out._backward = _backward
    return out


def micrograd_step(problem: Problem) -> Callable[[], float]:
    weights = [[[Value(float(w)) for w in row] for row in matrix] for matrix in problem.weights]
    biases = [[Value(float(b)) for b in vector] for vector in problem.biases]
    params = [p for matrix in weights for row in matrix for p in row] + [p for v in biases for p in v]
    rows = problem.x.tolist()
    targets = problem.targets.tolist()
    last = len(weights) - 1
    n = len(rows) * len(targets[0])

    def forward(row: list[float]) -> list[Value]:
        a = row
        for layer, (matrix, vector) in enumerate(zip(weights, biases, strict=True)):
            z = [sum((w * x for w, x in zip(ws, a, strict=True)), b) for ws, b in zip(matrix, vector, strict=True)]
            a = [micrograd_tanh(v) for v in z] if layer < last else z
        return a

    def step() -> float:
        squares = [
            (y - t) ** 2 for row, ts in zip(rows, targets, strict=True) for y, t in zip(forward(row), ts, strict=True)
        ]
        loss = sum(squares) * (1.0 / n)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return loss.data

    return step


# ---------------------------------------------------------------------------------------- per-op overhead
def _chain(x: Any, tanh: Callable[[Any], Any]) -> Callable[[], None]:
    """1,000 small ops on a shape-(1,) tensor (× 0.9, + 0.1, tanh, repeating), then backward."""

    def run() -> None:
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = y * 0.9
            elif kind == 1:
                y = y + 0.1
            else:
                y = tanh(y)
        x.grad = None
        y.backward()

    return run


def engine_chain() -> Callable[[], None]:
    return _chain(Tensor(np.array([0.5]), requires_grad=True), F.tanh)


def torch_chain() -> Callable[[], None]:
    return _chain(torch.tensor([0.5], dtype=torch.float64, requires_grad=True), torch.tanh)


# ---------------------------------------------------------------------------------------- report
@dataclass
class Row:
    what: str
    figure: str
    ratio: str = ""
    goal: str = ""
    verdict: str = ""


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.2f}×"


def faster(other: float, engine: float) -> str:
    return f"engine {times(other / engine)} faster" if other >= engine else f"engine {times(engine / other)} slower"


def bench_shape(shape: Shape, rounds: int) -> list[Row]:
    problem = make_problem(shape)
    block = 4 if shape.key == "mnist" else 20
    candidates = [
        Candidate("engine (MLP)", engine_step(problem)),
        Candidate("hand-written NumPy", numpy_step(problem)),
        *torch_candidates(lambda: torch_step(problem)),
    ]
    timings = measure(candidates, rounds, block)
    engine = timings["engine (MLP)"]
    numpy_floor = timings["hand-written NumPy"]
    goal_vs_numpy = {"tiny": 2.5, "small": 2.0, "mnist": 1.3}[shape.key]
    rows = [
        Row("engine (MLP)", us(engine)),
        Row("hand-written NumPy", us(numpy_floor), f"engine {engine / numpy_floor:.2f}× this",
            f"≤ {goal_vs_numpy}×", verdict(engine / numpy_floor <= goal_vs_numpy)),
    ]  # fmt: skip
    torch_times = {label: seconds for label, seconds in timings.items() if label.startswith("torch")}
    for label, seconds in torch_times.items():
        row = Row(label, us(seconds), faster(seconds, engine))
        if seconds == min(torch_times.values()) and shape.key in ("tiny", "small"):  # the goal: vs the faster one
            row.goal = "≥ 4× faster" if shape.key == "tiny" else "faster"
            row.verdict = verdict(seconds / engine >= (4.0 if shape.key == "tiny" else 1.0))
        rows.append(row)
    if Value is not None and shape.micrograd_steps:
        steps = shape.micrograd_steps
        (seconds,) = measure([Candidate("micrograd", micrograd_step(problem))], rounds=1, block=steps).values()
        rows.append(Row(f"micrograd ({steps} steps)", us(seconds), faster(seconds, engine)))
    return rows


def bench_chain(rounds: int) -> list[Row]:
    candidates = [Candidate("engine", engine_chain()), *torch_candidates(torch_chain)]
    per_op = {label: seconds / CHAIN_LENGTH for label, seconds in measure(candidates, rounds, block=2).items()}
    engine = per_op.pop("engine")
    rows = [Row("engine", f"{engine * 1e6:.2f} µs/op", goal="≤ 3 µs/op", verdict=verdict(engine <= 3e-6))]
    rows += [Row(label, f"{seconds * 1e6:.2f} µs/op", faster(seconds, engine)) for label, seconds in per_op.items()]
    return rows


def print_table(sections: list[tuple[str, list[Row]]]) -> None:
    header = Row("", "time / step", "ratio", "goal", "")
    widths = [28, 16, 26, 14, 6]
    fields = ("what", "figure", "ratio", "goal", "verdict")

    def line(row: Row) -> str:
        return "  ".join(f"{getattr(row, f):<{w}}" for f, w in zip(fields, widths, strict=True)).rstrip()

    print(line(header))
    for title, rows in sections:
        print(f"\n{title}")
        for row in rows:
            print(line(row))


def environment() -> str:
    parts = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    if torch is not None:
        parts.append(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads by default)")
    parts.append(f"{os.cpu_count()} CPUs")
    if os.environ.get("OPENBLAS_CORETYPE"):
        parts.append(f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="turns each implementation takes (default 100)")
    parser.add_argument("--quick", action="store_true", help="10 rounds: rougher figures in a few seconds")
    args = parser.parse_args()
    rounds = 10 if args.quick else args.rounds
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # micrograd's backward recurses
    print(environment())
    print("one training step (forward + backward + SGD update), float64, median; lower is better")
    print("implementations take turns in blocks of steps; PyTorch goals compare with its faster configuration\n")
    sections = [(shape.title, bench_shape(shape, rounds)) for shape in SHAPES]
    sections.append(
        (f"per-op overhead: chain of {CHAIN_LENGTH:,} ops on shape (1,), forward + backward", bench_chain(rounds))
    )
    print_table(sections)


if __name__ == "__main__":
    main()
