"""One forward and backward pass of an MLP, told as an ordered list of steps with the real numbers.

Every number in a step is read from the engine's graph after ``loss.backward()``: activations and
pre-activations from the tensors, ∂L/∂a and ∂L/∂z from their ``.grad``, each activation's slope f′(z)
from its op's ``local`` derivative, and the parameter gradients from ``W.grad`` and ``b.grad``. The step
writer only arranges those numbers into formulas; it derives nothing.

Written once per shape, filled per pass: the words, symbols and structure of a trace depend only on the
network's shape (sizes, activations, loss, batch size, focus sample); only the numbers change. So the step
writers below run once per shape and write a *plan*: the JSON text of the steps with a slot for every
number, and for each slot which number of the pass goes there. A pass gathers its numbers from the
tensors into one vector (:func:`_number_table`), formats them all at once and fills the slots. Plans are
kept, least recently used first out, within :data:`PLAN_CACHE_BYTES`.

The result is JSON bytes. Non-finite numbers go out as ``null``, and ``diverged`` says that it happened.
"""

from __future__ import annotations

import math
import operator
import re
import threading
from array import array as typed_array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from app.engine.tensor import Tensor
from app.nn.mlp import MLP, ForwardPass
from app.tracing.notation import (
    ACTIVATION_DERIVATIVES,
    ACTIVATION_SYMBOLS,
    bias_symbol,
    delta_symbol,
    neuron_symbol,
    num,
    sub,
    target_symbol,
    weight_symbol,
    z_symbol,
)

MAX_TERMS_SHOWN = 8  # longer sums are written with their first terms and "+ …"
SATURATION = 0.97  # |tanh| or σ beyond this (or below 1 − this) has a slope near 0
VANISHING_GRADIENT = 1e-6
EXPLODING_GRADIENT = 1e3
STOP_CHECK_SLOTS = 4096  # placeholders made between looks at whether the trace is still wanted (~10 ms)
SLOT_MEMO_LIMIT = 50_000  # placeholders remembered while a plan is written: ~10 MB, and most repeats are near
PLAN_CACHE_BYTES = 32 << 20  # a plan is about as large as its steps' JSON; big networks make big plans

LOSS_FORMULAS = {
    "mse": ("L = (1/N) Σ (ŷ − y)²", "∂L/∂ŷ = 2(ŷ − y)/N"),
    "bce": ("L = −(1/N) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)]", "∂L/∂ŷ = (ŷ − y) / (N ŷ (1 − ŷ))"),
    "cross_entropy": ("L = −(1/B) Σ y · log softmax(z)", "∂L/∂z = (softmax(z) − y)/B"),
}

JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def node_id(layer: int, index: int) -> str:
    return f"{layer}-{index}"


def edge_id(layer: int, to_index: int, from_index: int) -> str:
    """The edge into neuron ``to_index`` of ``layer`` from neuron ``from_index`` of the layer before."""
    return f"{layer - 1}-{from_index}>{layer}-{to_index}"


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

    @property
    def batch(self) -> int:
        return self.targets.shape[0]

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
    stop: Callable[[], bool] | None = None,
) -> bytes:
    """Run one forward/backward pass and one SGD update; return layers, params and the steps as JSON.

    Writing the steps of a new network shape is most of the work: it ends early with :class:`TraceStopped`
    once ``stop()`` holds (asked every few thousand placeholders)."""
    for p in mlp.parameters():
        p.zero_grad()
    with np.errstate(all="ignore"):  # overflow is reported as null values and ``diverged``, not warned about
        forward = mlp.forward(inputs, input_requires_grad=True)
        loss_tensor = mlp.loss(forward.output, targets, loss)
        loss_tensor.backward()
        run = _Pass(mlp, forward, loss_tensor, loss, np.asarray(targets, dtype=np.float64), learning_rate, sample)
        table = _number_table(run)
        plan = _plan_for(run, table, neuron_graphs, stop)
        return plan.fill(np.concatenate([array.ravel() for array in table.values()]))


# ---------------------------------------------------------------------------------------- layers and params
def _health_numbers(run: _Pass, layer: int) -> np.ndarray:
    """Signs of trouble a teacher points at: dead ReLUs, saturated units, vanishing or exploding gradients.

    As numbers: [dead fraction, saturated fraction, ‖∂L/∂W‖, vanishing (0/1), exploding (0/1)].
    """
    activation = run.mlp.activations[layer - 1]
    z, a = run.z(layer), run.a(layer)
    dead = saturated = 0.0
    if activation in ("relu", "leaky_relu"):
        dead = float((z <= 0).all(axis=0).mean())
    if activation == "tanh":
        saturated = float((np.abs(a) > SATURATION).mean())
    elif activation == "sigmoid":
        saturated = float(((a > SATURATION) | (a < 1 - SATURATION)).mean())
    grad = run.mlp.weights[layer - 1].grad.ravel()  # type: ignore[union-attr]
    grad_norm = math.sqrt(grad @ grad)
    vanishing = grad_norm < VANISHING_GRADIENT
    exploding = not math.isfinite(grad_norm) or grad_norm > EXPLODING_GRADIENT
    return np.array([dead, saturated, grad_norm, vanishing, exploding], dtype=np.float64)


