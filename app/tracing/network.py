"""One forward and backward pass of an MLP, told as an ordered list of steps with the real numbers.

Every number in a step is read from the engine's graph after ``loss.backward()``: activations and
pre-activations from the tensors, ∂L/∂a and ∂L/∂z from their ``.grad``, each activation's slope f′(z)
from its op's ``local`` derivative, and the parameter gradients from ``W.grad`` and ``b.grad``. The step
writer only arranges those numbers into formulas; it derives nothing.

The result is plain Python data (lists, floats, strings), ready for JSON. Non-finite floats are left
as they are; the serializer turns them into ``null`` and ``diverged`` says that it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.tensor import Tensor
from app.nn.mlp import MLP, ForwardPass
from app.tracing.notation import (
    ACTIVATION_DERIVATIVES,
    ACTIVATION_SYMBOLS,
    bias_symbol,
    delta_symbol,
    neuron_symbol,
    num,
    paren,
    sub,
    target_symbol,
    weight_symbol,
    z_symbol,
)

MAX_TERMS_SHOWN = 8  # longer sums are written with their first terms and "+ …"
SATURATION = 0.97  # |tanh| or σ beyond this (or below 1 − this) has a slope near 0
VANISHING_GRADIENT = 1e-6
EXPLODING_GRADIENT = 1e3

LOSS_FORMULAS = {
    "mse": ("L = (1/N) Σ (ŷ − y)²", "∂L/∂ŷ = 2(ŷ − y)/N"),
    "bce": ("L = −(1/N) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)]", "∂L/∂ŷ = (ŷ − y) / (N ŷ (1 − ŷ))"),
    "cross_entropy": ("L = −(1/B) Σ y · log softmax(z)", "∂L/∂z = (softmax(z) − y)/B"),
}


def node_id(layer: int, index: int) -> str:
    return f"{layer}-{index}"


def edge_id(layer: int, to_index: int, from_index: int) -> str:
    """The edge into neuron ``to_index`` of ``layer`` from neuron ``from_index`` of the layer before."""
    return f"{layer - 1}-{from_index}>{layer}-{to_index}"


def _line(lhs: str, symbolic: str, substituted: str, value: float) -> dict[str, Any]:
    return {"lhs": lhs, "symbolic": symbolic, "substituted": substituted, "value": value, "result": num(value)}


def _sum_text(terms: list[str]) -> str:
    if len(terms) > MAX_TERMS_SHOWN:
        terms = [*terms[:MAX_TERMS_SHOWN], "…"]
    return " + ".join(terms) if terms else "0"


@dataclass
class _Pass:
    """The tensors of one pass and the numbers the steps read from them."""

    mlp: MLP
    forward: ForwardPass
    loss: Tensor
    loss_name: str
    targets: np.ndarray
    learning_rate: float
    sample: int

    @property
    def sizes(self) -> list[int]:
        return self.mlp.sizes

    @property
    def depth(self) -> int:
        return self.mlp.depth

    def a(self, layer: int) -> np.ndarray:
        return self.forward.activations[layer].data

    def z(self, layer: int) -> np.ndarray:
        return self.forward.pre_activations[layer].data  # type: ignore[union-attr]

    def grad_a(self, layer: int) -> np.ndarray | None:
        return self.forward.activations[layer].grad

    def grad_z(self, layer: int) -> np.ndarray:
        return self.forward.pre_activations[layer].grad  # type: ignore[union-attr]

    def slope(self, layer: int) -> np.ndarray:
        """f′(z⁽ˡ⁾): the local derivative the activation op applied."""
        activation = self.forward.activations[layer]
        return activation.op.local(activation)[0]  # type: ignore[union-attr]


def trace_network(
    mlp: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    learning_rate: float,
    sample: int = 0,
    neuron_graphs: bool = True,
) -> dict[str, Any]:
    """Run one forward/backward pass and one SGD update; return layers, params and the steps."""
    for p in mlp.parameters():
        p.zero_grad()
    with np.errstate(all="ignore"):  # overflow is reported as null values and ``diverged``, not warned about
        forward = mlp.forward(inputs, input_requires_grad=True)
        loss_tensor = mlp.loss(forward.output, targets, loss)
        loss_tensor.backward()
    run = _Pass(mlp, forward, loss_tensor, loss, np.asarray(targets, dtype=np.float64), learning_rate, sample)
    with np.errstate(all="ignore"):
        layers = _layers(run)
        params = _params(run)
        steps = _steps(run, params)
        graphs = _neuron_graphs(run) if neuron_graphs else None
    loss_value = float(loss_tensor.data)
    diverged = not np.isfinite(loss_value) or any(
        not np.all(np.isfinite(np.asarray(p[key], dtype=np.float64)))
        for p in params
        for key in ("grad_weight", "updated_weight")
    )
    result: dict[str, Any] = {
        "loss": loss_value,
        "diverged": diverged,
        "sample": sample,
        "layers": layers,
        "params": params,
        "steps": steps,
    }
    if graphs is not None:
        result["neuron_graphs"] = graphs
    return result


# ---------------------------------------------------------------------------------------- layers and params
def _health(run: _Pass, layer: int) -> dict[str, Any]:
    """Signs of trouble a teacher points at: dead ReLUs, saturated units, vanishing or exploding gradients."""
    activation = run.mlp.activations[layer - 1]
    z, a = run.z(layer), run.a(layer)
    dead = saturated = 0.0
    if activation in ("relu", "leaky_relu"):
        dead = float(np.mean(np.all(z <= 0, axis=0)))
    if activation == "tanh":
        saturated = float(np.mean(np.abs(a) > SATURATION))
    elif activation == "sigmoid":
        saturated = float(np.mean((a > SATURATION) | (a < 1 - SATURATION)))
    grad_norm = float(np.linalg.norm(run.mlp.weights[layer - 1].grad))
    return {
        "dead_fraction": dead,
        "saturated_fraction": saturated,
        "grad_norm": grad_norm,
        "vanishing": bool(grad_norm < VANISHING_GRADIENT),
        "exploding": bool(not np.isfinite(grad_norm) or grad_norm > EXPLODING_GRADIENT),
    }


def _layers(run: _Pass) -> list[dict[str, Any]]:
    layers = []
    for layer, size in enumerate(run.sizes):
        entry: dict[str, Any] = {
            "index": layer,
            "size": size,
            "kind": "input" if layer == 0 else "output" if layer == run.depth else "hidden",
            "activation": None if layer == 0 else run.mlp.activations[layer - 1],
            "labels": [neuron_symbol(layer, j, run.sizes) for j in range(size)],
            "a": run.a(layer).tolist(),
            "z": None,
            "grad_a": None,
            "grad_z": None,
            "health": None,
        }
        grad_a = run.grad_a(layer)
        if grad_a is not None:
            entry["grad_a"] = grad_a.tolist()
        if layer > 0:
            entry["z"] = run.z(layer).tolist()
            entry["grad_z"] = run.grad_z(layer).tolist()
            entry["health"] = _health(run, layer)
        layers.append(entry)
    return layers


def _params(run: _Pass) -> list[dict[str, Any]]:
    params = []
    eta = run.learning_rate
    for layer, (w, b) in enumerate(zip(run.mlp.weights, run.mlp.biases, strict=True), start=1):
        params.append(
            {
                "layer": layer,
                "weight": w.data.tolist(),
                "bias": b.data.tolist(),
                "grad_weight": w.grad.tolist(),
                "grad_bias": b.grad.tolist(),
                "updated_weight": (w.data - eta * w.grad).tolist(),  # plain SGD: p ← p − η ∂L/∂p
                "updated_bias": (b.data - eta * b.grad).tolist(),
            }
        )
    return params


# ---------------------------------------------------------------------------------------- steps
def _steps(run: _Pass, params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [_input_step(run)]
    for layer in range(1, run.depth + 1):
        steps.extend(_forward_step(run, layer, j) for j in range(run.sizes[layer]))
    steps.append(_loss_step(run))
    output = run.depth
    steps.extend(_output_delta_step(run, j) for j in range(run.sizes[output]))
    steps.extend(_weight_grad_step(run, output, j) for j in range(run.sizes[output]))
    for layer in range(output - 1, 0, -1):
        steps.extend(_hidden_delta_step(run, layer, j) for j in range(run.sizes[layer]))
        steps.extend(_weight_grad_step(run, layer, j) for j in range(run.sizes[layer]))
    for layer in range(1, run.depth + 1):
        steps.extend(_update_step(run, params, layer, j) for j in range(run.sizes[layer]))
    for index, step in enumerate(steps):
        step["index"] = index
    return steps


def _step(phase: str, kind: str, layer: int | None, neuron: int | None, **fields: Any) -> dict[str, Any]:
    return {"index": 0, "phase": phase, "kind": kind, "layer": layer, "neuron": neuron, **fields}


def _input_step(run: _Pass) -> dict[str, Any]:
    s, x = run.sample, run.a(0)
    lines = [_line(neuron_symbol(0, k, run.sizes), "", "", float(x[s, k])) for k in range(run.sizes[0])]
    return _step(
        "forward",
        "input",
        0,
        None,
        nodes=[node_id(0, k) for k in range(run.sizes[0])],
        edges=[],
        narration={"key": "step.input", "params": {"count": run.sizes[0]}},
        formula=lines,
        values={"a": x[s].tolist()},
    )


def _forward_step(run: _Pass, layer: int, j: int) -> dict[str, Any]:
    s = run.sample
    w, b = run.mlp.weights[layer - 1].data, run.mlp.biases[layer - 1].data
    prev = run.a(layer - 1)[s]
    fan_in = run.sizes[layer - 1]
    symbolic = _sum_text(
        [f"{weight_symbol(layer, j, k)}·{neuron_symbol(layer - 1, k, run.sizes)}" for k in range(fan_in)]
        + [bias_symbol(layer, j)]
    )
    substituted = _sum_text([f"{paren(w[j, k])} × {paren(prev[k])}" for k in range(fan_in)] + [paren(b[j])])
    z, a = float(run.z(layer)[s, j]), float(run.a(layer)[s, j])
    activation = run.mlp.activations[layer - 1]
    f = ACTIVATION_SYMBOLS[activation]
    a_symbol = neuron_symbol(layer, j, run.sizes)
    lines = [
        _line(z_symbol(layer, j), symbolic, substituted, z),
        _line(a_symbol, f"{f}({z_symbol(layer, j)})", f"{f}({num(z)})", a),
    ]
    return _step(
        "forward",
        "neuron_forward",
        layer,
        j,
        nodes=[node_id(layer, j)],
        edges=[edge_id(layer, j, k) for k in range(fan_in)],
        narration={
            "key": "step.neuron_forward",
            "params": {"neuron": a_symbol, "activation": activation, "fan_in": fan_in},
        },
        formula=lines,
        values={
            "terms": [[float(w[j, k]), float(prev[k]), float(w[j, k] * prev[k])] for k in range(fan_in)],
            "bias": float(b[j]),
            "z": z,
            "a": a,
        },
    )


def _loss_step(run: _Pass) -> dict[str, Any]:
    prediction, target = run.a(run.depth), run.targets
    symbolic, _ = LOSS_FORMULAS[run.loss_name]
    flat_p, flat_t = prediction.reshape(-1), target.reshape(-1)
    count = flat_p.size if run.loss_name != "cross_entropy" else prediction.shape[0]
    if run.loss_name == "mse":
        terms = [f"({num(p)} − {num(t)})²" for p, t in zip(flat_p, flat_t, strict=True)]
    elif run.loss_name == "bce":
        terms = [f"[{num(t)} ln {num(p)} + {num(1 - t)} ln {num(1 - p)}]" for p, t in zip(flat_p, flat_t, strict=True)]
    else:
        log_probs = run.loss.saved
        terms = [f"{num(t)} × ({num(lp)})" for t, lp in zip(flat_t, log_probs.reshape(-1), strict=True) if t != 0]
    sign = "−" if run.loss_name != "mse" else ""
    substituted = f"{sign}(1/{count}) × ({_sum_text(terms)})"
    loss_value = float(run.loss.data)
    outputs = run.sizes[-1]
    return _step(
        "loss",
        "loss",
        run.depth,
        None,
        nodes=[node_id(run.depth, j) for j in range(outputs)] + ["L"],
        edges=[f"{run.depth}-{j}>L" for j in range(outputs)],
        narration={"key": f"step.loss.{run.loss_name}", "params": {"count": count}},
        formula=[_line("L", symbolic.removeprefix("L = "), substituted, loss_value)],
        values={
            "loss": loss_value,
            "prediction": prediction[run.sample].tolist(),
            "target": target[run.sample].tolist(),
        },
    )


def _output_delta_step(run: _Pass, j: int) -> dict[str, Any]:
    """δⱼ = ∂L/∂zⱼ = ∂L/∂ŷⱼ · f′(zⱼ): upstream (from the loss) × local (the activation's slope)."""
    s, layer = run.sample, run.depth
    y_hat = neuron_symbol(layer, j, run.sizes)
    y = target_symbol(j, run.sizes[-1])
    upstream = float(run.grad_a(layer)[s, j])  # type: ignore[index]
    local = float(run.slope(layer)[s, j])
    delta = float(run.grad_z(layer)[s, j])
    prediction, target = float(run.a(layer)[s, j]), float(run.targets[s, j])
    batch = run.a(layer).shape[0]
    n = run.a(layer).size
    if run.loss_name == "mse":
        grad_line = _line(
            f"∂L/∂{y_hat}", f"2({y_hat} − {y})/N", f"2 × ({num(prediction)} − {num(target)}) / {n}", upstream
        )
    elif run.loss_name == "bce":
        grad_line = _line(
            f"∂L/∂{y_hat}",
            f"({y_hat} − {y}) / (N {y_hat}(1 − {y_hat}))",
            f"({num(prediction)} − {num(target)}) / ({n} × {num(prediction)} × {num(1 - prediction)})",
            upstream,
        )
    else:
        probability = float(np.exp(run.loss.saved[s, j]))
        grad_line = _line(
            f"∂L/∂{z_symbol(layer, j)}",
            f"(softmax(z){sub(j)} − {y})/B",
            f"({num(probability)} − {num(target)}) / {batch}",
            upstream,
        )
    activation = run.mlp.activations[layer - 1]
    delta_line = _line(
        delta_symbol(layer, j),
        f"∂L/∂{y_hat} · f′({z_symbol(layer, j)})",
        f"{paren(upstream)} × {paren(local)}",
        delta,
    )
    return _step(
        "backward",
        "output_delta",
        layer,
        j,
        nodes=[node_id(layer, j), "L"],
        edges=[f"{layer}-{j}>L"],
        narration={
            "key": "step.output_delta",
            "params": {"neuron": y_hat, "activation": activation, "loss": run.loss_name},
        },
        formula=[grad_line, delta_line],
        values={"upstream": upstream, "local": local, "delta": delta, "derivative": ACTIVATION_DERIVATIVES[activation]},
    )


def _hidden_delta_step(run: _Pass, layer: int, j: int) -> dict[str, Any]:
    """∂L/∂aⱼ = Σₖ wₖⱼ δₖ (each outgoing edge: upstream δₖ × local wₖⱼ), then δⱼ = ∂L/∂aⱼ · f′(zⱼ)."""
    s = run.sample
    w_next = run.mlp.weights[layer].data
    deltas_next = run.grad_z(layer + 1)[s]
    fan_out = run.sizes[layer + 1]
    a_symbol = neuron_symbol(layer, j, run.sizes)
    symbolic = _sum_text([f"{weight_symbol(layer + 1, k, j)}·{delta_symbol(layer + 1, k)}" for k in range(fan_out)])
    substituted = _sum_text([f"{paren(w_next[k, j])} × {paren(deltas_next[k])}" for k in range(fan_out)])
    upstream = float(run.grad_a(layer)[s, j])  # type: ignore[index]
    local = float(run.slope(layer)[s, j])
    delta = float(run.grad_z(layer)[s, j])
    activation = run.mlp.activations[layer - 1]
    lines = [
        _line(f"∂L/∂{a_symbol}", symbolic, substituted, upstream),
        _line(
            delta_symbol(layer, j),
            f"∂L/∂{a_symbol} · f′({z_symbol(layer, j)})",
            f"{paren(upstream)} × {paren(local)}",
            delta,
        ),
    ]
    return _step(
        "backward",
        "hidden_delta",
        layer,
        j,
        nodes=[node_id(layer, j)],
        edges=[edge_id(layer + 1, k, j) for k in range(fan_out)],
        narration={"key": "step.hidden_delta", "params": {"neuron": a_symbol, "activation": activation}},
        formula=lines,
        values={
            "terms": [
                [float(w_next[k, j]), float(deltas_next[k]), float(w_next[k, j] * deltas_next[k])]
                for k in range(fan_out)
            ],
            "upstream": upstream,
            "local": local,
            "delta": delta,
            "derivative": ACTIVATION_DERIVATIVES[activation],
        },
    )


def _weight_grad_step(run: _Pass, layer: int, j: int) -> dict[str, Any]:
    """∂L/∂wⱼₖ = Σ over the batch of δⱼ · aₖ, and ∂L/∂bⱼ = Σ δⱼ (read from W.grad and b.grad)."""
    w, b = run.mlp.weights[layer - 1], run.mlp.biases[layer - 1]
    deltas = run.grad_z(layer)[:, j]
    prev = run.a(layer - 1)
    batch = prev.shape[0]
    fan_in = run.sizes[layer - 1]
    delta = delta_symbol(layer, j)
    shown = min(batch, MAX_TERMS_SHOWN + 1)  # _sum_text writes the first terms and "…": format no more
    lines = []
    for k in range(fan_in):
        a_prev = neuron_symbol(layer - 1, k, run.sizes)
        products = [f"{paren(deltas[n])} × {paren(prev[n, k])}" for n in range(shown)]
        symbolic = f"{delta}·{a_prev}" if batch == 1 else f"Σₙ {delta}·{a_prev}"
        lines.append(_line(f"∂L/∂{weight_symbol(layer, j, k)}", symbolic, _sum_text(products), float(w.grad[j, k])))
    bias_terms = [paren(deltas[n]) for n in range(shown)]
    lines.append(
        _line(
            f"∂L/∂{bias_symbol(layer, j)}",
            delta if batch == 1 else f"Σₙ {delta}",
            _sum_text(bias_terms),
            float(b.grad[j]),
        )
    )
    return _step(
        "backward",
        "weight_grads",
        layer,
        j,
        nodes=[node_id(layer, j)],
        edges=[edge_id(layer, j, k) for k in range(fan_in)],
        narration={
            "key": "step.weight_grads",
            "params": {"neuron": neuron_symbol(layer, j, run.sizes), "batch": batch},
        },
        formula=lines,
        values={"grad_weight": w.grad[j].tolist(), "grad_bias": float(b.grad[j])},
    )


def _update_step(run: _Pass, params: list[dict[str, Any]], layer: int, j: int) -> dict[str, Any]:
    """w ← w − η ∂L/∂w for every weight into neuron j, and its bias."""
    eta = run.learning_rate
    entry = params[layer - 1]
    lines = []
    for k in range(run.sizes[layer - 1]):
        old, grad, new = entry["weight"][j][k], entry["grad_weight"][j][k], entry["updated_weight"][j][k]
        lines.append(
            _line(
                weight_symbol(layer, j, k),
                f"{weight_symbol(layer, j, k)} − η·∂L/∂{weight_symbol(layer, j, k)}",
                f"{num(old)} − {num(eta)} × {paren(grad)}",
                new,
            )
        )
    old, grad, new = entry["bias"][j], entry["grad_bias"][j], entry["updated_bias"][j]
    lines.append(
        _line(
            bias_symbol(layer, j),
            f"{bias_symbol(layer, j)} − η·∂L/∂{bias_symbol(layer, j)}",
            f"{num(old)} − {num(eta)} × {paren(grad)}",
            new,
        )
    )
    return _step(
        "update",
        "update",
        layer,
        j,
        nodes=[node_id(layer, j)],
        edges=[edge_id(layer, j, k) for k in range(run.sizes[layer - 1])],
        narration={
            "key": "step.update",
            "params": {"neuron": neuron_symbol(layer, j, run.sizes), "learning_rate": eta},
        },
        formula=lines,
        values={"weight": entry["updated_weight"][j], "bias": new},
    )


# ---------------------------------------------------------------------------------------- neuron op graphs
def _neuron_graphs(run: _Pass) -> dict[str, dict[str, Any]]:
    """For each neuron, its computation as a small graph of ops, micrograd style, for the focus sample.

    wₖ·aₖ (one product per input) → Σ → + b → f → the rest of the network. Every product and the sum
    feed z with local derivative 1, so each carries δⱼ as its gradient; wₖ's gradient through this
    sample is δⱼ·aₖ and aₖ's is δⱼ·wₖ (upstream × local).
    """
    s = run.sample
    graphs: dict[str, dict[str, Any]] = {}
    for layer in range(1, run.depth + 1):
        w, b = run.mlp.weights[layer - 1].data, run.mlp.biases[layer - 1].data
        prev = run.a(layer - 1)[s]
        z, a = run.z(layer)[s], run.a(layer)[s]
        grad_z = run.grad_z(layer)[s]
        grad_a = run.grad_a(layer)[s]  # type: ignore[index]
        slope = run.slope(layer)[s]
        f = ACTIVATION_SYMBOLS[run.mlp.activations[layer - 1]]
        for j in range(run.sizes[layer]):
            delta = float(grad_z[j])
            nodes, edges = [], []
            for k in range(run.sizes[layer - 1]):
                w_id, a_id, p_id = f"w{k}", f"a{k}", f"p{k}"
                nodes += [
                    {"id": w_id, "op": "leaf", "label": weight_symbol(layer, j, k), "value": float(w[j, k]),
                     "grad": delta * float(prev[k])},
                    {"id": a_id, "op": "leaf", "label": neuron_symbol(layer - 1, k, run.sizes), "value": float(prev[k]),
                     "grad": delta * float(w[j, k])},
                    {"id": p_id, "op": "mul", "label": "×", "value": float(w[j, k] * prev[k]), "grad": delta},
                ]  # fmt: skip
                edges += [
                    {"source": w_id, "target": p_id, "local": float(prev[k]), "contribution": delta * float(prev[k])},
                    {"source": a_id, "target": p_id, "local": float(w[j, k]), "contribution": delta * float(w[j, k])},
                    {"source": p_id, "target": "sum", "local": 1.0, "contribution": delta},
                ]
            weighted_sum = float(z[j] - b[j])
            nodes += [
                {"id": "sum", "op": "sum", "label": "Σ", "value": weighted_sum, "grad": delta},
                {"id": "b", "op": "leaf", "label": bias_symbol(layer, j), "value": float(b[j]), "grad": delta},
                {"id": "z", "op": "add", "label": z_symbol(layer, j), "value": float(z[j]), "grad": delta},
                {"id": "a", "op": run.mlp.activations[layer - 1], "label": f"{f}", "value": float(a[j]),
                 "grad": float(grad_a[j])},
            ]  # fmt: skip
            edges += [
                {"source": "sum", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "b", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "z", "target": "a", "local": float(slope[j]), "contribution": delta},
            ]
            graphs[node_id(layer, j)] = {"nodes": nodes, "edges": edges, "output": "a"}
    return graphs
