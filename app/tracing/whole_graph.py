"""The whole pass as a graph of scalar operations, micrograd's ``draw_dot`` for a small network.

Every weight, bias and input becomes its own scalar tensor of the engine, and the pass is run again one
number at a time: for each sample n and neuron j of layer l

    pⱼₖ = wⱼₖ · aₖ        one product per input (engine ``mul``)
    Σⱼ  = Σₖ pⱼₖ          the weighted sum
    zⱼ  = Σⱼ + bⱼ         (engine ``add``)
    aⱼ  = f(zⱼ)           the layer's activation op

then the loss, per element (mse: (ŷ − y)², bce: the engine's BCE of one output) or per sample
(cross-entropy: log Σ exp z, z − log Σ exp z, y·(…), −Σ), and L as their mean. ``backward()`` of the
engine then gives ∂L/∂(every node). Nothing is copied from the tensor trace: the two computations meet
only in the tests, which is what makes them a check of each other.

Each node carries the indexes of the script's steps it belongs to (the step that computes its value, the
one that computes its gradient, the update of a parameter), so a player can light the current step.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.engine import functions as F
from app.engine import ops
from app.engine.tensor import Tensor
from app.nn.mlp import ACTIVATION_OPS, MLP
from app.tracing.notation import ACTIVATION_SYMBOLS, bias_symbol, target_symbol, weight_symbol, z_symbol

LOSS_NODE = "L"


class ScaledSum(ops.Op):
    """y = c · Σᵢ xᵢ over any number of scalars;  vjp: g ↦ c·g for every input.

    Σ (c = 1), a mean (c = 1/n) and −Σ (c = −1) are one node each, as the lesson writes them, where the
    engine's binary add would draw a chain of partial sums."""

    name, symbol = "sum", "Σ"

    @staticmethod
    def forward(*xs: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, Any]:
        return np.asarray(scale * sum(float(x) for x in xs)), None

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> ops.Grads:
        scale = (node.params or {}).get("scale", 1.0)
        return tuple(g * scale if x.requires_grad else None for x in node.inputs)


class LogSumExp(ops.Op):
    """y = log Σᵢ e^{xᵢ} (shifted by the largest xᵢ, so no term overflows);  vjp: g ↦ g · softmax(x)ᵢ."""

    name, symbol = "logsumexp", "log Σ exp"

    @staticmethod
    def forward(*xs: np.ndarray) -> tuple[np.ndarray, Any]:
        values = np.array([float(x) for x in xs])
        top = values.max()
        softmax = np.exp(values - top)
        total = softmax.sum()
        return np.asarray(top + np.log(total)), softmax / total

    @classmethod
    def vjp(cls, g: np.ndarray, node: Tensor) -> ops.Grads:
        return tuple(g * p if x.requires_grad else None for x, p in zip(node.inputs, node.saved, strict=True))


def node_count(sizes: Sequence[int], batch: int, loss: str) -> int:
    """How many nodes :func:`build_pass_graph` makes, known before it makes them (to refuse large ones)."""
    parameters = sum(n * (fan_in + 1) for fan_in, n in itertools.pairwise(sizes))
    outputs = sizes[-1]
    per_sample = sizes[0] + sum(n * (fan_in + 3) for fan_in, n in itertools.pairwise(sizes)) + outputs
    per_sample += {"mse": 2 * outputs, "bce": outputs, "cross_entropy": 2 + 2 * outputs}[loss]
    return parameters + batch * per_sample + 1


