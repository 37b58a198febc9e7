"""Trace contract v2: a trace as a *script* per network shape and *numbers* per pass.

The words, symbols, ids and formula structure of a trace depend only on the network's shape (sizes,
activations, loss, batch size, focus sample, optimizer); only the numbers change from pass to pass. So a
trace is sent as two documents:

* the script (:func:`build_script`): layers, node and edge ids, and the ordered steps, each with its
  narration key and params and its formulas as templates that refer to numbers by name and index (the
  token language is described in :mod:`app.tracing.render`). Its id is a hash of the shape and the
  contract version, so a client that holds it never needs it again;
* the numbers (:func:`trace_numbers`): named arrays of one pass, read from the engine's tensors after
  ``backward()``, with the update computed by :class:`app.nn.optim.SGD`.

Arrays per layer are lists indexed by layer, with ``None`` where a layer has no such array (the input
layer has no z, no W). Per-sample arrays are [batch][neuron]; weights are [out][in].
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import orjson

from app.nn.features import feature_symbol
from app.nn.mlp import MLP
from app.nn.optim import SGD
from app.tracing.features import formula_symbol
from app.tracing.notation import (
    ACTIVATION_DERIVATIVES,
    ACTIVATION_SYMBOLS,
    bias_symbol,
    delta_symbol,
    layer_sup,
    neuron_symbol,
    sub,
    target_symbol,
    weight_symbol,
    z_symbol,
)
from app.tracing.passes import Pass, health_numbers, run_pass
from app.tracing.render import join_terms

CONTRACT_VERSION = 2
SCRIPT_WORDING = 3  # raised when the words of a script change: a client holding a script by id never shows old words
MAX_TERMS_SHOWN = 8  # longer sums are written with their first terms and "+ …"
SCRIPT_CACHE_BYTES = 32 << 20  # the largest networks allowed make scripts of a few MB
PARSED_SCRIPTS_KEPT = 32  # small scripts are also kept as data: reading one again costs more than its trace
PARSED_SCRIPT_MAX_BYTES = 32_000
LEARNING_RATE_SYMBOL = "η"
JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY

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


@dataclass(frozen=True)
class TraceShape:
    """Everything a trace's script depends on."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # one per connection: the hidden layers', then the output layer's
    loss: str
    batch: int
    sample: int
    optimizer: str = "sgd"
    features: tuple[str, ...] = ()  # what each input neuron holds, as canonical expressions; () for the point

    @classmethod
    def of(cls, mlp: MLP, loss: str, batch: int, sample: int, features: tuple[str, ...] = ()) -> TraceShape:
        return cls(tuple(mlp.sizes), tuple(mlp.activations), loss, batch, sample, features=tuple(features))

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    @property
    def script_id(self) -> str:
        """A hash of the shape and the contract version: equal shapes, equal ids, on every server."""
        return _script_id(self)


