"""Wire format of network traces: what a client sends and what one pass of backprop returns."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.api.schemas.common import (
    Activation,
    InitScheme,
    LossName,
    Number,
    ResponseModel,
    Seed,
    Step,
    StrictModel,
)


class NetworkSpec(StrictModel):
    """A fully connected network. Sizes and counts are capped; see ``GET /api/v1/limits``."""

    layers: list[int] = Field(
        default=[2, 3, 1],
        description="Neurons per layer, input layer first, e.g. [2, 3, 1].",
        examples=[[2, 3, 1]],
    )
    activation: Activation | list[Activation] = Field(
        default="tanh", description="Hidden layers' activation: one name for all, or one per hidden layer."
    )
    output_activation: Activation = Field(
        default="sigmoid", description="Output layer's activation. cross_entropy expects 'identity' (logits)."
    )
    loss: LossName = Field(
        default="mse",
        description="mse (mean over all elements), bce (probabilities in [0,1]) or cross_entropy "
        "(logits, probability or one-hot targets); all mean-reduced as in PyTorch.",
    )
    weights: list[list[list[float]]] | None = Field(
        default=None,
        description="Per connection, the weight matrix laid out [out][in] like torch.nn.Linear. "
        "Omit to draw them from `init` with `seed`.",
    )
    biases: list[list[float]] | None = Field(default=None, description="Per connection, the bias vector [out].")
    seed: Seed = 0
    init: InitScheme = Field(
        default="auto", description="auto: Xavier for tanh/sigmoid/identity, He for ReLU; or torch's default."
    )


FEATURES_DESCRIPTION = (
    "Input features as in the TensorFlow Playground: expressions over x1 and x2 in the app's syntax, e.g. "
    '["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"] (at most max_features of GET /api/v1/limits, 16 by default). The network sees these instead '
    "of the point, so layers[0] must equal their number. Omit for the point itself."
)


class FeatureInfo(ResponseModel):
    expression: str = Field(description="The feature's canonical text, e.g. 'x1^2'.")
    symbol: str = Field(description="How the diagram names it, e.g. 'x₁²'.")


class TraceRequest(NetworkSpec):
    """One forward and backward pass on a batch, plus one SGD update."""

    features: list[str] | None = Field(
        default=None,
        description=FEATURES_DESCRIPTION + " With features, inputs are the points [batch][2].",
        examples=[["x1", "x2", "x1^2"]],
    )

    inputs: list[list[float]] = Field(
        default=[[1.0, 0.5]], description="The batch, [batch][in].", examples=[[[1.0, 0.5]]]
    )
    targets: list[list[float]] = Field(default=[[1.0]], description="Targets, [batch][out].", examples=[[[1.0]]])
    learning_rate: float = Field(default=0.1, ge=0, description="η in w ← w − η ∂L/∂w.")
    sample: int = Field(default=0, ge=0, description="Which sample of the batch the step formulas show.")
    include_neuron_graphs: bool = Field(
        default=True, description="Include each neuron's computation as a small op graph (micrograd style)."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "layers": [2, 3, 1],
                    "activation": "tanh",
                    "output_activation": "sigmoid",
                    "loss": "bce",
                    "inputs": [[1.0, 0.5]],
                    "targets": [[1.0]],
                    "learning_rate": 0.5,
                    "seed": 1,
                }
            ]
        }
    )


class LayerHealth(ResponseModel):
    dead_fraction: Number = Field(description="Share of ReLU units whose z ≤ 0 for every sample (no gradient).")
    saturated_fraction: Number = Field(description="Share of tanh/sigmoid outputs in the flat tails (slope ≈ 0).")
    grad_norm: Number = Field(description="‖∂L/∂W‖ of the weights into this layer.")
    vanishing: bool
    exploding: bool


class LayerTrace(ResponseModel):
    index: int
    size: int
    kind: str = Field(description="input, hidden or output")
    activation: str | None
    labels: list[str] = Field(description="Each neuron's symbol as the lesson writes it (x₁, a₁⁽¹⁾, ŷ).")
    a: list[list[Number]] = Field(description="Activations a = f(z), [batch][n]; for the input layer, x.")
    z: list[list[Number]] | None = Field(description="Pre-activations z = W·a_prev + b, [batch][n].")
    grad_a: list[list[Number]] | None = Field(description="∂L/∂a, [batch][n].")
    grad_z: list[list[Number]] | None = Field(description="∂L/∂z = δ, [batch][n].")
    health: LayerHealth | None


class ParamTrace(ResponseModel):
    layer: int = Field(description="The connection into this layer (1-based).")
    weight: list[list[Number]] = Field(description="W, [out][in].")
    bias: list[Number]
    grad_weight: list[list[Number]] = Field(description="∂L/∂W, [out][in].")
    grad_bias: list[Number] = Field(description="∂L/∂b, [out].")
    updated_weight: list[list[Number]] = Field(description="W − η ∂L/∂W.")
    updated_bias: list[Number] = Field(description="b − η ∂L/∂b.")


class OpNode(ResponseModel):
    id: str
    op: str
    label: str
    value: Number
    grad: Number


class OpEdge(ResponseModel):
    source: str
    target: str
    local: Number = Field(description="∂target/∂source.")
    contribution: Number = Field(description="upstream × local: what flows back along this edge.")


class OpGraph(ResponseModel):
    nodes: list[OpNode]
    edges: list[OpEdge]
    output: str


class TraceResponse(ResponseModel):
    loss: Number
    diverged: bool = Field(description="True when some value overflowed; such numbers are sent as null.")
    sample: int
    layers: list[LayerTrace]
    params: list[ParamTrace]
    steps: list[Step]
    neuron_graphs: dict[str, OpGraph] | None = Field(
        default=None, description="Per neuron id 'L-i', its computation as ops with values and gradients."
    )
    features: list[FeatureInfo] | None = Field(
        default=None, description="With features: what each input neuron holds, in order."
    )
    points: list[list[Number]] | None = Field(
        default=None, description="With features: the points [batch][2] the features were computed from."
    )


class ParameterCheck(ResponseModel):
    name: str = Field(description="W1[0][1] is row 0, column 1 of the first weight matrix; b2[0] a bias.")
    symbol: str = Field(description="As the lesson writes it, e.g. w₁₂⁽¹⁾.")
    layer: int = Field(description="The connection into this layer (1-based).")
    kind: str = Field(description="weight or bias")
    index: list[int] = Field(description="[row, column] of a weight, [row] of a bias.")
    backprop: Number = Field(description="∂L/∂p from one backward pass.")
    numerical: Number = Field(description="(L(p + h) − L(p − h)) / 2h with h = 1e-6.")
    abs_error: Number = Field(description="|backprop − numerical|.")
    rel_error: Number = Field(description="|backprop − numerical| / max(|backprop| + |numerical|, 1e-12).")


class GradcheckCost(ResponseModel):
    parameters: int
    numerical_forward_passes: int = Field(description="2 per parameter: p + h and p − h.")
    backprop_forward_passes: int = Field(description="Always 1.")
    backprop_backward_passes: int = Field(description="Always 1.")


class GradcheckTimings(ResponseModel):
    backprop: Number = Field(description="One forward and one backward pass, median of a few runs.")
    numerical: Number = Field(description="All forward passes of central differences.")
    speedup: Number = Field(description="numerical / backprop.")


class GradcheckResponse(ResponseModel):
    loss: Number
    diverged: bool
    step: float = Field(description="h of the central differences.")
    parameters: list[ParameterCheck]
    max_abs_error: Number
    max_rel_error: Number
    tolerance: float = Field(description="The relative error below which the two gradients agree.")
    agrees: bool = Field(
        description="Every parameter's rel_error ≤ tolerance, or abs_error ≤ 1e-8 for gradients near zero."
    )
    cost: GradcheckCost
    timings_ms: GradcheckTimings