class _GraphWriter:
    """Builds the scalar graph with the engine and remembers each node's description."""

    def __init__(self, mlp: MLP, labels: Sequence[Sequence[str]], steps: Sequence[Mapping[str, Any]]) -> None:
        self.mlp = mlp
        self.sizes = list(mlp.sizes)
        self.labels = labels
        self.nodes: list[dict[str, Any]] = []
        self.tensors: list[Tensor] = []
        self.edges: list[dict[str, str]] = []
        self.ids: dict[int, str] = {}
        self.step_of = _step_index(steps)
        # the inputs' gradients are complete once the backward pass is: no step of its own computes them
        self.backward_end = max((step["index"] for step in steps if step["phase"] == "backward"), default=None)

    def add(self, tensor: Tensor, node_id: str, kind: str, label: str, symbol: str, **where: Any) -> Tensor:
        """Record ``tensor`` as a node, with an edge from each of its inputs that is a node."""
        self.ids[id(tensor)] = node_id
        self.tensors.append(tensor)
        op = tensor.op.name if tensor.op is not None else "leaf"
        place = {"layer": None, "neuron": None, "input": None, "sample": None, **where}
        self.nodes.append({"id": node_id, "kind": kind, "op": op, "symbol": symbol, "label": label, **place})
        for operand, parent in enumerate(tensor.inputs):
            source = self.ids.get(id(parent))
            if source is not None:
                self.edges.append({"source": source, "target": node_id, "operand": operand})
        return tensor

    def steps(self, *keys: tuple[Any, ...]) -> list[int]:
        return sorted({self.step_of[key] for key in keys if key in self.step_of})

    def at(self, key: tuple[Any, ...]) -> int | None:
        """The index of the step that does ``key`` (what, layer, neuron), or None when no step does."""
        return self.step_of.get(key)

    def loss_steps(self, output: int | None) -> dict[str, Any]:
        """The steps of a loss op: the loss step computes its value, the δ step of its output (of the first
        output, for ops every output passes through) its gradient."""
        depth = len(self.sizes) - 1
        outputs = range(self.sizes[-1]) if output is None else [output]
        deltas = [("delta", depth, i) for i in outputs]
        grads = [self.at(key) for key in deltas]
        return {
            "steps": self.steps(("loss", depth, None), *deltas),
            "value_step": self.at(("loss", depth, None)),
            "grad_step": min((g for g in grads if g is not None), default=None),
        }

    def parameters(self) -> tuple[list[list[list[Tensor]]], list[list[Tensor]]]:
        weights: list[list[list[Tensor]]] = [[]]
        biases: list[list[Tensor]] = [[]]
        for layer, (w, b) in enumerate(zip(self.mlp.weights, self.mlp.biases, strict=True), start=1):
            rows, columns = w.data.shape
            weights.append(
                [
                    [
                        self.add(
                            Tensor(w.data[j, k], requires_grad=True),
                            f"w{layer}.{j}.{k}",
                            "weight",
                            weight_symbol(layer, j, k),
                            "",
                            layer=layer,
                            neuron=j,
                            input=k,
                            steps=self.steps(("forward", layer, j), ("grads", layer, j), ("update", layer, j)),
                            value_step=None,
                            grad_step=self.at(("grads", layer, j)),
                        )
                        for k in range(columns)
                    ]
                    for j in range(rows)
                ]
            )
            biases.append(
                [
                    self.add(
                        Tensor(b.data[j], requires_grad=True),
                        f"b{layer}.{j}",
                        "bias",
                        bias_symbol(layer, j),
                        "",
                        layer=layer,
                        neuron=j,
                        steps=self.steps(("forward", layer, j), ("grads", layer, j), ("update", layer, j)),
                        value_step=None,
                        grad_step=self.at(("grads", layer, j)),
                    )
                    for j in range(rows)
                ]
            )
        return weights, biases

    def sample(self, n: int, x: np.ndarray, weights: list[Any], biases: list[Any]) -> list[Tensor]:
        """The forward pass of sample n, one scalar op at a time; its outputs."""
        a = [
            self.add(
                Tensor(x[k], requires_grad=True),
                f"a0.{k}@{n}",
                "input",
                self.labels[0][k],
                "",
                layer=0,
                neuron=k,
                sample=n,
                steps=self.steps(("input", 0, None)),
                value_step=self.at(("input", 0, None)),
                grad_step=self.backward_end,
            )
            for k in range(self.sizes[0])
        ]
        depth = len(self.sizes) - 1
        for layer in range(1, depth + 1):
            activation = self.mlp.activations[layer - 1]
            outputs = []
            for j in range(self.sizes[layer]):
                where = {
                    "layer": layer,
                    "neuron": j,
                    "sample": n,
                    "value_step": self.at(("forward", layer, j)),
                    "grad_step": self.at(("delta", layer, j)),
                }
                computed = self.steps(("forward", layer, j), ("delta", layer, j))
                products = [
                    self.add(
                        F.mul(weights[layer][j][k], a_k),
                        f"p{layer}.{j}.{k}@{n}",
                        "product",
                        f"{weight_symbol(layer, j, k)}·{self.labels[layer - 1][k]}",
                        "×",
                        input=k,
                        steps=self.steps(
                            ("forward", layer, j), ("delta", layer, j), ("grads", layer, j), ("delta", layer - 1, k)
                        ),
                        **where,
                    )
                    for k, a_k in enumerate(a)
                ]
                total = self.add(
                    F.apply(ScaledSum, *products), f"s{layer}.{j}@{n}", "sum", "Σₖ wₖ·aₖ", "Σ", steps=computed, **where
                )
                z = self.add(
                    F.add(total, biases[layer][j]), f"z{layer}.{j}@{n}", "pre_activation", z_symbol(layer, j), "+",
                    steps=computed, **where,
                )  # fmt: skip
                out = self.add(
                    F.apply(ACTIVATION_OPS[activation], z),
                    f"a{layer}.{j}@{n}",
                    "activation",
                    self.labels[layer][j],
                    ACTIVATION_SYMBOLS[activation],
                    steps=computed,
                    **where,
                )
                outputs.append(out)
            a = outputs
        return a

    def sample_loss(self, n: int, outputs: list[Tensor], y: np.ndarray, loss: str) -> list[Tensor]:
        """The terms of L that sample n adds: one per output (mse, bce) or its own loss (cross-entropy)."""
        depth = len(self.sizes) - 1
        targets = [
            self.add(
                Tensor(y[j]),
                f"y{j}@{n}",
                "target",
                target_symbol(j, len(outputs)),
                "",
                neuron=j,
                sample=n,
                steps=self.steps(("loss", depth, None)),
                value_step=self.at(("loss", depth, None)),
                grad_step=None,
            )
            for j in range(len(outputs))
        ]

        if loss == "cross_entropy":
            lse = self.add(
                F.apply(LogSumExp, *outputs), f"lse@{n}", "loss", "log Σ exp z", "log Σ exp", sample=n,
                **self.loss_steps(None),
            )  # fmt: skip
            terms = []
            for j, (out, target) in enumerate(zip(outputs, targets, strict=True)):
                log_p = self.add(
                    F.sub(out, lse), f"ls{j}@{n}", "loss", f"log softmax({self.labels[depth][j]})", "−",
                    neuron=j, sample=n, **self.loss_steps(j),
                )  # fmt: skip
                terms.append(
                    self.add(
                        F.mul(target, log_p), f"t{j}@{n}", "loss", f"{target_symbol(j, len(outputs))}·log softmax", "×", neuron=j, sample=n,
                        **self.loss_steps(j),
                    )
                )  # fmt: skip
            own = F.apply(ScaledSum, *terms, scale=-1.0)
            return [self.add(own, f"l@{n}", "loss", "−Σ y·log softmax", "−Σ", sample=n, **self.loss_steps(None))]
        terms = []
        for j, (out, target) in enumerate(zip(outputs, targets, strict=True)):
            where = {"neuron": j, "sample": n, **self.loss_steps(j)}
            y_hat, y_symbol = self.labels[depth][j], target_symbol(j, len(outputs))
            if loss == "mse":
                diff = self.add(F.sub(out, target), f"d{j}@{n}", "loss", f"{y_hat} − {y_symbol}", "−", **where)
                terms.append(
                    self.add(F.power(diff, 2.0), f"q{j}@{n}", "loss", f"({y_hat} − {y_symbol})²", "²", **where)
                )
            else:
                term = F.binary_cross_entropy(out, target)
                terms.append(self.add(term, f"e{j}@{n}", "loss", f"BCE({y_hat}, {y_symbol})", "BCE", **where))
        return terms

    def describe(self) -> None:
        """Each node's value and gradient, read from its tensor after ``backward()`` (null if not finite)."""
        for node, tensor in zip(self.nodes, self.tensors, strict=True):
            node["value"] = _finite(tensor.data)
            node["grad"] = None if tensor.grad is None else _finite(tensor.grad)