def _result(run: _Pass, slots: _Slots, neuron_graphs: bool) -> Iterator[bytes]:
    """The whole response as JSON with a slot for every number, in pieces: the bytes of ``orjson.dumps`` of
    the whole, written a layer, a step, an op graph at a time, so that only one piece is ever held as Python
    objects (all the steps of a large network at once would take a few hundred megabytes)."""
    members: list[tuple[str, Callable[[], Iterator[bytes]]]] = [
        ("loss", lambda: iter([orjson.dumps(slots.value("loss", 0))])),
        ("diverged", lambda: iter([orjson.dumps(_DIVERGED)])),
        ("sample", lambda: iter([orjson.dumps(run.sample)])),
        ("layers", lambda: _json_list(_layers(run, slots))),
        ("params", lambda: _json_list(_params(run, slots))),
        ("steps", lambda: _json_list(_steps(run, slots))),
    ]
    if neuron_graphs:
        members.append(("neuron_graphs", lambda: _json_map(_neuron_graphs(run, slots))))
    for number, (name, pieces) in enumerate(members):
        yield (b"," if number else b"{") + orjson.dumps(name) + b":"
        yield from pieces()
    yield b"}"


def _json_list(items: Iterator[Any]) -> Iterator[bytes]:
    yield b"["
    for number, item in enumerate(items):
        yield (b"," if number else b"") + orjson.dumps(item)
    yield b"]"


def _json_map(items: Iterator[tuple[str, Any]]) -> Iterator[bytes]:
    yield b"{"
    for number, (key, value) in enumerate(items):
        yield (b"," if number else b"") + orjson.dumps(key) + b":" + orjson.dumps(value)
    yield b"}"


def _layers(run: _Pass, slots: _Slots) -> Iterator[dict[str, Any]]:
    batch = range(run.batch)
    for layer, size in enumerate(run.sizes):
        neurons = range(size)

        def matrix(name: str, layer: int = layer, neurons: range = neurons) -> list[list[str]]:
            return [[slots.value(name, layer, n, j) for j in neurons] for n in batch]

        hidden_or_output = layer > 0
        yield (
            {
                "index": layer,
                "size": size,
                "kind": "input" if layer == 0 else "output" if layer == run.depth else "hidden",
                "activation": run.mlp.activations[layer - 1] if hidden_or_output else None,
                "labels": [neuron_symbol(layer, j, run.sizes) for j in neurons],
                "a": matrix("a"),
                "z": matrix("z") if hidden_or_output else None,
                "grad_a": matrix("grad_a") if run.grad_a(layer) is not None else None,
                "grad_z": matrix("grad_z") if hidden_or_output else None,
                "health": {
                    "dead_fraction": slots.value("health", layer, 0),
                    "saturated_fraction": slots.value("health", layer, 1),
                    "grad_norm": slots.value("health", layer, 2),
                    "vanishing": slots.flag("health", layer, 3),
                    "exploding": slots.flag("health", layer, 4),
                }
                if hidden_or_output
                else None,
            }
        )


def _params(run: _Pass, slots: _Slots) -> Iterator[dict[str, Any]]:
    for layer in range(1, run.depth + 1):
        rows, columns = range(run.sizes[layer]), range(run.sizes[layer - 1])
        yield (
            {
                "layer": layer,
                "weight": [[slots.value("W", layer, j, k) for k in columns] for j in rows],
                "bias": [slots.value("b", layer, j) for j in rows],
                "grad_weight": [[slots.value("W_grad", layer, j, k) for k in columns] for j in rows],
                "grad_bias": [slots.value("b_grad", layer, j) for j in rows],
                "updated_weight": [[slots.value("W_new", layer, j, k) for k in columns] for j in rows],
                "updated_bias": [slots.value("b_new", layer, j) for j in rows],
            }
        )


