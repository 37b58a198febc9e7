"""Read a computed graph back for teaching: every node's value and gradient, every edge's chain-rule step.

For each edge input → node the backward pass applied

    contribution = vjp(upstream)          (= upstream × local, for elementwise ops)

where upstream = ∂root/∂node and local = ∂node/∂input. ``describe`` collects those numbers from the
engine's own ops after ``root.backward()``, so whoever explains the pass needs no second derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from app.engine.tensor import Tensor

INFIX = {"add": "+", "sub": "−", "mul": "·", "div": "/", "pow": "^", "pow_const": "^", "matmul": "@"}


@dataclass
class GraphEdge:
    """One input → output edge of an op, with the numbers of its backward step."""

    source: str
    target: str
    input_index: int
    local: np.ndarray | None = None  # ∂target/∂source elementwise, where the op is elementwise
    contribution: np.ndarray | None = None  # what the backward pass added to source.grad


@dataclass
class GraphNode:
    id: str
    op: str  # "leaf" for inputs and parameters
    symbol: str
    label: str
    value: np.ndarray
    grad: np.ndarray | None
    inputs: list[str] = field(default_factory=list)
    requires_grad: bool = False
    name: str | None = None
    params: dict | None = None


@dataclass
class GraphView:
    nodes: list[GraphNode]  # inputs before outputs
    edges: list[GraphEdge]
    output: str

    def node(self, node_id: str) -> GraphNode:
        return next(n for n in self.nodes if n.id == node_id)


def _format_number(value: np.ndarray) -> str:
    if value.size == 1:
        return f"{float(value.reshape(-1)[0]):.6g}"
    return f"[{value.size} values]"


def default_label(op: str, input_labels: list[str], params: dict | None) -> str:
    """A readable formula for an op applied to labelled inputs, e.g. ``cos(u)`` or ``x · y``."""
    if op == "pow_const" and params:
        return f"{input_labels[0]}^{params['exponent']:g}"
    if op in INFIX and len(input_labels) == 2:
        return f"{input_labels[0]} {INFIX[op]} {input_labels[1]}"
    if op == "neg":
        return f"−{input_labels[0]}"
    return f"{op}({', '.join(input_labels)})"


def all_nodes(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, constants included, inputs first.

    Unlike :func:`~app.engine.tensor.topological_order`, which follows only the paths gradients take,
    this shows the whole formula: the ``1`` in ``x² − 1`` is a node too. Sorting by creation number is
    a topological order because a tensor is always created after its inputs.
    """
    seen = {id(root): root}
    stack = [root]
    while stack:
        for parent in stack.pop().inputs:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return sorted(seen.values(), key=attrgetter("serial"))


def describe(root: Tensor) -> GraphView:
    """Every node ``root`` depends on, with stable ids (name, or ``n<k>`` in topological order)."""
    order = all_nodes(root)
    ids: dict[int, str] = {}
    used: set[str] = set()
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for k, tensor in enumerate(order):
        node_id = tensor.name or f"n{k}"
        while node_id in used:
            node_id = f"{node_id}'"
        used.add(node_id)
        ids[id(tensor)] = node_id
        input_ids = [ids[id(parent)] for parent in tensor.inputs]
        if tensor.op is None:
            op_name, symbol = "leaf", ""
            label = tensor.label or tensor.name or _format_number(tensor.data)
        else:
            op_name, symbol = tensor.op.name, tensor.op.symbol
            input_labels = [next(n.label for n in nodes if n.id == i) for i in input_ids]
            label = tensor.label or default_label(op_name, input_labels, tensor.params)
        nodes.append(
            GraphNode(
                id=node_id, op=op_name, symbol=symbol, label=label, value=tensor.data, grad=tensor.grad,
                inputs=input_ids, requires_grad=tensor.requires_grad, name=tensor.name, params=tensor.params,
            )
        )  # fmt: skip
        edges.extend(_edges_of(tensor, node_id, input_ids))
    return GraphView(nodes=nodes, edges=edges, output=ids[id(root)])


def _edges_of(tensor: Tensor, node_id: str, input_ids: list[str]) -> list[GraphEdge]:
    if tensor.op is None:
        return []
    locals_ = tensor.op.local(tensor)
    contributions = tensor.op.vjp(tensor.grad, tensor) if tensor.grad is not None else None
    return [
        GraphEdge(
            source=source,
            target=node_id,
            input_index=i,
            local=None if locals_ is None else np.asarray(locals_[i]),
            contribution=None if contributions is None else contributions[i],
        )
        for i, source in enumerate(input_ids)
    ]
