"""A v1 trace: one forward and backward pass of an MLP and one SGD update, as a single JSON answer.

It is the trace contract v2 written out: the script of the pass's shape (:mod:`app.tracing.contract`)
rendered with the pass's numbers by :mod:`app.tracing.render`, laid out as v1 sends it — each layer's
and each connection's arrays, every step with the numbers its panel shows (``values``), and each
neuron's computation as a small op graph. The numbers are those v2 sends, including the update from
:class:`app.nn.optim.SGD`; this module only arranges them.

With input features (x₁², sin x₂, …) the script names each input neuron by its feature, and the answer
also says which feature each input holds and the points they were computed from.

The result is JSON bytes. Non-finite numbers go out as ``null``, and ``diverged`` says that one did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import orjson

from app.nn.features import FeatureMap
from app.nn.mlp import MLP
from app.tracing.contract import TraceShape, node_id, pass_numbers, scripts
from app.tracing.features import formula_symbol
from app.tracing.forms import fill_steps
from app.tracing.notation import bias_symbol, neuron_symbol, weight_symbol, z_symbol
from app.tracing.passes import run_pass
from app.tracing.render import Renderer

STOP_CHECK_STEPS = 64  # steps written between looks at whether the trace is still wanted
FORMS_MAX_STEPS = 200  # scripts of up to this many steps are filled from forms kept per shape

Numbers = dict[str, Any]  # a pass's arrays as nested lists, by name (see app.tracing.contract)


class TraceStopped(Exception):
    """A trace given up before it was written (its ``stop()`` held): nobody waits for it."""


def trace_network(
    mlp: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    learning_rate: float,
    sample: int = 0,
    neuron_graphs: bool = True,
    stop: Callable[[], bool] | None = None,
    features: FeatureMap | None = None,
    points: np.ndarray | None = None,
) -> bytes:
    """Run one forward/backward pass and one SGD update; return layers, params and the steps as JSON.
    With ``features``, ``inputs`` are ``features.transform(points)``.

    Writing the steps of a large network is most of the work: it ends early with :class:`TraceStopped`
    once ``stop()`` holds (asked every few dozen steps)."""
    with np.errstate(all="ignore"):  # overflow is reported as null values and ``diverged``, not warned about
        arrays = pass_numbers(run_pass(mlp, inputs, targets, loss, learning_rate, sample), neuron_graphs)
        diverged = _diverged(arrays, sample, neuron_graphs)
    canonical = () if features is None else tuple(features.canonical)
    if features is not None:
        arrays["points"] = np.asarray(points, dtype=np.float64)
    numbers = {name: _plain(value) for name, value in arrays.items()}
    script = scripts.parsed(TraceShape.of(mlp, loss, len(targets), sample, canonical))
    members = [
        b'{"loss":' + orjson.dumps(numbers["loss"]),
        b'"diverged":' + orjson.dumps(diverged),
        b'"sample":' + orjson.dumps(sample),
        b'"layers":' + orjson.dumps(list(_layers(script, numbers))),
        b'"params":' + orjson.dumps(list(_params(numbers))),
        b'"steps":[' + b",".join(_steps(script, numbers, stop)) + b"]",
    ]
    if neuron_graphs:
        members.append(b'"neuron_graphs":' + orjson.dumps(dict(_neuron_graphs(script, numbers))))
    if features is not None:
        labels = script["layers"][0]["labels"]
        written = [{"expression": text, "symbol": symbol} for text, symbol in zip(canonical, labels, strict=True)]
        members += [b'"features":' + orjson.dumps(written), b'"points":' + orjson.dumps(numbers["points"])]
    return b",".join(members) + b"}"


def _plain(value: Any) -> Any:
    """NumPy arrays as nested lists of floats (NaN and ±∞ kept: orjson writes them as null)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _diverged(arrays: dict[str, Any], sample: int, neuron_graphs: bool) -> bool:
    """Whether a number the answer sends is not finite: every array it holds, the focus sample's slopes
    and products, and the products only the op graphs show when they are sent."""
    sent = [np.asarray(arrays["loss"]), arrays["y"]]
    for name in ("a", "z", "grad_a", "delta", "W", "b", "grad_W", "grad_b", "updated_W", "updated_b", "w_times_a"):
        sent += [array for array in arrays[name] if array is not None]
    sent += [slope[sample] for slope in arrays["slope"][1:]]
    sent += [health[2:3] for health in arrays["health"][1:]]  # ‖∂L/∂W‖
    products = arrays["delta_times_w"][1:]
    if neuron_graphs:
        sent += arrays["delta_times_a"][1:] + arrays["weighted_sum"][1:]
    else:
        products = products[1:]  # δ·w into the first layer is shown only in its op graphs
    sent += products
    return not np.isfinite(np.concatenate([array.ravel() for array in sent])).all()