@lru_cache(maxsize=4096)  # asked for by every trace; hashing the shape costs more than a small pass's steps
def _script_id(shape: TraceShape) -> str:
    key = {"contract": CONTRACT_VERSION, "wording": SCRIPT_WORDING, **asdict(shape)}
    return hashlib.sha256(orjson.dumps(key, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


# ---------------------------------------------------------------------------------------- the script
Index = int | str  # a number, or the name of the variable of an enclosing line loop


def ref(name: str, *index: Index) -> dict[str, Any]:
    """A number of the pass, as :func:`app.tracing.notation.num` writes it."""
    return {"ref": name, "index": list(index)}


def paren(name: str, *index: Index) -> dict[str, Any]:
    """The same, in parentheses when negative."""
    return {"ref": name, "index": list(index), "paren": True}


def weight(layer: int, to_index: Index, from_index: Index) -> dict[str, Any]:
    """The symbol of a weight, wⱼₖ⁽ˡ⁾."""
    return {"symbol": "weight", "layer": layer, "index": [to_index, from_index]}


def neuron(layer: int, index: Index) -> dict[str, Any]:
    """The symbol of an activation: xₖ, aₖ⁽ˡ⁾ or ŷₖ."""
    return {"symbol": "neuron", "layer": layer, "index": [index]}


def _for_each(variable: str, count: int, line: dict[str, Any]) -> dict[str, Any]:
    """``count`` lines, one per value 0 … count − 1 of ``variable``: a weight's lines differ only in k."""
    return {"for": variable, "count": count, "line": line}


def _sum(terms: list[Any]) -> dict[str, Any]:
    return {"sum": terms[: MAX_TERMS_SHOWN + 1]}  # one more than is shown tells the renderer to write "…"


def _terms(variable: str, count: int, term: list[Any]) -> dict[str, Any]:
    """``count`` terms of a sum from one template, ``variable`` = 0 … count − 1 in its indexes."""
    return {"for": variable, "count": count, "term": term}


def _line(
    lhs: str | list[Any], symbolic: str | list[Any], substituted: list[Any], value: dict[str, Any]
) -> dict[str, Any]:
    return {"lhs": lhs, "symbolic": symbolic, "substituted": substituted, "value": value}


class _ScriptWriter:
    """The steps of one shape, in the order and with the words v1's step writers use."""

    def __init__(self, shape: TraceShape) -> None:
        self.shape = shape
        self.sizes = list(shape.sizes)
        self.s = shape.sample
        self._edges: dict[tuple[int, int], list[str]] = {}
        self.inputs = [formula_symbol(text) for text in shape.features]  # the input neurons' names, if features

    def symbol(self, layer: int, index: int) -> str:
        if layer == 0 and self.inputs:
            return self.inputs[index]
        return neuron_symbol(layer, index, self.sizes)

    def batch_term(self, symbol: str) -> str:
        """A symbol with the sample it is taken at, inside a sum over the batch: δ₁⁽²⁾[n]."""
        return symbol if self.shape.batch == 1 else f"{symbol}[n]"

    def batch_sum(self, term: str) -> str:
        return term if self.shape.batch == 1 else f"Σₙ {term}"

    def sum_text(self, terms: list[str]) -> str:
        return join_terms(terms, MAX_TERMS_SHOWN)

    @staticmethod
    def shown(count: int) -> range:
        """The terms of a sum that are written: one more than shown tells :func:`join_terms` to write "…"."""
        return range(min(count, MAX_TERMS_SHOWN + 1))

    def edges_into(self, layer: int, j: int) -> list[str]:
        """The ids of the edges into neuron j, made once: three steps light them up."""
        key = (layer, j)
        if key not in self._edges:
            self._edges[key] = [edge_id(layer, j, k) for k in range(self.sizes[layer - 1])]
        return self._edges[key]

    def steps(self) -> list[dict[str, Any]]:
        depth, sizes = self.shape.depth, self.sizes
        steps = [self.input_step()]
        for layer in range(1, depth + 1):
            steps += [self.forward_step(layer, j) for j in range(sizes[layer])]
        steps.append(self.loss_step())
        steps += [self.output_delta_step(j) for j in range(sizes[depth])]
        steps += [self.weight_grad_step(depth, j) for j in range(sizes[depth])]
        for layer in range(depth - 1, 0, -1):
            steps += [self.hidden_delta_step(layer, j) for j in range(sizes[layer])]
            steps += [self.weight_grad_step(layer, j) for j in range(sizes[layer])]
        for layer in range(1, depth + 1):
            steps += [self.update_step(layer, j) for j in range(sizes[layer])]
        for index, step in enumerate(steps):
            step["index"] = index
        return steps

    @staticmethod
    def step(phase: str, kind: str, layer: int | None, neuron: int | None, **fields: Any) -> dict[str, Any]:
        return {"index": 0, "phase": phase, "kind": kind, "layer": layer, "neuron": neuron, **fields}

    def input_step(self) -> dict[str, Any]:
        size, features = self.sizes[0], self.shape.features
        narration: dict[str, Any] = {"key": "step.input", "params": {"count": size}}
        if features:  # the point the features were computed from is a number of the pass
            point = ["(", ref("points", self.s, 0), ", ", ref("points", self.s, 1), ")"]
            symbols = ", ".join(feature_symbol(text) for text in features)
            narration = {"key": "step.input_features", "params": {"count": size, "features": symbols, "point": point}}
        return self.step(
            "forward",
            "input",
            0,
            None,
            nodes=[node_id(0, k) for k in range(size)],
            edges=[],
            narration=narration,
            formula=[_line(self.symbol(0, k), "", [], ref("a", 0, self.s, k)) for k in range(size)],
        )

    def forward_step(self, layer: int, j: int) -> dict[str, Any]:
        s, fan_in = self.s, self.sizes[layer - 1]
        symbolic = self.sum_text(
            [f"{weight_symbol(layer, j, k)}·{self.symbol(layer - 1, k)}" for k in self.shown(fan_in)]
            + [bias_symbol(layer, j)]
        )
        terms = _terms("k", fan_in, [paren("W", layer, j, "k"), " × ", paren("a", layer - 1, s, "k")])
        activation = self.shape.activations[layer - 1]
        f, z, a_symbol = ACTIVATION_SYMBOLS[activation], z_symbol(layer, j), self.symbol(layer, j)
        return self.step(
            "forward",
            "neuron_forward",
            layer,
            j,
            nodes=[node_id(layer, j)],
            edges=self.edges_into(layer, j),
            narration={
                "key": "step.neuron_forward",
                "params": {"neuron": a_symbol, "activation": activation, "fan_in": fan_in},
            },
            formula=[
                _line(z, symbolic, [_sum([terms, [paren("b", layer, j)]])], ref("z", layer, s, j)),
                _line(a_symbol, f"{f}({z})", [f"{f}(", ref("z", layer, s, j), ")"], ref("a", layer, s, j)),
            ],
        )

    def loss_step(self) -> dict[str, Any]:
        shape, out = self.shape, self.shape.depth
        batch, outputs = shape.batch, self.sizes[-1]
        count = batch if shape.loss == "cross_entropy" else batch * outputs
        cells = [(n, j) for n in range(batch) for j in range(outputs)]
        shown = cells[: MAX_TERMS_SHOWN + 1]
        if shape.loss == "mse":
            total = _sum([["(", ref("a", out, n, j), " − ", ref("y", n, j), ")²"] for n, j in shown])
        elif shape.loss == "bce":
            total = _sum([self.bce_term(n, j) for n, j in shown])
        else:  # only the classes a sample's target holds are written: which they are is a number of the pass
            total = {
                "sum": [[ref("y", n, j), " × (", ref("log_softmax", n, j), ")"] for n, j in cells],
                "skip_zero": [ref("y", n, j) for n, j in cells],
            }
        sign = "" if shape.loss == "mse" else "−"
        return self.step(
            "loss",
            "loss",
            out,
            None,
            nodes=[node_id(out, j) for j in range(outputs)] + ["L"],
            edges=[f"{out}-{j}>L" for j in range(outputs)],
            narration={"key": f"step.loss.{shape.loss}", "params": {"count": count}},
            formula=[
                _line(
                    "L",
                    LOSS_FORMULAS[shape.loss][0].removeprefix("L = "),
                    [f"{sign}(1/{count}) × (", total, ")"],
                    ref("loss"),
                )
            ],
        )

    def bce_term(self, n: int, j: int) -> list[Any]:
        y, y_hat = ref("y", n, j), ref("a", self.shape.depth, n, j)
        return ["[", y, " ln ", y_hat, " + ", ref("one_minus_y", n, j), " ln ", ref("one_minus_y_hat", n, j), "]"]

    def output_delta_step(self, j: int) -> dict[str, Any]:
        shape, s, layer = self.shape, self.s, self.shape.depth
        y_hat, y = self.symbol(layer, j), target_symbol(j, self.sizes[-1])
        prediction, target = ref("a", layer, s, j), ref("y", s, j)
        n = shape.batch * self.sizes[layer]
        delta, z = delta_symbol(layer, j), z_symbol(layer, j)
        if shape.loss == "cross_entropy":  # softmax + cross-entropy hand back ∂L/∂z itself: one chain, on the logit
            lines = [
                _line(
                    delta,
                    f"∂L/∂{z} = (softmax(z{layer_sup(layer)}){sub(j)} − {y})/B",
                    ["(", ref("softmax", s, j), " − ", target, f") / {shape.batch}"],
                    ref("delta", layer, s, j),
                )
            ]
        else:
            upstream = ref("grad_a", layer, s, j)
            if shape.loss == "mse":
                substituted = ["2 × (", prediction, " − ", target, f") / {n}"]
                grad_line = _line(f"∂L/∂{y_hat}", f"2({y_hat} − {y})/N", substituted, upstream)
            else:
                substituted = ["(", prediction, " − ", target, f") / ({n} × ", prediction, " × "]
                substituted += [ref("one_minus_y_hat", s, j), ")"]
                symbolic = f"({y_hat} − {y}) / (N {y_hat}(1 − {y_hat}))"
                grad_line = _line(f"∂L/∂{y_hat}", symbolic, substituted, upstream)
            delta_line = _line(
                delta,
                f"∂L/∂{y_hat} · f′({z})",
                [paren("grad_a", layer, s, j), " × ", paren("slope", layer, s, j)],
                ref("delta", layer, s, j),
            )
            lines = [grad_line, delta_line]
        return self.step(
            "backward",
            "output_delta",
            layer,
            j,
            nodes=[node_id(layer, j), "L"],
            edges=[f"{layer}-{j}>L"],
            narration={
                "key": "step.output_delta",
                "params": {"neuron": y_hat, "activation": shape.activations[layer - 1], "loss": shape.loss},
            },
            formula=lines,
        )

    def hidden_delta_step(self, layer: int, j: int) -> dict[str, Any]:
        s, after = self.s, layer + 1
        fan_out = self.sizes[after]
        a_symbol = self.symbol(layer, j)
        symbolic = self.sum_text(
            [f"{weight_symbol(after, k, j)}·{delta_symbol(after, k)}" for k in self.shown(fan_out)]
        )
        terms = _terms("k", fan_out, [paren("W", after, "k", j), " × ", paren("delta", after, s, "k")])
        activation = self.shape.activations[layer - 1]
        return self.step(
            "backward",
            "hidden_delta",
            layer,
            j,
            nodes=[node_id(layer, j)],
            edges=[edge_id(after, k, j) for k in range(fan_out)],
            narration={"key": "step.hidden_delta", "params": {"neuron": a_symbol, "activation": activation}},
            formula=[
                _line(f"∂L/∂{a_symbol}", symbolic, [_sum([terms])], ref("grad_a", layer, s, j)),
                _line(
                    delta_symbol(layer, j),
                    f"∂L/∂{a_symbol} · f′({z_symbol(layer, j)})",
                    [paren("grad_a", layer, s, j), " × ", paren("slope", layer, s, j)],
                    ref("delta", layer, s, j),
                ),
            ],
        )

    def weight_grad_step(self, layer: int, j: int) -> dict[str, Any]:
        batch, fan_in = self.shape.batch, self.sizes[layer - 1]
        delta = delta_symbol(layer, j)
        products = _terms("n", batch, [paren("delta", layer, "n", j), " × ", paren("a", layer - 1, "n", "k")])
        product = f"{self.batch_term(delta)}·"
        if layer == 1 and self.inputs:  # a feature's name is not a symbol token: a line per input, named here
            lines = [
                _line(
                    ["∂L/∂", weight(layer, j, k)],
                    self.batch_sum(product + self.batch_term(self.inputs[k])),
                    [_sum([_terms("n", batch, [paren("delta", layer, "n", j), " × ", paren("a", 0, "n", k)])])],
                    ref("grad_W", layer, j, k),
                )
                for k in range(fan_in)
            ]
        else:
            symbolic = [self.batch_sum(product), neuron(layer - 1, "k"), "" if batch == 1 else "[n]"]
            line = _line(["∂L/∂", weight(layer, j, "k")], symbolic, [_sum([products])], ref("grad_W", layer, j, "k"))
            lines = [_for_each("k", fan_in, line)]
        lines.append(
            _line(
                f"∂L/∂{bias_symbol(layer, j)}",
                self.batch_sum(self.batch_term(delta)),
                [_sum([_terms("n", batch, [paren("delta", layer, "n", j)])])],
                ref("grad_b", layer, j),
            )
        )
        return self.step(
            "backward",
            "weight_grads",
            layer,
            j,
            nodes=[node_id(layer, j)],
            edges=self.edges_into(layer, j),
            narration={"key": "step.weight_grads", "params": {"neuron": self.symbol(layer, j), "batch": batch}},
            formula=lines,
        )

    def update_step(self, layer: int, j: int) -> dict[str, Any]:
        eta = ref("learning_rate")
        w = weight(layer, j, "k")
        substituted = [ref("W", layer, j, "k"), " − ", eta, " × ", paren("grad_W", layer, j, "k")]
        line = _line([w], [w, " − η·∂L/∂", w], substituted, ref("updated_W", layer, j, "k"))
        lines = [_for_each("k", self.sizes[layer - 1], line)]
        b = bias_symbol(layer, j)
        substituted = [ref("b", layer, j), " − ", eta, " × ", paren("grad_b", layer, j)]
        lines.append(_line(b, f"{b} − η·∂L/∂{b}", substituted, ref("updated_b", layer, j)))
        return self.step(
            "update",
            "update",
            layer,
            j,
            nodes=[node_id(layer, j)],
            edges=self.edges_into(layer, j),
            narration={"key": "step.update", "params": {"neuron": self.symbol(layer, j), "learning_rate": eta}},
            formula=lines,
        )

    def labels(self, layer: int) -> list[str]:
        if layer == 0 and self.shape.features:
            return [feature_symbol(text) for text in self.shape.features]
        return [self.symbol(layer, j) for j in range(self.sizes[layer])]

    def layers(self) -> list[dict[str, Any]]:
        depth = self.shape.depth
        return [
            {
                "index": layer,
                "size": size,
                "kind": "input" if layer == 0 else "output" if layer == depth else "hidden",
                **self.activation(layer),
                "labels": self.labels(layer),
                "nodes": [node_id(layer, j) for j in range(size)],
            }
            for layer, size in enumerate(self.sizes)
        ]

    def activation(self, layer: int) -> dict[str, str | None]:
        """A layer's activation with the words a client shows for it: its symbol (the op graph's f) and
        its local derivative f′(z) (the δ step's note); none for the input layer."""
        name = self.shape.activations[layer - 1] if layer else None
        return {
            "activation": name,
            "activation_symbol": ACTIVATION_SYMBOLS[name] if name else None,
            "activation_derivative": ACTIVATION_DERIVATIVES[name] if name else None,
        }


def build_script(shape: TraceShape) -> dict[str, Any]:
    """The script of every trace of this shape: all but the numbers."""
    writer = _ScriptWriter(shape)
    return {
        "script_id": shape.script_id,
        "contract": CONTRACT_VERSION,
        "shape": {
            **asdict(shape),
            "sizes": list(shape.sizes),
            "activations": list(shape.activations),
            "features": list(shape.features),
        },
        "max_terms_shown": MAX_TERMS_SHOWN,
        "learning_rate_symbol": LEARNING_RATE_SYMBOL,
        "loss": shape.loss,
        "loss_formulas": list(LOSS_FORMULAS[shape.loss]),
        "layers": writer.layers(),
        "steps": writer.steps(),
    }


class ScriptCache:
    """Scripts as JSON bytes by id, least recently used first out, within a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._scripts: OrderedDict[str, bytes] = OrderedDict()
        self._parsed: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # large traces are written in the threadpool

    def get(self, script_id: str) -> bytes | None:
        with self._lock:
            script = self._scripts.get(script_id)
            if script is not None:
                self._scripts.move_to_end(script_id)
            return script

    def script_for(self, shape: TraceShape) -> tuple[str, bytes]:
        """The id and JSON of the shape's script, written now if it is not kept."""
        script_id = shape.script_id
        script = self.get(script_id)
        if script is None:
            script = orjson.dumps(build_script(shape))
            self.put(script_id, script)
        return script_id, script

    def parsed(self, shape: TraceShape) -> dict[str, Any]:
        """The shape's script as data, read from the kept JSON (or built now and kept), as a client reads it.

        Callers only read it: a small one is the same object on every call."""
        script_id = shape.script_id
        with self._lock:
            data = self._parsed.get(script_id)
            if data is not None:
                self._parsed.move_to_end(script_id)
                return data
        script = self.get(script_id)
        if script is None:
            data = build_script(shape)
            script = orjson.dumps(data)
            self.put(script_id, script)
        else:
            data = orjson.loads(script)
        if len(script) <= PARSED_SCRIPT_MAX_BYTES:
            with self._lock:
                self._parsed[script_id] = data
                if len(self._parsed) > PARSED_SCRIPTS_KEPT:
                    self._parsed.popitem(last=False)
        return data

    def put(self, script_id: str, script: bytes) -> None:
        if len(script) > self.max_bytes:
            return
        with self._lock:
            if script_id in self._scripts:
                return
            self._scripts[script_id] = script
            self._size += len(script)
            while self._size > self.max_bytes:
                _, old = self._scripts.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._parsed.clear()
            self._size = 0

    def __contains__(self, script_id: str) -> bool:
        with self._lock:
            return script_id in self._scripts

    def __len__(self) -> int:
        return len(self._scripts)


scripts = ScriptCache(SCRIPT_CACHE_BYTES)


# ---------------------------------------------------------------------------------------- the numbers
def _updated_parameters(mlp: MLP, learning_rate: float) -> list[np.ndarray]:
    """W and b after one step of :class:`SGD`, as new arrays so the traced network keeps its values."""
    return [
        param.data.copy() if param.grad is None else SGD.stepped(param.data, param.grad, learning_rate)
        for param in mlp.parameters()
    ]


def _non_finite(arrays: dict[str, Any]) -> list[dict[str, Any]]:
    """Where each number that is sent as null is, and whether it was NaN, ∞ or −∞."""
    every = [
        array
        for value in arrays.values()
        for array in (value if isinstance(value, list) else (value,))
        if array is not None
    ]
    # One check of every number at once (``axis=None`` flattens each array, and a float is one number): a
    # pass nearly always has none to report, and looking for where array by array costs more than the rest
    # of writing a small pass's numbers.
    if np.isfinite(np.concatenate(every, axis=None)).all():
        return []
    named = [
        (name, layer if isinstance(value, list) else None, np.asarray(array))
        for name, value in arrays.items()
        for layer, array in enumerate(value if isinstance(value, list) else [value])
        if array is not None
    ]
    found = []
    for name, layer, array in named:
        for at in np.argwhere(~np.isfinite(array)).tolist():
            number = float(array[tuple(at)])
            kind = "nan" if math.isnan(number) else "inf" if number > 0 else "-inf"
            found.append({"ref": name, "index": at if layer is None else [layer, *at], "value": kind})
    return found


def pass_numbers(run: Pass, op_graphs: bool = False) -> dict[str, Any]:
    """Every number a script refers to, as NumPy arrays (``health`` as its raw numbers, see
    :func:`app.tracing.passes.health_numbers`), and with ``op_graphs`` those the neuron op graphs add.

    Call it under ``np.errstate(all="ignore")``, as :func:`run_pass`."""
    mlp, s, y = run.mlp, run.sample, run.targets
    layers = range(1, run.depth + 1)
    updated = _updated_parameters(mlp, run.learning_rate)
    arrays: dict[str, Any] = {
        "loss": float(run.loss.data),
        "learning_rate": float(run.learning_rate),
        "y": y,
        "a": [run.a(layer) for layer in range(run.depth + 1)],
        "z": [None, *(run.z(layer) for layer in layers)],
        "grad_a": [run.grad_a(layer) for layer in range(run.depth + 1)],
        "delta": [None, *(run.grad_z(layer) for layer in layers)],
        "slope": [None, *(run.slope(layer) for layer in layers)],
        "W": [None, *(w.data for w in mlp.weights)],
        "b": [None, *(b.data for b in mlp.biases)],
        "grad_W": [None, *(w.grad for w in mlp.weights)],
        "grad_b": [None, *(b.grad for b in mlp.biases)],
        "updated_W": [None, *updated[0::2]],
        "updated_b": [None, *updated[1::2]],
        # The focus sample's products the steps' term lists show: wⱼₖ·aₖ of zⱼ, and δⱼ·wⱼₖ of ∂L/∂aₖ.
        "w_times_a": [None, *(mlp.weights[i - 1].data * run.a(i - 1)[s] for i in layers)],
        "delta_times_w": [None, *(run.grad_z(i)[s][:, None] * mlp.weights[i - 1].data for i in layers)],
    }
    if op_graphs:  # what only the neuron op graphs show: each weight's gradient through this sample, Σₖ wⱼₖ·aₖ
        arrays["delta_times_a"] = [None, *(np.outer(run.grad_z(i)[s], run.a(i - 1)[s]) for i in layers)]
        arrays["weighted_sum"] = [None, *(run.z(i)[s] - mlp.biases[i - 1].data for i in layers)]
    if run.loss_name == "bce":
        arrays["one_minus_y"] = 1 - y
        arrays["one_minus_y_hat"] = 1 - run.a(run.depth)
    if run.loss_name == "cross_entropy":
        arrays["log_softmax"] = run.loss.saved
        arrays["softmax"] = np.exp(run.loss.saved)
    arrays["health"] = [None, *(health_numbers(run, layer) for layer in layers)]
    return arrays


def trace_numbers(
    mlp: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    learning_rate: float,
    sample: int = 0,
    op_graphs: bool = False,
    points: np.ndarray | None = None,
) -> dict[str, Any]:
    """One forward/backward pass and one SGD update: every number a script refers to, as NumPy arrays,
    and with ``op_graphs`` those the neuron op graphs add; with input features, the ``points`` [batch][2]
    they were computed from."""
    with np.errstate(all="ignore"):  # overflow is reported as null values and ``diverged``, not warned about
        arrays = pass_numbers(run_pass(mlp, inputs, targets, loss, learning_rate, sample), op_graphs)
    if points is not None:
        arrays["points"] = np.asarray(points, dtype=np.float64)
    health = arrays.pop("health")
    non_finite = _non_finite(arrays)
    arrays["health"] = [None, *(_health(numbers) for numbers in health[1:])]
    diverged = bool(non_finite) or not all(math.isfinite(numbers[2]) for numbers in health[1:])
    return {"sample": sample, "diverged": diverged, **arrays, "non_finite": non_finite}


def _health(numbers: np.ndarray) -> dict[str, Any]:
    dead, saturated, grad_norm, vanishing, exploding = numbers.tolist()
    return {
        "dead_fraction": dead,
        "saturated_fraction": saturated,
        "grad_norm": grad_norm if math.isfinite(grad_norm) else None,
        "vanishing": bool(vanishing),
        "exploding": bool(exploding),
    }


def numbers_json(numbers: dict[str, Any]) -> bytes:
    return orjson.dumps(numbers, option=JSON_OPTIONS)