def _finite(value: np.ndarray) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _step_index(steps: Sequence[Mapping[str, Any]]) -> dict[tuple[Any, ...], int]:
    """(what, layer, neuron) → the index of the script's step that does it."""
    kinds = {
        "input": "input",
        "neuron_forward": "forward",
        "loss": "loss",
        "output_delta": "delta",
        "hidden_delta": "delta",
        "weight_grads": "grads",
        "update": "update",
    }
    return {(kinds[step["kind"]], step["layer"], step["neuron"]): step["index"] for step in steps}


def build_pass_graph(
    mlp: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    labels: Sequence[Sequence[str]],
    steps: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Every scalar operation of the pass, with its value and ∂L/∂(node), and the edges between them.

    ``labels`` are the script's neuron symbols per layer and ``steps`` its steps (which give each node the
    steps it belongs to). Call it under ``np.errstate(all="ignore")``: overflow is sent as null."""
    writer = _GraphWriter(mlp, labels, steps)
    weights, biases = writer.parameters()
    terms: list[Tensor] = []
    for n in range(len(inputs)):
        outputs = writer.sample(n, inputs[n], weights, biases)
        terms += writer.sample_loss(n, outputs, targets[n], loss)
    total = F.apply(ScaledSum, *terms, scale=1.0 / len(terms))
    writer.add(total, LOSS_NODE, "loss", "L", "mean", **writer.loss_steps(None))
    total.backward()
    writer.describe()
    return {
        "nodes": writer.nodes,
        "edges": writer.edges,
        "output": LOSS_NODE,
        "batch": len(inputs),
        "diverged": any(node["value"] is None for node in writer.nodes),
    }
