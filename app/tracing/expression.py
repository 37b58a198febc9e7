"""An expression's forward and backward pass, node by node and edge by edge, with the real numbers.

The graph comes from :func:`app.engine.graph.describe` after ``output.backward()``: every value,
gradient, local derivative and contribution below is the engine's. Each op node gets a short symbol
(u₁, u₂, … and f for the output) so the steps read as a teacher writes the chain rule:

    forward     u₁ = x^2 = 3^2 = 9,   u₂ = u₁ − 1 = 9 − 1 = 8,   f = cos(u₂) = cos(8)
    backward    df/du₁ = df/du₂ · ∂u₂/∂u₁ = upstream × local = contribution, one step per edge

and a node that feeds several others adds up what flows back along each of its edges, each named:
(df/dx)₁ + (df/dx)₂ + (df/dx)₃ = df/dx. Two symbols keep apart what the chain rule keeps apart: ∂ is
a local derivative (one op, its other inputs held still: for f = u₁ + x, ∂f/∂x = 1), d the total one,
along every path (df/dx = 4 at x = 1.5).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

import numpy as np

from app.engine.expression import Expression
from app.engine.gradcheck import numerical_gradient
from app.engine.graph import INFIX, GraphEdge, GraphNode, GraphView, describe
from app.engine.ops import OPS
from app.engine.symbolic import symbolic_gradient
from app.tracing.finite import all_finite
from app.tracing.notation import num, paren, sub

OUTPUT_SYMBOL = "f"


def total(symbol: str) -> str:
    """The total derivative of the output with respect to ``symbol``, along every path: df/dx."""
    return f"d{OUTPUT_SYMBOL}/d{symbol}"


def local_derivative(target: str, source: str) -> str:
    """One op's derivative with respect to one of its inputs, the others held still: ∂u₁/∂x."""
    return f"∂{target}/∂{source}"


def _share(total_text: str, number: int, count: int) -> str:
    """What one edge adds to a total: the total itself for a node used once, else its numbered part."""
    return total_text if count == 1 else f"({total_text}){sub(number)}"


def _power_rule(base: str, exponent: float) -> str:
    """n·bⁿ⁻¹ as a textbook writes it: 2·x for x², 3·x^2 for x³, 1/2·x^(−1/2) stays as the numbers say."""
    lowered = exponent - 1
    if lowered == 0:
        return num(exponent)
    if lowered == 1:
        return f"{num(exponent)}·{base}"
    return f"{num(exponent)}·{base}^{paren(lowered)}"


# ∂(op output)/∂(input i), written with the inputs' texts a, b (symbols or numbers) and the op's params
Derivative = Callable[[list[str], int, dict[str, Any]], str]
LOCAL_DERIVATIVES: dict[str, Derivative] = {
    "add": lambda v, i, p: "1",
    "sub": lambda v, i, p: "1" if i == 0 else "−1",
    "mul": lambda v, i, p: v[1 - i],
    "div": lambda v, i, p: f"1/{v[1]}" if i == 0 else f"−{v[0]}/{v[1]}²",
    "neg": lambda v, i, p: "−1",
    "pow_const": lambda v, i, p: _power_rule(v[0], p["exponent"]),
    "pow": lambda v, i, p: f"{v[1]}·{v[0]}^({v[1]} − 1)" if i == 0 else f"{v[0]}^{v[1]}·ln {v[0]}",
    "exp": lambda v, i, p: f"exp({v[0]})",
    "log": lambda v, i, p: f"1/{v[0]}",
    "sqrt": lambda v, i, p: f"1/(2√{v[0]})",
    "abs": lambda v, i, p: f"sign({v[0]})",
    "sin": lambda v, i, p: f"cos({v[0]})",
    "cos": lambda v, i, p: f"−sin({v[0]})",
    "tan": lambda v, i, p: f"1 + tan²({v[0]})",
    "tanh": lambda v, i, p: f"1 − tanh²({v[0]})",
    "sigmoid": lambda v, i, p: f"σ({v[0]})(1 − σ({v[0]}))",
    "relu": lambda v, i, p: f"[{v[0]} > 0]",
    "identity": lambda v, i, p: "1",
}