# ---------------------------------------------------------------------------------------- the numbers of a pass
def _number_table(run: _Pass) -> dict[tuple[str, int], np.ndarray]:
    """Every number of the pass a step can show, by (name, layer), read from the pass's tensors.

    The few numbers made from these (a term w·a of a sum, an update w − η·∂L/∂w, 1 − ŷ) are worked
    out by the plan, all of a kind in one vectorized operation; see :data:`_DERIVED`.
    """
    table: dict[tuple[str, int], np.ndarray] = {
        ("eta", 0): np.array([run.learning_rate], dtype=np.float64),
        ("loss", 0): np.asarray(run.loss.data, dtype=np.float64).reshape(1),
        ("y", 0): run.targets,
        ("a", 0): run.a(0),
    }
    grad_input = run.grad_a(0)
    if grad_input is not None:
        table["grad_a", 0] = grad_input
    if run.loss_name == "cross_entropy":
        log_probs = run.loss.saved
        table["log_p", 0] = log_probs
        table["p", 0] = np.exp(log_probs)
    for layer in range(1, run.depth + 1):
        w, b = run.mlp.weights[layer - 1], run.mlp.biases[layer - 1]
        table["a", layer] = run.a(layer)
        table["z", layer] = run.z(layer)
        table["grad_a", layer] = run.grad_a(layer)  # type: ignore[assignment]
        table["grad_z", layer] = run.grad_z(layer)
        table["slope", layer] = run.slope(layer)
        table["W", layer], table["b", layer] = w.data, b.data
        table["W_grad", layer], table["b_grad", layer] = w.grad, b.grad  # type: ignore[assignment]
        table["health", layer] = _health_numbers(run, layer)
    return table


# ---------------------------------------------------------------------------------------- plans
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: they never occur in symbols or numbers
# A slot: v a JSON number, f true/false, x the pass's "diverged" (these three stand in the JSON as raw
# fragments, not strings), t a number written inside a string, p the same in parentheses when negative.
_SLOT = re.compile(f"{_OPEN}([vfxtp])(-?\\d+){_CLOSE}".encode())
_SLOT_TEXT = re.compile(f"{_OPEN}([vfxtp]-?\\d+){_CLOSE}".encode())
_DIVERGED = orjson.Fragment(f"{_OPEN}x0{_CLOSE}".encode())
_NUMBER_FORMAT = "%.4g\x1f"
_MINUS = "−".encode()

Ref = tuple[str, int, int, ...]  # (name, layer, *index) of a number in the table

# Numbers the steps show that are made from the table's numbers, by name: (operation, operands).
# mul: a·b; sub: a − b; update: a − η·b (plain SGD); complement: 1 − a.
_DERIVED: dict[str, Callable[[int, int, tuple[int, ...]], tuple[str, Ref, Ref | None]]] = {
    "w·a": lambda layer, s, at: ("mul", ("W", layer, *at), ("a", layer - 1, s, at[1])),  # a term of zⱼ
    "δ·a": lambda layer, s, at: ("mul", ("grad_z", layer, s, at[0]), ("a", layer - 1, s, at[1])),  # of ∂L/∂wⱼₖ
    "δ·w": lambda layer, s, at: ("mul", ("grad_z", layer, s, at[0]), ("W", layer, *at)),  # of ∂L/∂aₖ
    "z-b": lambda layer, s, at: ("sub", ("z", layer, s, *at), ("b", layer, *at)),  # Σₖ wⱼₖ·aₖ
    "W_new": lambda layer, s, at: ("update", ("W", layer, *at), ("W_grad", layer, *at)),
    "b_new": lambda layer, s, at: ("update", ("b", layer, *at), ("b_grad", layer, *at)),
    "1-y": lambda layer, s, at: ("complement", ("y", layer, *at), None),
    "1-a": lambda layer, s, at: ("complement", ("a", layer, *at), None),
}
_OPERATIONS = ("mul", "sub", "update", "complement")


class TraceStopped(Exception):
    """A trace given up before it was written (its ``stop()`` held): nobody waits for it."""


