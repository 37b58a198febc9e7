"""A tape: one recorded graph, replayed on new values without building it again.

A training step builds the same graph every time — the same ops, on arrays of the same shapes, joined
the same way; only the numbers differ. On a small network, building it (a Tensor per op, the checks in
the op functions, the priority queue of ``Tensor.backward``) costs more than the arithmetic. A tape
records the graph once and then replays it:

    forward    for each node in creation order:  node.data = op.forward(inputs' data, **params)
    backward   for each node in reverse creation order:  inputs' grads += op.vjp(node.grad, node)

Each op's own forward and vjp do the work, on the recorded nodes, in the order ``Tensor.backward``
takes them (reverse creation order; see there), adding contributions in the same order. So a replay
gives the same values and gradients as building the graph again, bit for bit.

What can change between replays is the data of the tape's inputs (same shapes) and of the leaves it
reads, such as parameters updated in place. The graph's structure — which op, which params, which
input needs a gradient — is fixed when it is recorded. To see every node that depends on the inputs
(an op whose inputs need no gradient makes a constant, with nothing recorded), the inputs require a
gradient while the graph is built; afterwards they do not, and each node requires a gradient again
only if one of its inputs does, as when built eagerly. Values computed from an input outside the
ops (with NumPy on ``.data``) are constants to the tape: the recording refuses a graph in which an
input does not appear at all, which is how such a computation shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter

import numpy as np

from app.engine.tensor import Tensor, as_array

_data = attrgetter("data")


class TapeError(ValueError):
    """The graph cannot be replayed (an input it does not use, or a root without gradient)."""


class Tape:
    """The graph of ``build(*inputs)``, recorded once and replayed with :meth:`forward` and :meth:`backward`."""

    def __init__(self, root: Tensor, inputs: Sequence[Tensor], nodes: list[Tensor]) -> None:
        self.root = root
        self.inputs = tuple(inputs)
        self.shapes = tuple(t.data.shape for t in self.inputs)
        self._forward = [(node, node.op, node.inputs, node.params or {}) for node in nodes]
        backward = [node for node in reversed(nodes) if node.requires_grad]
        self._intermediates = backward[1:]  # their gradients start afresh on every pass
        self._backward = [(node, node.op, node.inputs) for node in backward]
        self._seed = np.array(1.0).reshape(root.data.shape)  # d(root)/d(root) = 1, read-only: shared by every pass
        self._seed.flags.writeable = False

    @classmethod
    def record(cls, build: Callable[..., Tensor], *values: np.ndarray) -> Tape:
        """Build the graph once on ``values`` (the tape's inputs, in order); the tape then holds its values."""
        inputs = [Tensor(as_array(value), requires_grad=True) for value in values]
        root = build(*inputs)
        for tensor in inputs:
            tensor.requires_grad = False
        nodes = _nodes_behind(root)
        used = {id(parent) for node in nodes for parent in node.inputs}
        if any(id(tensor) not in used for tensor in inputs):
            raise TapeError("an input does not enter any op of the graph")
        for node in nodes:  # as built eagerly: a node needs a gradient when one of its inputs does
            node.requires_grad = any(parent.requires_grad for parent in node.inputs)
        if root.data.size != 1 or not root.requires_grad:
            raise TapeError("the root must be a scalar that depends on a tensor requiring a gradient")
        return cls(root, inputs, nodes)

    def fits(self, *values: np.ndarray) -> bool:
        """Whether ``values`` can replace the inputs: float64 arrays of the recorded shapes."""
        return len(values) == len(self.shapes) and all(
            type(value) is np.ndarray and value.dtype == np.float64 and value.shape == shape
            for value, shape in zip(values, self.shapes, strict=True)
        )

    def forward(self, *values: np.ndarray) -> Tensor:
        """Replay the forward pass on new input values (see :meth:`fits`); returns the root."""
        for tensor, value in zip(self.inputs, values, strict=True):
            tensor.data = value
        for node, op, inputs, params in self._forward:
            data, node.saved = op.forward(*map(_data, inputs), **params)
            node.data = data if type(data) is np.ndarray else as_array(data)
        return self.root

    def backward(self) -> None:
        """Fill ``.grad`` of every tensor the root depends on, as ``root.backward()`` would; the gradients of
        leaves add to what they hold (zero them between steps)."""
        for node in self._intermediates:
            node.grad = None
        self.root.grad = self._seed
        for node, op, inputs in self._backward:
            for parent, grad in zip(inputs, op.vjp(node.grad, node)):  # noqa: B905 - hot path
                if grad is None or not parent.requires_grad:
                    continue
                parent.grad = grad if parent.grad is None else parent.grad + grad


def _nodes_behind(root: Tensor) -> list[Tensor]:
    """Every op node ``root`` depends on (root included), in creation order: inputs before consumers."""
    seen = {id(root)}
    stack = [root]
    nodes = []
    while stack:
        node = stack.pop()
        if node.op is None:
            continue
        nodes.append(node)
        for parent in node.inputs:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return sorted(nodes, key=attrgetter("serial"))