def scalar(value: Any) -> float | None:
    """The single number in a 0-d or size-1 array (None stays None)."""
    if value is None:
        return None
    return float(np.asarray(value).reshape(-1)[0])


def apply_text(op: str, inputs: list[str], params: dict[str, Any] | None) -> str:
    """How an op reads applied to input texts: ``a − b``, ``cos(a)``, ``a^2``."""
    if op == "pow_const" and params:
        return f"{inputs[0]}^{paren(params['exponent'])}"
    if op in INFIX and len(inputs) == 2:
        return f"{inputs[0]} {INFIX[op]} {inputs[1]}"
    if op == "neg":
        return f"−{inputs[0]}"
    return f"{OPS[op].symbol}({', '.join(inputs)})"


def _line(lhs: str, symbolic: str, substituted: str, value: float | None) -> dict[str, Any]:
    shown = num(value) if value is not None else "—"
    return {"lhs": lhs, "symbolic": symbolic, "substituted": substituted, "value": value, "result": shown}


def _step(phase: str, kind: str, nodes: list[str], edges: list[str], key: str, **fields: Any) -> dict[str, Any]:
    params = fields.pop("params", {})
    return {
        "index": 0,
        "phase": phase,
        "kind": kind,
        "layer": None,
        "neuron": None,
        "nodes": nodes,
        "edges": edges,
        "narration": {"key": key, "params": params},
        **fields,
    }


def edge_id(edge: GraphEdge, duplicate: bool) -> str:
    """``source>target``; the second operand of ``x·x`` gets ``#1`` so both edges keep their own id."""
    base = f"{edge.source}>{edge.target}"
    return f"{base}#{edge.input_index}" if duplicate else base


