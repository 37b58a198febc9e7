"""Types shared by every resource's schemas."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Activation = Literal["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
LossName = Literal["mse", "bce", "cross_entropy"]
InitScheme = Literal["auto", "xavier", "he", "torch"]
Phase = Literal["forward", "loss", "backward", "update"]

# Numbers computed by the engine: null where the computation overflowed (see ``diverged``).
Number = float | None


class StrictModel(BaseModel):
    """Request models: unknown fields are errors and NaN/Infinity are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="allow")


Seed = Annotated[int, Field(ge=0, le=2**32 - 1, description="Seed for the random initialisation or data.")]


Range = Annotated[
    tuple[float, float],
    Field(description="A closed interval [low, high] of a plot axis.", examples=[[-1.5, 1.5]]),
]


class FormulaLine(ResponseModel):
    lhs: str = Field(description="What is computed, e.g. δ₁⁽²⁾ or ∂f/∂x.")
    symbolic: str = Field(description="The formula in symbols.")
    substituted: str = Field(description="The same formula with the real numbers.")
    value: Number
    result: str = Field(description="The value as written in the narration (4 significant digits).")


class Narration(ResponseModel):
    key: str = Field(description="Translation key of the sentence that explains the step.")
    params: dict[str, Any] = Field(description="The values the sentence mentions.")


class Step(ResponseModel):
    """One step of a forward or backward pass, as the player shows it."""

    index: int
    phase: Phase
    kind: str = Field(
        description="Networks: input, neuron_forward, loss, output_delta, hidden_delta, weight_grads, update. "
        "Expressions: input, node_forward, seed, edge_backward, accumulate, gradient."
    )
    layer: int | None = Field(description="The network layer the step is about (null for expressions).")
    neuron: int | None = Field(description="The neuron in that layer (null for expressions).")
    nodes: list[str] = Field(description="Diagram nodes the step lights up.")
    edges: list[str] = Field(description="Diagram edges the step lights up.")
    narration: Narration
    formula: list[FormulaLine]
    values: dict[str, Any] = Field(description="The step's numbers, by name, for animations.")


class ErrorResponse(BaseModel):
    """Every 4xx: ``detail`` says what to fix; ``code`` is a stable key for translations."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What is wrong and how to fix it, in English.")
    code: str = Field(description="Stable key: validation_error, over_cap, invalid, mismatch, parse_error, …")
    field: str | None = Field(default=None, description="The request field the problem is in.")
    params: dict[str, Any] | None = Field(default=None, description="Values the message mentions.")
    column: int | None = Field(default=None, description="For expression errors: the 1-based column, if known.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For validation errors: each problem as {field, message, type}."
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not readable: not UTF-8 encoded JSON."},
    413: {"model": ErrorResponse, "description": "Over a cap: too large a network, dataset, run or body."},
    415: {"model": ErrorResponse, "description": "The body is sent with a Content-Type other than application/json."},
    422: {"model": ErrorResponse, "description": "Invalid request: `detail` says what to fix."},
}
"""The error responses every computing endpoint documents."""

HEAVY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    503: {
        "model": ErrorResponse,
        "description": "Busy: every slot this process keeps for heavy work is taken and its short queue is full "
        "(or the wait ran out). Try again after `Retry-After` seconds, or ask for less work.",
        "headers": {
            "Retry-After": {"description": "Seconds to wait before asking again.", "schema": {"type": "integer"}}
        },
    },
}
"""The error responses of an endpoint whose work takes one of the server's slots for heavy work."""