class _Slots:
    """Hands the writers a placeholder for each number they mention, to be filled per pass.

    ``value`` stands for the number itself in the JSON; ``text`` for it as written in a formula
    (:func:`num`); ``paren`` for the same, in parentheses when negative, as in 0.5 × (−0.3); ``flag``
    for a JSON true/false (a number other than 0 is true).
    """

    def __init__(
        self, table: dict[tuple[str, int], np.ndarray], sample: int, stop: Callable[[], bool] | None = None
    ) -> None:
        self.sample = sample
        self._stop = stop
        self._made = 0
        self._offsets: dict[tuple[str, int], tuple[int, tuple[int, ...]]] = {}
        offset = 0
        for key, array in table.items():
            self._offsets[key] = (offset, array.shape)
            offset += array.size
        self.table_size = offset
        self.derived: dict[tuple[str, int, int], int] = {}  # (operation, operand, operand) → number
        self._known: dict[tuple[str, int, tuple[int, ...]], int] = {}  # the writers ask for most numbers often
        self._slots: dict[tuple[str, str, int, tuple[int, ...]], Any] = {}

    def index(self, name: str, layer: int, *at: int) -> int:
        """The number's place in the table; a derived number gets −1 − its number among the derived."""
        key = (name, layer, at)
        known = self._known.get(key)
        if known is not None:
            return known
        recipe = _DERIVED.get(name)
        if recipe is not None:
            operation, first, second = recipe(layer, self.sample, at)
            derived = (operation, self.index(*first), -1 if second is None else self.index(*second))
            index = -1 - self.derived.setdefault(derived, len(self.derived))
        else:
            offset, shape = self._offsets[name, layer]
            index = offset
            if at:
                flat = 0
                for i, size in zip(at, shape, strict=True):
                    flat = flat * size + i
                index += flat
        self._known[key] = index
        return index

    def _slot(self, kind: str, name: str, layer: int, at: tuple[int, ...]) -> Any:
        """The placeholder, made once per number and kind: the writers ask for most numbers several times."""
        key = (kind, name, layer, at)
        slot = self._slots.get(key)
        if slot is None:
            self._made += 1
            if self._stop is not None and self._made % STOP_CHECK_SLOTS == 0 and self._stop():
                raise TraceStopped
            if len(self._slots) >= SLOT_MEMO_LIMIT:  # a large network's slots would take 150 MB: start afresh
                self._slots.clear()
                self._known.clear()
            slot = f"{_OPEN}{kind}{self.index(name, layer, *at)}{_CLOSE}"
            if kind in "vf":  # a JSON value: a raw fragment, not a string
                slot = orjson.Fragment(slot.encode())
            self._slots[key] = slot
        return slot

    def value(self, name: str, layer: int, *at: int) -> orjson.Fragment:
        return self._slot("v", name, layer, at)

    def text(self, name: str, layer: int, *at: int) -> str:
        return self._slot("t", name, layer, at)

    def paren(self, name: str, layer: int, *at: int) -> str:
        return self._slot("p", name, layer, at)

    def flag(self, name: str, layer: int, *at: int) -> orjson.Fragment:
        return self._slot("f", name, layer, at)


class _Plan:
    """A response as UTF-8 JSON with a ``%s`` for every number, and where each number comes from."""

    def __init__(self, pieces: Iterator[bytes], slots: _Slots, checked: list[int]) -> None:
        # Every slot becomes %s; its kind and index are read as one short string ("v123"). A piece at a time.
        template: list[bytes] = []
        kinds, indexes = bytearray(), typed_array("q")  # 8 bytes an index, not a Python int's 32
        for piece in pieces:
            text = piece.replace(b"%", b"%%")
            found = _SLOT_TEXT.findall(text)
            template.append(_SLOT.sub(b"%s", text))
            kinds += bytes(slot[0] for slot in found)
            indexes.extend(int(slot[1:]) for slot in found)
        self.template = b"".join(template)
        del template

        # Derived numbers go after the table's, grouped by operation so each group is one NumPy expression.
        groups: dict[str, list[tuple[int, int, int]]] = {operation: [] for operation in _OPERATIONS}
        for (operation, first, second), number in slots.derived.items():
            groups[operation].append((number, first, second))
        self.operands: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        final = np.empty(len(slots.derived), dtype=np.int64)
        position = slots.table_size
        for operation, members in groups.items():
            numbers, first, second = np.array(members, dtype=np.int64).reshape(-1, 3).T
            final[numbers] = np.arange(position, position + len(members))
            position += len(members)
            self.operands[operation] = (first, second)
        self.eta = slots.index("eta", 0)

        def resolve(numbers: list[int] | typed_array) -> np.ndarray:
            array = np.array(numbers, dtype=np.int64)
            derived = array < 0
            array[derived] = final[-1 - array[derived]]
            return array

        self.checked = resolve(checked)  # an overflow in any of these makes the pass "diverged"
        kind, index = np.frombuffer(kinds, dtype="S1"), resolve(indexes)
        is_value, is_text, is_paren, is_flag = kind == b"v", kind == b"t", kind == b"p", kind == b"f"
        written = is_text | is_paren
        # Each distinct number is written once per form; slots then pick from the pool of written forms.
        self.value_index, value_of_slot = np.unique(index[is_value], return_inverse=True)
        self.text_index, text_of_slot = np.unique(index[written], return_inverse=True)
        self.flag_index, flag_of_slot = np.unique(index[is_flag], return_inverse=True)
        paren_of_text = text_of_slot[is_paren[written]]
        paren_positions = np.unique(paren_of_text)
        self.paren_positions = paren_positions.tolist()
        values, texts, parens = len(self.value_index), len(self.text_index), len(paren_positions)
        pool_position = np.empty(len(index), dtype=np.int64)
        pool_position[is_value] = value_of_slot
        pool_position[is_text] = values + text_of_slot[is_text[written]]
        pool_position[is_paren] = values + texts + np.searchsorted(paren_positions, paren_of_text)
        pool_position[is_flag] = values + texts + parens + flag_of_slot
        pool_position[kind == b"x"] = values + texts + parens + len(self.flag_index)
        order = pool_position.tolist()
        self._gather: Callable[[list[bytes]], tuple[bytes, ...]] = (
            operator.itemgetter(*order) if len(order) > 1 else lambda pool: tuple(pool[i] for i in order)
        )
        self.size = len(self.template) + 8 * (len(order) + len(final) + values + texts)

    def fill(self, table: np.ndarray) -> bytes:
        """The response for one pass, from its table of numbers (in the order :class:`_Slots` was given)."""
        mul, sub, update, complement = (self.operands[operation] for operation in _OPERATIONS)
        numbers = np.concatenate(
            (
                table,
                table[mul[0]] * table[mul[1]],
                table[sub[0]] - table[sub[1]],
                table[update[0]] - table[self.eta] * table[update[1]],
                1 - table[complement[0]],
            )
        )
        sent = numbers[self.value_index]  # every JSON number of the response: a null among them is divergence
        diverged = not (np.isfinite(sent).all() and np.isfinite(numbers[self.checked]).all())
        values = orjson.dumps(sent, option=JSON_OPTIONS)[1:-1].split(b",")
        if not len(self.value_index):
            values = []
        texts = format_numbers(numbers[self.text_index])
        parens = [b"(%s)" % texts[i] if texts[i].startswith(_MINUS) else texts[i] for i in self.paren_positions]
        flags = [b"true" if flag else b"false" for flag in numbers[self.flag_index].tolist()]
        return self.template % self._gather(values + texts + parens + flags + [b"true" if diverged else b"false"])


