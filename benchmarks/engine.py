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
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine import functions as F  # noqa: E402
from app.engine.tensor import Tensor  # noqa: E402
from app.nn.mlp import MLP  # noqa: E402

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
def median_seconds(step: Callable[[], object], repeats: int, warmup: int) -> float:
    """Median wall time of one call of ``step`` over ``repeats`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        step()
    gc.collect()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    weights = [rng.uniform(-1, 1, (n_out, n_in)) / math.sqrt(n_in) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.uniform(-0.1, 0.1, n_out) for n_out in sizes[1:]]
    x = rng.standard_normal((shape.batch, sizes[0]))
    classes = rng.integers(0, sizes[-1], shape.batch)
    if shape.loss == "mse":
        targets = rng.standard_normal((shape.batch, sizes[-1]))
    else:
        targets = np.eye(sizes[-1])[classes]
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
    """Forward, backward and update of the same network, derived by hand (the NumPy floor)."""
    shape = problem.shape
    weights = [w.copy() for w in problem.weights]
    biases = [b.copy() for b in problem.biases]
    x, targets = problem.x, problem.targets
    last = len(weights) - 1
    relu = shape.activation == "relu"

    def step() -> float:
        inputs, outputs = [], []
        a = x
        for layer, (w, b) in enumerate(zip(weights, biases)):
            inputs.append(a)
            z = a @ w.T + b
            if layer < last:
                a = np.maximum(z, 0.0) if relu else np.tanh(z)
            else:
                a = z
            outputs.append(a)
        if shape.loss == "mse":
            diff = a - targets
            loss = float(np.mean(diff * diff))
            grad = (2.0 / diff.size) * diff
        else:
            shifted = a - a.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = float(-np.sum(targets * log_probs) / len(a))
            grad = (np.exp(log_probs) - targets) / len(a)
        for layer in range(last, -1, -1):
            if layer < last:
                out = outputs[layer]
                grad = grad * (out > 0) if relu else grad * (1.0 - out * out)
            w = weights[layer]
            grad_w = grad.T @ inputs[layer]
            grad_b = grad.sum(axis=0)
            if layer > 0:
                grad = grad @ w
            w -= LEARNING_RATE * grad_w
            biases[layer] -= LEARNING_RATE * grad_b
        return loss

    return step


# ---------------------------------------------------------------------------------------- PyTorch
def torch_step(problem: Problem) -> Callable[[], float]:
    shape = problem.shape
    nnf = torch.nn.functional
    layers = []
    for w, b in zip(problem.weights, problem.biases):
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
        for layer, (matrix, vector) in enumerate(zip(weights, biases)):
            z = [sum((w * x for w, x in zip(ws, a)), b) for ws, b in zip(matrix, vector)]
            a = [micrograd_tanh(v) for v in z] if layer < last else z
        return a

    def step() -> float:
        squares = [(y - t) ** 2 for row, ts in zip(rows, targets) for y, t in zip(forward(row), ts)]
        loss = sum(squares) * (1.0 / n)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return loss.data

    return step


# ---------------------------------------------------------------------------------------- per-op overhead
def engine_chain() -> Callable[[], None]:
    """1,000 small ops on a shape-(1,) tensor (× 0.9, + 0.1, tanh, repeating), then backward."""
    x = Tensor(np.array([0.5]), requires_grad=True)

    def run() -> None:
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = y * 0.9
            elif kind == 1:
                y = y + 0.1
            else:
                y = F.tanh(y)
        x.grad = None
        y.backward()

    return run


def torch_chain() -> Callable[[], None]:
    x = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)

    def run() -> None:
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = y * 0.9
            elif kind == 1:
                y = y + 0.1
            else:
                y = torch.tanh(y)
        x.grad = None
        y.backward()

    return run


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


def torch_timings(make: Callable[[], Callable[[], object]], repeats: int, warmup: int) -> dict[str, float]:
    """The same PyTorch step with one thread and with the default thread count."""
    default_threads = torch.get_num_threads()
    timings = {}
    try:
        torch.set_num_threads(1)
        timings["torch, 1 thread"] = median_seconds(make(), repeats, warmup)
    finally:
        torch.set_num_threads(default_threads)
    timings[f"torch, {default_threads} threads"] = median_seconds(make(), repeats, warmup)
    return timings


def bench_shape(shape: Shape, repeats: int) -> list[Row]:
    problem = make_problem(shape)
    heavy = shape.key == "mnist"
    n = max(repeats // 10, 30) if heavy else repeats
    engine = median_seconds(engine_step(problem), n, warmup=max(n // 10, 5))
    numpy_floor = median_seconds(numpy_step(problem), n, warmup=max(n // 10, 5))
    engine_vs_numpy = engine / numpy_floor
    rows = [
        Row("engine (MLP)", us(engine)),
        Row("hand-written NumPy", us(numpy_floor), f"engine {engine_vs_numpy:.2f}× this"),
    ]
    goal_vs_numpy = {"tiny": 2.5, "small": 2.0, "mnist": 1.3}[shape.key]
    rows[1].goal = f"≤ {goal_vs_numpy}×"
    rows[1].verdict = verdict(engine_vs_numpy <= goal_vs_numpy)
    if torch is not None:
        timings = torch_timings(lambda: torch_step(problem), n, warmup=max(n // 10, 5))
        fastest = min(timings.values())
        for label, seconds in timings.items():
            row = Row(label, us(seconds), f"engine {seconds / engine:.2f}× faster")
            if seconds == fastest and shape.key in ("tiny", "small"):
                row.goal = "≥ 4× faster" if shape.key == "tiny" else "faster"
                row.verdict = verdict(seconds / engine >= (4.0 if shape.key == "tiny" else 1.0))
            rows.append(row)
    if Value is not None and shape.micrograd_steps:
        steps = shape.micrograd_steps
        seconds = median_seconds(micrograd_step(problem), steps, warmup=1 if steps < 20 else 10)
        rows.append(Row(f"micrograd ({steps} steps)", us(seconds), f"engine {seconds / engine:,.0f}× faster"))
    return rows


def bench_chain(repeats: int) -> list[Row]:
    n = max(repeats // 10, 30)
    engine = median_seconds(engine_chain(), n, warmup=5) / CHAIN_LENGTH
    rows = [Row("engine", f"{engine * 1e6:.2f} µs/op", goal="≤ 3 µs/op", verdict=verdict(engine <= 3e-6))]
    if torch is not None:
        for label, seconds in torch_timings(torch_chain, n, warmup=5).items():
            per_op = seconds / CHAIN_LENGTH
            rows.append(Row(label, f"{per_op * 1e6:.2f} µs/op", f"engine {per_op / engine:.2f}× faster"))
    return rows


def print_table(sections: list[tuple[str, list[Row]]]) -> None:
    header = Row("", "time / step", "ratio", "goal", "")
    widths = [28, 16, 26, 14, 6]
    fields = ("what", "figure", "ratio", "goal", "verdict")

    def line(row: Row) -> str:
        return "  ".join(f"{getattr(row, f):<{w}}" for f, w in zip(fields, widths)).rstrip()

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
    parser.add_argument("--quick", action="store_true", help="fewer repeats (rougher figures)")
    parser.add_argument("--repeats", type=int, default=2_000, help="timed steps per small benchmark")
    args = parser.parse_args()
    repeats = 200 if args.quick else args.repeats
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # micrograd's backward recurses
    print(environment())
    print("one training step (forward + backward + SGD update), float64, median; lower is better\n")
    sections = [(shape.title, bench_shape(shape, repeats)) for shape in SHAPES]
    sections.append((f"per-op overhead: chain of {CHAIN_LENGTH:,} ops on shape (1,), forward + backward", bench_chain(repeats)))
    print_table(sections)


if __name__ == "__main__":
    main()