def _layers(script: dict[str, Any], numbers: Numbers) -> Iterator[dict[str, Any]]:
    for layer in script["layers"]:
        index = layer["index"]
        yield {
            "index": index,
            "size": layer["size"],
            "kind": layer["kind"],
            "activation": layer["activation"],
            "labels": layer["labels"],
            "a": numbers["a"][index],
            "z": numbers["z"][index],
            "grad_a": numbers["grad_a"][index],
            "grad_z": numbers["delta"][index],
            "health": _health(numbers["health"][index]) if index else None,
        }


def _health(numbers: list[float]) -> dict[str, Any]:
    dead, saturated, grad_norm, vanishing, exploding = numbers
    return {
        "dead_fraction": dead,
        "saturated_fraction": saturated,
        "grad_norm": grad_norm,
        "vanishing": bool(vanishing),
        "exploding": bool(exploding),
    }


def _params(numbers: Numbers) -> Iterator[dict[str, Any]]:
    for layer in range(1, len(numbers["W"])):
        yield {
            "layer": layer,
            "weight": numbers["W"][layer],
            "bias": numbers["b"][layer],
            "grad_weight": numbers["grad_W"][layer],
            "grad_bias": numbers["grad_b"][layer],
            "updated_weight": numbers["updated_W"][layer],
            "updated_bias": numbers["updated_b"][layer],
        }


# ---------------------------------------------------------------------------------------- steps
def _steps(script: dict[str, Any], numbers: Numbers, stop: Callable[[], bool] | None) -> Iterator[bytes]:
    """Each step rendered and written as JSON on its own, so that only one is ever held as Python objects.

    A small script's steps are filled from its forms, kept per shape (:mod:`app.tracing.forms`); a large
    one's are rendered: its first trace would pay for the forms, and they would take memory."""
    renderer = Renderer(script, numbers)
    panel = _Panel(script, numbers)
    steps = script["steps"]
    written = fill_steps(script, renderer) if len(steps) <= FORMS_MAX_STEPS else map(renderer.step, steps)
    for number, step in enumerate(written):
        if stop is not None and number % STOP_CHECK_STEPS == 0 and stop():
            raise TraceStopped
        yield orjson.dumps({**step, "values": panel.values(step)})


class _Panel:
    """The numbers each step's panel shows beside its formulas, by step kind."""

    def __init__(self, script: dict[str, Any], numbers: Numbers) -> None:
        self.n = numbers
        self.s = script["shape"]["sample"]
        self.derivatives: list[str | None] = [layer["activation_derivative"] for layer in script["layers"]]

    def values(self, step: dict[str, Any]) -> dict[str, Any]:
        write: Callable[[int, int], dict[str, Any]] = getattr(self, step["kind"])
        return write(step["layer"], step["neuron"])

    def input(self, layer: int, j: None) -> dict[str, Any]:
        return {"a": self.n["a"][0][self.s]}

    def neuron_forward(self, layer: int, j: int) -> dict[str, Any]:
        n, s = self.n, self.s
        terms = zip(n["W"][layer][j], n["a"][layer - 1][s], n["w_times_a"][layer][j], strict=True)
        return {
            "terms": [list(term) for term in terms],
            "bias": n["b"][layer][j],
            "z": n["z"][layer][s][j],
            "a": n["a"][layer][s][j],
        }

    def loss(self, layer: int, j: None) -> dict[str, Any]:
        n = self.n
        return {"loss": n["loss"], "prediction": n["a"][layer][self.s], "target": n["y"][self.s]}

    def output_delta(self, layer: int, j: int) -> dict[str, Any]:
        return self._delta(layer, j)

    def hidden_delta(self, layer: int, j: int) -> dict[str, Any]:
        n, s, after = self.n, self.s, layer + 1
        terms = [
            [row[j], delta, product[j]]
            for row, delta, product in zip(n["W"][after], n["delta"][after][s], n["delta_times_w"][after], strict=True)
        ]
        return {"terms": terms, **self._delta(layer, j)}

    def _delta(self, layer: int, j: int) -> dict[str, Any]:
        n, s = self.n, self.s
        return {
            "upstream": n["grad_a"][layer][s][j],
            "local": n["slope"][layer][s][j],
            "delta": n["delta"][layer][s][j],
            "derivative": self.derivatives[layer],
        }

    def weight_grads(self, layer: int, j: int) -> dict[str, Any]:
        return {"grad_weight": self.n["grad_W"][layer][j], "grad_bias": self.n["grad_b"][layer][j]}

    def update(self, layer: int, j: int) -> dict[str, Any]:
        return {"weight": self.n["updated_W"][layer][j], "bias": self.n["updated_b"][layer][j]}