def format_numbers(values: np.ndarray) -> list[bytes]:
    """:func:`num` for many numbers at once, as UTF-8: one formatting call, then :func:`num` for the rest.

    The rest: numbers ``%.4g`` writes otherwise than :func:`num` (exponents below 1e-4 and from 1e4, 0 and
    −0, NaN and ±∞). A superset is harmless, since :func:`num` writes them.
    """
    floats = values.tolist()
    if not floats:
        return []
    texts = ((_NUMBER_FORMAT * len(floats)) % tuple(floats)).replace("-", "−").encode().split(b"\x1f")
    texts.pop()
    magnitude = np.abs(values)
    for i in np.flatnonzero(~((magnitude >= 1e-4) & (magnitude < 9999.5))).tolist():
        texts[i] = num(floats[i]).encode()
    return texts


class _PlanCache:
    """Plans by shape, least recently used first out, within a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # large traces are written in the threadpool

    def get(self, key: tuple[Any, ...], build: Callable[[], _Plan]) -> _Plan:
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        plan = build()
        if plan.size <= self.max_bytes // 2:  # the largest networks allowed make plans of about 12 MB
            with self._lock:
                if key not in self._plans:
                    self._plans[key] = plan
                    self._size += plan.size
                while self._size > self.max_bytes:
                    _, old = self._plans.popitem(last=False)
                    self._size -= old.size
        return plan

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._plans)


_plans = _PlanCache(PLAN_CACHE_BYTES)


def _plan_for(
    run: _Pass, table: dict[tuple[str, int], np.ndarray], neuron_graphs: bool, stop: Callable[[], bool] | None = None
) -> _Plan:
    key: tuple[Any, ...] = (
        tuple(run.sizes),
        tuple(run.mlp.activations),
        run.loss_name,
        run.batch,
        run.sample,
        neuron_graphs,
    )
    if run.loss_name == "cross_entropy":  # the loss formula writes only the classes a sample's target has
        key += (np.packbits(run.targets != 0).tobytes(),)

    def build() -> _Plan:
        slots = _Slots(table, run.sample, stop)
        weights = [(layer, j, k) for layer in range(1, run.depth + 1) for j, k in np.ndindex(*table["W", layer].shape)]
        checked = [slots.index("loss", 0)]
        checked += [slots.index(name, *at) for name in ("W_grad", "W_new") for at in weights]
        return _Plan(_result(run, slots, neuron_graphs), slots, checked)

    return _plans.get(key, build)


# ---------------------------------------------------------------------------------------- steps
def _line(lhs: str, symbolic: str, substituted: str, slots: _Slots, name: str, layer: int, *at: int) -> dict[str, Any]:
    return {
        "lhs": lhs,
        "symbolic": symbolic,
        "substituted": substituted,
        "value": slots.value(name, layer, *at),
        "result": slots.text(name, layer, *at),
    }


def _sum_text(terms: list[str]) -> str:
    if len(terms) > MAX_TERMS_SHOWN:
        terms = [*terms[:MAX_TERMS_SHOWN], "…"]
    return " + ".join(terms) if terms else "0"


def _steps(run: _Pass, slots: _Slots) -> Iterator[dict[str, Any]]:
    """The steps in order, each made when it is asked for."""

    def made() -> Iterator[dict[str, Any]]:
        yield _input_step(run, slots)
        for layer in range(1, run.depth + 1):
            yield from (_forward_step(run, slots, layer, j) for j in range(run.sizes[layer]))
        yield _loss_step(run, slots)
        output = run.depth
        yield from (_output_delta_step(run, slots, j) for j in range(run.sizes[output]))
        yield from (_weight_grad_step(run, slots, output, j) for j in range(run.sizes[output]))
        for layer in range(output - 1, 0, -1):
            yield from (_hidden_delta_step(run, slots, layer, j) for j in range(run.sizes[layer]))
            yield from (_weight_grad_step(run, slots, layer, j) for j in range(run.sizes[layer]))
        for layer in range(1, run.depth + 1):
            yield from (_update_step(run, slots, layer, j) for j in range(run.sizes[layer]))

    for index, step in enumerate(made()):
        step["index"] = index
        yield step


def _step(phase: str, kind: str, layer: int | None, neuron: int | None, **fields: Any) -> dict[str, Any]:
    return {"index": 0, "phase": phase, "kind": kind, "layer": layer, "neuron": neuron, **fields}


def _input_step(run: _Pass, slots: _Slots) -> dict[str, Any]:
    s, size = run.sample, run.sizes[0]
    lines = [_line(neuron_symbol(0, k, run.sizes), "", "", slots, "a", 0, s, k) for k in range(size)]
    return _step(
        "forward",
        "input",
        0,
        None,
        nodes=[node_id(0, k) for k in range(size)],
        edges=[],
        narration={"key": "step.input", "params": {"count": size}},
        formula=lines,
        values={"a": [slots.value("a", 0, s, k) for k in range(size)]},
    )


def _forward_step(run: _Pass, slots: _Slots, layer: int, j: int) -> dict[str, Any]:
    s = run.sample
    fan_in = run.sizes[layer - 1]
    symbolic = _sum_text(
        [f"{weight_symbol(layer, j, k)}·{neuron_symbol(layer - 1, k, run.sizes)}" for k in range(fan_in)]
        + [bias_symbol(layer, j)]
    )
    substituted = _sum_text(
        [f"{slots.paren('W', layer, j, k)} × {slots.paren('a', layer - 1, s, k)}" for k in range(fan_in)]
        + [slots.paren("b", layer, j)]
    )
    activation = run.mlp.activations[layer - 1]
    f = ACTIVATION_SYMBOLS[activation]
    a_symbol = neuron_symbol(layer, j, run.sizes)
    lines = [
        _line(z_symbol(layer, j), symbolic, substituted, slots, "z", layer, s, j),
        _line(a_symbol, f"{f}({z_symbol(layer, j)})", f"{f}({slots.text('z', layer, s, j)})", slots, "a", layer, s, j),
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
            "terms": [
                [slots.value("W", layer, j, k), slots.value("a", layer - 1, s, k), slots.value("w·a", layer, j, k)]
                for k in range(fan_in)
            ],
            "bias": slots.value("b", layer, j),
            "z": slots.value("z", layer, s, j),
            "a": slots.value("a", layer, s, j),
        },
    )


def _loss_step(run: _Pass, slots: _Slots) -> dict[str, Any]:
    batch, outputs, out = run.batch, run.sizes[-1], run.depth
    symbolic, _ = LOSS_FORMULAS[run.loss_name]
    count = batch * outputs if run.loss_name != "cross_entropy" else batch
    cells = [(n, j) for n in range(batch) for j in range(outputs)]
    if run.loss_name == "mse":
        terms = [f"({slots.text('a', out, n, j)} − {slots.text('y', 0, n, j)})²" for n, j in cells]
    elif run.loss_name == "bce":
        terms = [
            f"[{slots.text('y', 0, n, j)} ln {slots.text('a', out, n, j)} + "
            f"{slots.text('1-y', 0, n, j)} ln {slots.text('1-a', out, n, j)}]"
            for n, j in cells
        ]
    else:
        terms = [
            f"{slots.text('y', 0, n, j)} × ({slots.text('log_p', 0, n, j)})" for n, j in cells if run.targets[n, j] != 0
        ]
    sign = "−" if run.loss_name != "mse" else ""
    s = run.sample
    return _step(
        "loss",
        "loss",
        out,
        None,
        nodes=[node_id(out, j) for j in range(outputs)] + ["L"],
        edges=[f"{out}-{j}>L" for j in range(outputs)],
        narration={"key": f"step.loss.{run.loss_name}", "params": {"count": count}},
        formula=[
            _line("L", symbolic.removeprefix("L = "), f"{sign}(1/{count}) × ({_sum_text(terms)})", slots, "loss", 0)
        ],
        values={
            "loss": slots.value("loss", 0),
            "prediction": [slots.value("a", out, s, j) for j in range(outputs)],
            "target": [slots.value("y", 0, s, j) for j in range(outputs)],
        },
    )


def _output_delta_step(run: _Pass, slots: _Slots, j: int) -> dict[str, Any]:
    """δⱼ = ∂L/∂zⱼ = ∂L/∂ŷⱼ · f′(zⱼ): upstream (from the loss) × local (the activation's slope)."""
    s, layer = run.sample, run.depth
    y_hat = neuron_symbol(layer, j, run.sizes)
    y = target_symbol(j, run.sizes[-1])
    prediction, target = slots.text("a", layer, s, j), slots.text("y", 0, s, j)
    n = run.batch * run.sizes[layer]
    upstream = ("grad_a", layer, s, j)
    if run.loss_name == "mse":
        grad_line = _line(
            f"∂L/∂{y_hat}", f"2({y_hat} − {y})/N", f"2 × ({prediction} − {target}) / {n}", slots, *upstream
        )
    elif run.loss_name == "bce":
        grad_line = _line(
            f"∂L/∂{y_hat}",
            f"({y_hat} − {y}) / (N {y_hat}(1 − {y_hat}))",
            f"({prediction} − {target}) / ({n} × {prediction} × {slots.text('1-a', layer, s, j)})",
            slots,
            *upstream,
        )
    else:
        grad_line = _line(
            f"∂L/∂{z_symbol(layer, j)}",
            f"(softmax(z){sub(j)} − {y})/B",
            f"({slots.text('p', 0, s, j)} − {target}) / {run.batch}",
            slots,
            *upstream,
        )
    activation = run.mlp.activations[layer - 1]
    delta_line = _line(
        delta_symbol(layer, j),
        f"∂L/∂{y_hat} · f′({z_symbol(layer, j)})",
        f"{slots.paren(*upstream)} × {slots.paren('slope', layer, s, j)}",
        slots,
        "grad_z",
        layer,
        s,
        j,
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
        values={
            "upstream": slots.value(*upstream),
            "local": slots.value("slope", layer, s, j),
            "delta": slots.value("grad_z", layer, s, j),
            "derivative": ACTIVATION_DERIVATIVES[activation],
        },
    )


def _hidden_delta_step(run: _Pass, slots: _Slots, layer: int, j: int) -> dict[str, Any]:
    """∂L/∂aⱼ = Σₖ wₖⱼ δₖ (each outgoing edge: upstream δₖ × local wₖⱼ), then δⱼ = ∂L/∂aⱼ · f′(zⱼ)."""
    s, after = run.sample, layer + 1
    fan_out = run.sizes[after]
    a_symbol = neuron_symbol(layer, j, run.sizes)
    symbolic = _sum_text([f"{weight_symbol(after, k, j)}·{delta_symbol(after, k)}" for k in range(fan_out)])
    substituted = _sum_text(
        [f"{slots.paren('W', after, k, j)} × {slots.paren('grad_z', after, s, k)}" for k in range(fan_out)]
    )
    activation = run.mlp.activations[layer - 1]
    lines = [
        _line(f"∂L/∂{a_symbol}", symbolic, substituted, slots, "grad_a", layer, s, j),
        _line(
            delta_symbol(layer, j),
            f"∂L/∂{a_symbol} · f′({z_symbol(layer, j)})",
            f"{slots.paren('grad_a', layer, s, j)} × {slots.paren('slope', layer, s, j)}",
            slots,
            "grad_z",
            layer,
            s,
            j,
        ),
    ]
    return _step(
        "backward",
        "hidden_delta",
        layer,
        j,
        nodes=[node_id(layer, j)],
        edges=[edge_id(after, k, j) for k in range(fan_out)],
        narration={"key": "step.hidden_delta", "params": {"neuron": a_symbol, "activation": activation}},
        formula=lines,
        values={
            "terms": [
                [slots.value("W", after, k, j), slots.value("grad_z", after, s, k), slots.value("δ·w", after, k, j)]
                for k in range(fan_out)
            ],
            "upstream": slots.value("grad_a", layer, s, j),
            "local": slots.value("slope", layer, s, j),
            "delta": slots.value("grad_z", layer, s, j),
            "derivative": ACTIVATION_DERIVATIVES[activation],
        },
    )


def _weight_grad_step(run: _Pass, slots: _Slots, layer: int, j: int) -> dict[str, Any]:
    """∂L/∂wⱼₖ = Σ over the batch of δⱼ · aₖ, and ∂L/∂bⱼ = Σ δⱼ (read from W.grad and b.grad)."""
    batch, fan_in = run.batch, run.sizes[layer - 1]
    delta = delta_symbol(layer, j)
    shown = range(min(batch, MAX_TERMS_SHOWN + 1))  # _sum_text writes the first terms and "…": write no more
    lines = []
    for k in range(fan_in):
        a_prev = neuron_symbol(layer - 1, k, run.sizes)
        products = [f"{slots.paren('grad_z', layer, n, j)} × {slots.paren('a', layer - 1, n, k)}" for n in shown]
        symbolic = f"{delta}·{a_prev}" if batch == 1 else f"Σₙ {delta}·{a_prev}"
        lines.append(
            _line(f"∂L/∂{weight_symbol(layer, j, k)}", symbolic, _sum_text(products), slots, "W_grad", layer, j, k)
        )
    bias_terms = [slots.paren("grad_z", layer, n, j) for n in shown]
    lines.append(
        _line(
            f"∂L/∂{bias_symbol(layer, j)}",
            delta if batch == 1 else f"Σₙ {delta}",
            _sum_text(bias_terms),
            slots,
            "b_grad",
            layer,
            j,
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
        values={
            "grad_weight": [slots.value("W_grad", layer, j, k) for k in range(fan_in)],
            "grad_bias": slots.value("b_grad", layer, j),
        },
    )


def _update_step(run: _Pass, slots: _Slots, layer: int, j: int) -> dict[str, Any]:
    """w ← w − η ∂L/∂w for every weight into neuron j, and its bias."""
    eta = slots.text("eta", 0)
    lines = []
    for k in range(run.sizes[layer - 1]):
        w = weight_symbol(layer, j, k)
        lines.append(
            _line(
                w,
                f"{w} − η·∂L/∂{w}",
                f"{slots.text('W', layer, j, k)} − {eta} × {slots.paren('W_grad', layer, j, k)}",
                slots,
                "W_new",
                layer,
                j,
                k,
            )
        )
    b = bias_symbol(layer, j)
    lines.append(
        _line(
            b,
            f"{b} − η·∂L/∂{b}",
            f"{slots.text('b', layer, j)} − {eta} × {slots.paren('b_grad', layer, j)}",
            slots,
            "b_new",
            layer,
            j,
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
            "params": {"neuron": neuron_symbol(layer, j, run.sizes), "learning_rate": slots.value("eta", 0)},
        },
        formula=lines,
        values={
            "weight": [slots.value("W_new", layer, j, k) for k in range(run.sizes[layer - 1])],
            "bias": slots.value("b_new", layer, j),
        },
    )


# ---------------------------------------------------------------------------------------- neuron op graphs
def _neuron_graphs(run: _Pass, slots: _Slots) -> Iterator[tuple[str, dict[str, Any]]]:
    """For each neuron, its computation as a small graph of ops, micrograd style, for the focus sample.

    wₖ·aₖ (one product per input) → Σ → + b → f → the rest of the network. Every product and the sum
    feed z with local derivative 1, so each carries δⱼ as its gradient; wₖ's gradient through this
    sample is δⱼ·aₖ and aₖ's is δⱼ·wₖ (upstream × local).
    """
    s = run.sample
    for layer in range(1, run.depth + 1):
        activation = run.mlp.activations[layer - 1]
        for j in range(run.sizes[layer]):
            delta = slots.value("grad_z", layer, s, j)
            nodes, edges = [], []
            for k in range(run.sizes[layer - 1]):
                w, a, w_a = (
                    slots.value("W", layer, j, k),
                    slots.value("a", layer - 1, s, k),
                    slots.value("w·a", layer, j, k),
                )
                w_grad, a_grad = slots.value("δ·a", layer, j, k), slots.value("δ·w", layer, j, k)
                nodes += [
                    {"id": f"w{k}", "op": "leaf", "label": weight_symbol(layer, j, k), "value": w, "grad": w_grad},
                    {"id": f"a{k}", "op": "leaf", "label": neuron_symbol(layer - 1, k, run.sizes), "value": a, "grad": a_grad},
                    {"id": f"p{k}", "op": "mul", "label": "×", "value": w_a, "grad": delta},
                ]  # fmt: skip
                edges += [
                    {"source": f"w{k}", "target": f"p{k}", "local": a, "contribution": w_grad},
                    {"source": f"a{k}", "target": f"p{k}", "local": w, "contribution": a_grad},
                    {"source": f"p{k}", "target": "sum", "local": 1.0, "contribution": delta},
                ]
            nodes += [
                {"id": "sum", "op": "sum", "label": "Σ", "value": slots.value("z-b", layer, j), "grad": delta},
                {"id": "b", "op": "leaf", "label": bias_symbol(layer, j), "value": slots.value("b", layer, j), "grad": delta},
                {"id": "z", "op": "add", "label": z_symbol(layer, j), "value": slots.value("z", layer, s, j), "grad": delta},
                {"id": "a", "op": activation, "label": ACTIVATION_SYMBOLS[activation],
                 "value": slots.value("a", layer, s, j), "grad": slots.value("grad_a", layer, s, j)},
            ]  # fmt: skip
            edges += [
                {"source": "sum", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "b", "target": "z", "local": 1.0, "contribution": delta},
                {"source": "z", "target": "a", "local": slots.value("slope", layer, s, j), "contribution": delta},
            ]
            yield node_id(layer, j), {"nodes": nodes, "edges": edges, "output": "a"}
