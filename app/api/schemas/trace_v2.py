"""Wire format of trace contract v2: a script per network shape, numbers per pass.

The script holds every word, symbol, id and the formulas as templates; the numbers hold the pass's
named arrays. A client keeps scripts by id and renders ``script + numbers`` into the text of each step
(``app/tracing/render.py`` says how; ``static/js/core/trace-render.js`` does the same in the browser).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, StrictBool

from app.api.schemas.common import FormulaLine, Narration, Number, Phase, ResponseModel
from app.api.schemas.network import FEATURES_DESCRIPTION, LayerHealth, NetworkSpec
from app.api.schemas.whole_graph import PassGraph

Matrix = list[list[Number]]


class TraceV2Request(NetworkSpec):
    """One forward and backward pass on a batch, plus one SGD update, answered as numbers and a script."""

    features: list[str] | None = Field(
        default=None,
        description=FEATURES_DESCRIPTION + " With features, inputs are the points [batch][2]; the script names "
        "each input neuron by its feature and the numbers carry the points.",
        examples=[["x1", "x2", "x1^2"]],
    )
    inputs: list[list[float]] = Field(default=[[1.0, 0.5]], description="The batch, [batch][in].")
    targets: list[list[float]] = Field(default=[[1.0]], description="Targets, [batch][out].")
    learning_rate: float = Field(default=0.1, ge=0, description="η in w ← w − η ∂L/∂w.")
    sample: int = Field(default=0, ge=0, description="Which sample of the batch the step formulas show.")
    include_neuron_graphs: bool = Field(
        default=False,
        description="Also send the numbers only the neuron op graphs show: delta_times_a and weighted_sum.",
    )
    include_graph: StrictBool = Field(
        default=False,
        description="Also send `graph`: every scalar operation of the pass with its value and gradient, for "
        "networks small enough to draw (GET /api/v1/limits: max_graph_nodes; larger ones get 422).",
    )
    known_script_id: str | None = Field(
        default=None,
        max_length=64,
        description="The id of a script the client already holds; when it is this trace's, the script is left out.",
    )
    expand: bool = Field(
        default=False, description="Also send `steps`: every step with its formulas written out, as v1 sends them."
    )


class _Template(ResponseModel):
    model_config = ConfigDict(extra="forbid")


class NumberRef(_Template):
    """A number of the pass: ``numbers[ref][index[0]][index[1]]…``, written with 4 significant digits."""

    ref: str = Field(description="The name of an array of `numbers`, e.g. W, a, delta, learning_rate.")
    index: list[int | str] = Field(
        description="Indexes into that array; per-layer arrays start with the layer. A name is the variable of "
        "the enclosing line loop."
    )
    paren: bool = Field(default=False, description="Written in parentheses when negative, as in 0.5 × (−0.3).")


class SymbolToken(_Template):
    """A symbol as the lesson writes it: weight wⱼₖ⁽ˡ⁾ (index [j, k]) or neuron xₖ, aₖ⁽ˡ⁾, ŷₖ (index [k])."""

    symbol: Literal["weight", "neuron"]
    layer: int
    index: list[int | str]


class TermLoop(_Template):
    """`count` terms of a sum from one template, with the variable `for` = 0 … count − 1 in its indexes."""

    for_: str = Field(alias="for", description="The variable's name, e.g. k.")
    count: int
    term: list[str | NumberRef | SymbolToken]


class SumToken(_Template):
    """Terms joined by " + ": the first `max_terms_shown` of them, then "…"; "0" when there are none."""

    sum: list[list[str | NumberRef | SymbolToken] | TermLoop] = Field(
        description="The terms, each a list of tokens or a loop of terms."
    )
    skip_zero: list[NumberRef] | None = Field(
        default=None, description="Per term, a number: the term is left out when that number is 0."
    )


Token = str | NumberRef | SumToken | SymbolToken


class FormulaTemplate(_Template):
    lhs: str | list[Token] = Field(description="What is computed, e.g. δ₁⁽²⁾.")
    symbolic: str | list[Token] = Field(description="The formula in symbols.")
    substituted: list[Token] = Field(description="The formula with numbers: text, references and sums.")
    value: NumberRef = Field(description="The result; its text is the line's `result`.")


class FormulaLoop(_Template):
    """`count` lines from one template, with the variable `for` = 0 … count − 1 in its indexes."""

    for_: str = Field(alias="for", description="The variable's name, e.g. k.")
    count: int
    line: FormulaTemplate


class NarrationTemplate(_Template):
    key: str = Field(description="Translation key of the sentence that explains the step.")
    params: dict[str, str | int | NumberRef | list[Token]] = Field(
        description="The values the sentence mentions: a reference is its number, a token list its text."
    )


class ScriptStep(_Template):
    index: int
    phase: Phase
    kind: str = Field(description="input, neuron_forward, loss, output_delta, hidden_delta, weight_grads or update.")
    layer: int | None
    neuron: int | None
    nodes: list[str] = Field(description="Diagram nodes the step lights up.")
    edges: list[str] = Field(description="Diagram edges the step lights up.")
    narration: NarrationTemplate
    formula: list[FormulaTemplate | FormulaLoop]


class ScriptLayer(_Template):
    index: int
    size: int
    kind: Literal["input", "hidden", "output"]
    activation: str | None
    activation_symbol: str | None = Field(
        description="The activation as formulas and op graphs write it (tanh, σ, ReLU); null for the inputs."
    )
    activation_derivative: str | None = Field(
        description="The activation's local derivative f′(z) as the δ steps write it (1 − tanh²(z)); null for "
        "the inputs."
    )
    labels: list[str] = Field(description="Each neuron's symbol as the lesson writes it (x₁, a₁⁽¹⁾, ŷ).")
    nodes: list[str] = Field(description="Each neuron's diagram id, 'layer-index'.")


class TraceShapeModel(_Template):
    sizes: list[int]
    activations: list[str] = Field(description="One per connection: the hidden layers', then the output layer's.")
    loss: str
    batch: int
    sample: int
    optimizer: str
    features: list[str] = Field(
        default=[], description="What each input neuron holds, as canonical expressions; empty for the point."
    )


class TraceScript(_Template):
    """All of a trace but its numbers; the same for every pass of one shape."""

    script_id: str = Field(description="A hash of the shape and the contract version.")
    contract: int
    shape: TraceShapeModel
    max_terms_shown: int = Field(description="Sums longer than this are written with their first terms and '…'.")
    learning_rate_symbol: str
    loss: str
    loss_formulas: list[str] = Field(description="The loss and its derivative, in symbols.")
    layers: list[ScriptLayer]
    steps: list[ScriptStep]


class NonFiniteNumber(_Template):
    ref: str
    index: list[int]
    value: Literal["nan", "inf", "-inf"]


class TraceNumbers(ResponseModel):
    """The numbers of one pass. Per-layer arrays are lists by layer, null where a layer has none."""

    sample: int
    diverged: bool = Field(description="True when some number was not finite; it is sent as null.")
    loss: Number
    learning_rate: float
    y: Matrix = Field(description="Targets, [batch][out].")
    a: list[Matrix] = Field(description="Activations a = f(z) per layer, [batch][n]; layer 0 is x.")
    z: list[Matrix | None] = Field(description="Pre-activations z = W·a_prev + b per layer, [batch][n].")
    grad_a: list[Matrix | None] = Field(description="∂L/∂a per layer, [batch][n].")
    delta: list[Matrix | None] = Field(description="δ = ∂L/∂z per layer, [batch][n].")
    slope: list[Matrix | None] = Field(description="f′(z) per layer, the activation's local derivative.")
    W: list[Matrix | None] = Field(description="Weights into each layer, [out][in].")
    b: list[list[Number] | None] = Field(description="Biases of each layer, [out].")
    grad_W: list[Matrix | None] = Field(description="∂L/∂W, [out][in].")
    grad_b: list[list[Number] | None] = Field(description="∂L/∂b, [out].")
    updated_W: list[Matrix | None] = Field(description="W after one SGD step, W − η ∂L/∂W.")
    updated_b: list[list[Number] | None] = Field(description="b after one SGD step.")
    w_times_a: list[Matrix | None] = Field(description="wⱼₖ·aₖ for the focus sample: the terms of zⱼ.")
    delta_times_w: list[Matrix | None] = Field(description="δⱼ·wⱼₖ for the focus sample: its share of ∂L/∂aₖ.")
    delta_times_a: list[Matrix | None] | None = Field(
        default=None, description="With include_neuron_graphs: δⱼ·aₖ for the focus sample, its share of ∂L/∂wⱼₖ."
    )
    weighted_sum: list[list[Number] | None] | None = Field(
        default=None, description="With include_neuron_graphs: Σₖ wⱼₖ·aₖ = z − b for the focus sample, [out]."
    )
    health: list[LayerHealth | None]
    one_minus_y: Matrix | None = Field(default=None, description="bce: 1 − y.")
    one_minus_y_hat: Matrix | None = Field(default=None, description="bce: 1 − ŷ.")
    log_softmax: Matrix | None = Field(default=None, description="cross_entropy: log softmax(z) of the output.")
    softmax: Matrix | None = Field(default=None, description="cross_entropy: softmax(z) of the output.")
    points: Matrix | None = Field(
        default=None, description="With features: the points [batch][2] the input features were computed from."
    )
    non_finite: list[NonFiniteNumber] = Field(description="Which nulls were NaN, ∞ or −∞, so text can say so.")


class ExpandedStep(ResponseModel):
    index: int
    phase: Phase
    kind: str
    layer: int | None
    neuron: int | None
    nodes: list[str]
    edges: list[str]
    narration: Narration
    formula: list[FormulaLine]


class TraceV2Response(ResponseModel):
    script_id: str
    numbers: TraceNumbers
    script: TraceScript | None = Field(
        default=None, description="Left out when the request's known_script_id is this script's id."
    )
    steps: list[ExpandedStep] | None = Field(default=None, description="With expand: the steps written out.")
    graph: PassGraph | None = Field(default=None, description="With include_graph: the pass as scalar operations.")