# ---------------------------------------------------------------------------------------- neuron op graphs
def _neuron_graphs(script: dict[str, Any], numbers: Numbers) -> Iterator[tuple[str, dict[str, Any]]]:
    """For each neuron, its computation as a small graph of ops, micrograd style, for the focus sample.

    wₖ·aₖ (one product per input) → Σ → + b → f → the rest of the network. Every product and the sum
    feed z with local derivative 1, so each carries δⱼ as its gradient; wₖ's gradient through this
    sample is δⱼ·aₖ and aₖ's is δⱼ·wₖ (upstream × local).
    """
    n, s = numbers, script["shape"]["sample"]
    sizes = script["shape"]["sizes"]
    inputs = [formula_symbol(text) for text in script["shape"]["features"]]  # features name the inputs

    def symbol(layer: int, k: int) -> str:
        return inputs[k] if layer == 0 and inputs else neuron_symbol(layer, k, sizes)

    for layer in range(1, len(sizes)):
        activation, f = script["layers"][layer]["activation"], script["layers"][layer]["activation_symbol"]
        for j in range(sizes[layer]):
            delta = n["delta"][layer][s][j]
            nodes, edges = [], []
            for k in range(sizes[layer - 1]):
                w, a, w_a = n["W"][layer][j][k], n["a"][layer - 1][s][k], n["w_times_a"][layer][j][k]
                w_grad, a_grad = n["delta_times_a"][layer][j][k], n["delta_times_w"][layer][j][k]
                label = weight_symbol(layer, j, k)
                nodes += [
                    {"id": f"w{k}", "op": "leaf", "label": label, "value": w, "grad": w_grad},
                    {"id": f"a{k}", "op": "leaf", "label": symbol(layer - 1, k), "value": a, "grad": a_grad},
                    {"id": f"p{k}", "op": "mul", "label": "×", "value": w_a, "grad": delta},
                ]  # fmt: skip
                edges += [
                    {"source": f"w{k}", "target": f"p{k}", "local": a, "contribution": w_grad},
                    {"source": f"a{k}", "target": f"p{k}", "local": w, "contribution": a_grad},
                    {"source": f"p{k}", "target": "sum", "local": 1.0, "contribution": delta},
                ]
            nodes += [
                {"id": "sum", "op": "sum", "label": "Σ", "value": n["weighted_sum"][layer][j], "grad": delta},
                {"id": "b", "op": "leaf", "label": bias_symbol(layer, j), "value": n["b"][layer][j], "grad": delta},
                {"id": "z", "op": "add", "label": z_symbol(layer, j), "value": n["z"][layer][s][j], "grad": delta},
                {"id": "a", "op": activation, "label": f,
                 "value": n["a"][layer][s][j], "grad": n["grad_a"][layer][s][j]},
            ]  # fmt: skip
            edges += [
                {"source": "sum", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "b", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "z", "target": "a", "local": n["slope"][layer][s][j], "contribution": delta},
            ]
            yield node_id(layer, j), {"nodes": nodes, "edges": edges, "output": "a"}
