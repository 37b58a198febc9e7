"""Wire format of a pass's whole graph: every scalar operation, its value and ∂L/∂(node), and the edges."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import Number, ResponseModel

NodeKind = Literal["input", "weight", "bias", "product", "sum", "pre_activation", "activation", "target", "loss"]


class GraphNode(ResponseModel):
    id: str = Field(
        description="Stable id: w<l>.<j>.<k>, b<l>.<j>, a0.<k>@<n> (input), p<l>.<j>.<k>@<n> (wⱼₖ·aₖ), "
        "s<l>.<j>@<n> (Σ), z<l>.<j>@<n>, a<l>.<j>@<n>, y<j>@<n>, loss terms …@<n>, and L."
    )
    kind: NodeKind
    op: str = Field(description="The engine op that computed it (mul, sum, add, tanh, …), or 'leaf'.")
    symbol: str = Field(description="How the op is drawn: ×, Σ, +, tanh, σ, BCE, …; empty for a leaf.")
    label: str = Field(description="What the node holds as the lesson writes it: w₁₂⁽¹⁾, z₁⁽¹⁾, ŷ, L.")
    layer: int | None = Field(default=None, description="The network layer of a neuron's node, or of a parameter.")
    neuron: int | None = Field(default=None, description="The neuron (or output) index within its layer.")
    input: int | None = Field(default=None, description="k of a weight wⱼₖ or a product wⱼₖ·aₖ.")
    sample: int | None = Field(default=None, description="The sample of the batch; null for parameters and L.")
    steps: list[int] = Field(
        description="Indexes of the script's steps the node belongs to: the one computing its value, the one "
        "computing its gradient, and a parameter's update."
    )
    value_step: int | None = Field(
        description="The step that computes the value (a player shows it from there on); null when it is known "
        "before the pass (weights, biases)."
    )
    grad_step: int | None = Field(
        description="The step by which ∂L/∂(this node) is known; null when no gradient is sent (targets)."
    )
    value: Number = Field(description="The node's value in this pass; null when not finite.")
    grad: Number = Field(description="∂L/∂(this node) from the engine's backward pass; null for targets.")


class GraphEdge(ResponseModel):
    source: str
    target: str
    operand: int = Field(description="Which input of the target's op the source is.")


class PassGraph(ResponseModel):
    """The pass as scalar operations (micrograd's draw_dot): inputs, weights, biases, each product wⱼₖ·aₖ,
    each Σ, z, activation and the loss ops, per sample of the batch, with values and gradients."""

    nodes: list[GraphNode] = Field(description="Inputs of an op before the op.")
    edges: list[GraphEdge]
    output: str = Field(description="The id of the loss node.")
    batch: int
    diverged: bool = Field(description="True when some value was not finite (sent as null).")