class _Reader:
    """The described graph with the symbols, texts and ids the steps are written in."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.nodes = {node.id: node for node in view.nodes}
        self.symbols: dict[str, str] = {}
        counter = 0
        for node in view.nodes:
            if node.id == view.output and node.op != "leaf":
                self.symbols[node.id] = OUTPUT_SYMBOL
            elif node.op == "leaf":
                self.symbols[node.id] = node.name or node.label
            else:
                counter += 1
                self.symbols[node.id] = f"u{sub(counter - 1)}"
        seen: set[str] = set()
        self.edge_ids: list[str] = []
        for edge in view.edges:
            base = f"{edge.source}>{edge.target}"
            self.edge_ids.append(edge_id(edge, base in seen))
            seen.add(base)
        self.outgoing: dict[str, list[int]] = {}
        for k, edge in enumerate(view.edges):
            self.outgoing.setdefault(edge.source, []).append(k)
        self.incoming: dict[str, list[int]] = {}
        for k, edge in enumerate(view.edges):
            self.incoming.setdefault(edge.target, []).append(k)

    def value(self, node_id: str) -> float | None:
        return scalar(self.nodes[node_id].value)

    def value_text(self, node_id: str) -> str:
        value = self.value(node_id)
        return "—" if value is None else paren(value)

    def gradient(self, node_id: str) -> float | None:
        return scalar(self.nodes[node_id].grad)

    def kind(self, node: GraphNode) -> str:
        if node.op != "leaf":
            return "op"
        return "variable" if node.requires_grad else "constant"


def trace_expression(expression: Expression, values: Mapping[str, float]) -> dict[str, Any]:
    """Evaluate, backpropagate and describe ``expression`` at ``values``, with both gradients."""
    with np.errstate(all="ignore"):
        output, inputs = expression.evaluate(values)
        output.backward()
        view = describe(output)
        numerical = numerical_gradients(expression, values)
    reader = _Reader(view)
    gradient = {name: scalar(tensor.grad) if tensor.grad is not None else 0.0 for name, tensor in inputs.items()}
    nodes = [_node_data(reader, node) for node in view.nodes]
    edges = [_edge_data(reader, k, edge) for k, edge in enumerate(view.edges)]
    steps = _forward_steps(reader) + _backward_steps(reader, gradient)
    for index, step in enumerate(steps):
        step["index"] = index
    value = scalar(output.data)
    errors = {name: _difference(gradient[name], numerical[name]) for name in expression.variables}
    edge_numbers = [e[key] for e in edges for key in ("local", "upstream", "contribution")]
    node_numbers = [n[key] for n in nodes for key in ("value", "grad")]
    return {
        "expression": expression.to_string(),
        "variables": list(expression.variables),
        "value": value,
        "gradient": gradient,
        "numerical_gradient": numerical,
        "gradient_error": errors,
        "diverged": not all_finite(
            value, gradient.values(), numerical.values(), errors.values(), node_numbers, edge_numbers
        ),
        **symbolic_fields(expression, values),
        "graph": {"nodes": nodes, "edges": edges, "output": view.output},
        "steps": steps,
    }


def symbolic_fields(expression: Expression, values: Mapping[str, float]) -> dict[str, Any]:
    """``symbolic_gradient`` (variable → formula text or None) and ``symbolic_derivatives`` (all forms, or why not)."""
    derivatives = symbolic_gradient(expression, values)
    return {
        "symbolic_gradient": {name: d.text for name, d in derivatives.items()},
        "symbolic_derivatives": {name: asdict(d) for name, d in derivatives.items()},
    }


def _difference(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return abs(a - b)


def numerical_gradients(expression: Expression, values: Mapping[str, float]) -> dict[str, float]:
    """∂f/∂v by central differences for every variable v (the other variables held fixed)."""
    names = list(expression.variables)
    point = np.array([float(values[name]) for name in names])

    def f(vector: np.ndarray) -> float:
        output, _ = expression.evaluate(dict(zip(names, vector, strict=True)), requires_grad=False)
        return output.item()

    with np.errstate(all="ignore"):
        grad = numerical_gradient(f, point) if names else np.empty(0)
    return {name: float(g) for name, g in zip(names, grad, strict=True)}


def _node_data(reader: _Reader, node: GraphNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "kind": reader.kind(node),
        "op": node.op,
        "symbol": reader.symbols[node.id],
        "label": node.label,
        "value": reader.value(node.id),
        "grad": reader.gradient(node.id),
        "inputs": list(node.inputs),
    }


def _edge_data(reader: _Reader, k: int, edge: GraphEdge) -> dict[str, Any]:
    target = reader.nodes[edge.target]
    return {
        "id": reader.edge_ids[k],
        "source": edge.source,
        "target": edge.target,
        "input_index": edge.input_index,
        "local": scalar(edge.local),
        "upstream": reader.gradient(target.id),
        "contribution": scalar(edge.contribution),
    }


# ---------------------------------------------------------------------------------------- steps
def _forward_steps(reader: _Reader) -> list[dict[str, Any]]:
    variables = [n for n in reader.view.nodes if reader.kind(n) == "variable"]
    steps = [
        _step(
            "forward",
            "input",
            [n.id for n in variables],
            [],
            "step.expression.input",
            params={"count": len(variables)},
            formula=[_line(reader.symbols[n.id], "", "", reader.value(n.id)) for n in variables],
            values={n.id: reader.value(n.id) for n in variables},
        )
    ]
    for node in reader.view.nodes:
        if node.op == "leaf":
            continue
        symbol = reader.symbols[node.id]
        symbolic = apply_text(node.op, [reader.symbols[i] for i in node.inputs], node.params)
        substituted = apply_text(node.op, [reader.value_text(i) for i in node.inputs], node.params)
        value = reader.value(node.id)
        steps.append(
            _step(
                "forward",
                "node_forward",
                [node.id],
                [reader.edge_ids[k] for k in reader.incoming.get(node.id, [])],
                "step.expression.forward",
                params={"node": symbol, "op": node.op, "label": node.label},
                formula=[_line(symbol, symbolic, substituted, value)],
                values={"value": value, "inputs": [reader.value(i) for i in node.inputs]},
            )
        )
    return steps


def _backward_steps(reader: _Reader, gradient: dict[str, float | None]) -> list[dict[str, Any]]:
    view = reader.view
    output = reader.nodes[view.output]
    if not output.requires_grad:
        return []
    out = reader.symbols[output.id]
    steps = [
        _step(
            "backward",
            "seed",
            [output.id],
            [],
            "step.expression.seed",
            params={"node": out},
            formula=[_line(total(out), "1", "1", reader.gradient(output.id))],
            values={"grad": reader.gradient(output.id)},
        )
    ]
    for node in reversed(view.nodes):
        if not node.requires_grad:
            continue
        if node.id != output.id and len(reader.outgoing.get(node.id, [])) > 1:
            steps.append(_accumulate_step(reader, node))
        for k in reader.incoming.get(node.id, []):
            if reader.nodes[view.edges[k].source].requires_grad:
                steps.append(_edge_step(reader, k))
    variables = [n for n in view.nodes if reader.kind(n) == "variable"]
    steps.append(
        _step(
            "backward",
            "gradient",
            [n.id for n in variables],
            [],
            "step.expression.gradient",
            params={"count": len(variables)},
            formula=[
                _line(total(n.id), "", "", gradient.get(n.name or n.id, reader.gradient(n.id))) for n in variables
            ],
            values={"gradient": gradient},
        )
    )
    return steps


def _edge_step(reader: _Reader, k: int) -> dict[str, Any]:
    """upstream × local = contribution along one edge input → node."""
    edge = reader.view.edges[k]
    target = reader.nodes[edge.target]
    source_symbol, target_symbol = reader.symbols[edge.source], reader.symbols[edge.target]
    upstream, local, contribution = reader.gradient(target.id), scalar(edge.local), scalar(edge.contribution)
    derivative = LOCAL_DERIVATIVES.get(target.op)
    params = target.params or {}
    symbols = [reader.symbols[i] for i in target.inputs]
    numbers = [reader.value_text(i) for i in target.inputs]
    local_symbolic = derivative(symbols, edge.input_index, params) if derivative else ""
    local_substituted = derivative(numbers, edge.input_index, params) if derivative else ""
    local_symbol = local_derivative(target_symbol, source_symbol)
    uses = reader.outgoing.get(edge.source, [])
    lines = [
        _line(local_symbol, local_symbolic, local_substituted, local),
        _line(
            _share(total(source_symbol), uses.index(k) if k in uses else 0, len(uses)),
            f"{total(target_symbol)} · {local_symbol}",
            f"{paren(upstream) if upstream is not None else '—'} × {paren(local) if local is not None else '—'}",
            contribution,
        ),
    ]
    return _step(
        "backward",
        "edge_backward",
        [edge.source, edge.target],
        [reader.edge_ids[k]],
        "step.expression.backward",
        params={"source": source_symbol, "target": target_symbol, "op": target.op},
        formula=lines,
        values={"upstream": upstream, "local": local, "contribution": contribution},
    )


def _accumulate_step(reader: _Reader, node: GraphNode) -> dict[str, Any]:
    """A node used several times: its gradient is the sum of what flows back along each use."""
    symbol = reader.symbols[node.id]
    edges = reader.outgoing[node.id]
    contributions = [scalar(reader.view.edges[k].contribution) for k in edges]
    terms = [_share(total(symbol), number, len(edges)) for number in range(len(edges))]
    substituted = " + ".join(paren(c) if c is not None else "—" for c in contributions)
    grad = reader.gradient(node.id)
    return _step(
        "backward",
        "accumulate",
        [node.id],
        [reader.edge_ids[k] for k in edges],
        "step.expression.accumulate",
        params={"node": symbol, "count": len(edges)},
        formula=[_line(total(symbol), " + ".join(terms), substituted, grad)],
        values={"contributions": contributions, "grad": grad},
    )
