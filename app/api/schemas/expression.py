"""Wire format of expressions: a formula and values in; its graph, gradients, limits, slices and descents out."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from app.api.schemas.common import Number, Range, ResponseModel, Step, StrictModel
from app.engine.symbolic import MAX_DERIVATIVE_NODES

EXPRESSION_DESCRIPTION = (
    "A formula such as cos(x^2 - 1): + - * / ^ (or **), implicit products (2x, 3(x + 1)), parentheses, "
    "sin cos tan exp log (ln) sqrt tanh sigmoid relu abs, pi and e. Variables are names like x, y, w1."
)
Variables = dict[str, float]


class ExpressionRequest(StrictModel):
    expression: str = Field(default="cos(x^2 - 1)", description=EXPRESSION_DESCRIPTION, examples=["cos(x^2 - 1)"])
    variables: Variables = Field(
        default_factory=lambda: {"x": 3.0},
        description="A value for every variable of the expression; other names are ignored.",
        examples=[{"x": 3.0}],
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"expression": "cos(x^2 - 1)", "variables": {"x": 3}}]})


class ExpressionNode(ResponseModel):
    id: str = Field(description="A variable's name, or n<k> in topological order.")
    kind: str = Field(description="variable, constant or op")
    op: str = Field(description="The engine op (add, mul, pow_const, cos, …), or 'leaf'.")
    symbol: str = Field(description="How the steps name it: the variable, the number, u₁, u₂, … or f (the output).")
    label: str = Field(description="The sub-expression it computes, e.g. 'x^2 − 1' (long ones shortened with …).")
    value: Number
    grad: Number = Field(description="∂f/∂(this node); null for constants.")
    inputs: list[str] = Field(description="Ids of the op's inputs, in order.")


class ExpressionEdge(ResponseModel):
    id: str = Field(description="'source>target' ('#1' appended for the second operand of x·x).")
    source: str
    target: str
    input_index: int = Field(description="Which operand of the target the source is.")
    local: Number = Field(description="∂target/∂source.")
    upstream: Number = Field(description="∂f/∂target.")
    contribution: Number = Field(description="upstream × local: what flows back to the source (null for constants).")


class ExpressionGraph(ResponseModel):
    nodes: list[ExpressionNode] = Field(description="Inputs before the ops that use them.")
    edges: list[ExpressionEdge]
    output: str = Field(description="The id of the node holding f.")


class SymbolicDerivative(ResponseModel):
    """∂f/∂v as a formula, simplified as a textbook writes it: 2x² gives 4x, cos(x² − 1) gives −2x·sin(x² − 1)."""

    text: str | None = Field(
        description="The derivative in the expression syntax (e.g. '-2*x*sin(x^2 - 1)'); POST it as an "
        "expression to evaluate it. null when omitted."
    )
    typeset: str | None = Field(description="The same for display, e.g. '−2x·sin(x² − 1)'. null when omitted.")
    at_values: str | None = Field(
        description="The typeset derivative with the variables' values put in, e.g. '−2·3·sin(3² − 1)' at x = 3. "
        "null when omitted."
    )
    omitted: Literal["too_large", "non_finite_number"] | None = Field(
        description="Why the derivative is not written out, or null when it is: 'too_large' when the simplified "
        f"derivative has more than {MAX_DERIVATIVE_NODES} nodes; 'non_finite_number' when the expression holds "
        "a number no float carries (1e999, 1/0)."
    )


class ExpressionResponse(ResponseModel):
    expression: str = Field(description="The expression as parsed, written canonically.")
    variables: list[str] = Field(description="Variables in order of first appearance.")
    value: Number
    gradient: dict[str, Number] = Field(description="∂f/∂v for every variable v, by backprop.")
    numerical_gradient: dict[str, Number] = Field(description="∂f/∂v by central differences (h = 1e-6).")
    gradient_error: dict[str, Number] = Field(description="|backprop − numerical| per variable.")
    symbolic_gradient: dict[str, str | None] = Field(
        description="∂f/∂v for every variable v as a simplified formula in the expression syntax: 4*x for 2x^2. "
        "null for a variable whose derivative is omitted; symbolic_derivatives says why."
    )
    symbolic_derivatives: dict[str, SymbolicDerivative] = Field(
        description="For every variable: the formula of ∂f/∂v, typeset, with the values put in, or why it is omitted."
    )
    diverged: bool = Field(description="True when some value overflowed; such numbers are null.")
    graph: ExpressionGraph
    steps: list[Step] = Field(description="Forward steps node by node, then backward steps edge by edge.")


class Line(ResponseModel):
    slope: Number
    intercept: Number = Field(description="y = slope·x + intercept.")


class FunctionCurve(ResponseModel):
    range: list[Number]
    xs: list[Number]
    values: list[Number] = Field(description="f at each x.")


class LimitRequest(StrictModel):
    expression: str = Field(default="3x", description=EXPRESSION_DESCRIPTION, examples=["3x"])
    variable: str = Field(default="x", description="The one variable of the expression.")
    at: float = Field(default=3.0, description="x₀, the point of the derivative.")
    deltas: list[float] | None = Field(
        default=None, description="Δx values, e.g. [1, 0.1, 0.01]; omit for 1, 0.5, 0.1, 0.01, …, 1e-6. Not 0."
    )
    range: Range | None = Field(default=None, description="x range of the curve; omit for one around x₀.")
    samples: int = Field(default=201, ge=2, description="Points of the curve.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expression": "2x^2", "variable": "x", "at": 1, "deltas": [1, 0.1, 0.01]}]}
    )


class LimitRow(ResponseModel):
    delta: float = Field(description="Δx")
    x: Number = Field(description="x₀ + Δx")
    f_x: Number = Field(description="f(x₀ + Δx)")
    delta_y: Number = Field(description="Δy = f(x₀ + Δx) − f(x₀)")
    quotient: Number = Field(description="Δy / Δx, the secant's slope")
    exact: Number = Field(description="f′(x₀) by backprop")
    error: Number = Field(description="Δy/Δx − f′(x₀)")
    abs_error: Number
    secant: Line = Field(description="The secant through (x₀, f(x₀)) and (x₀ + Δx, f(x₀ + Δx)).")


class LimitResponse(ResponseModel):
    variable: str
    at: float
    value: Number = Field(description="f(x₀)")
    derivative: Number = Field(description="f′(x₀) by backprop")
    rows: list[LimitRow]
    tangent: Line
    curve: FunctionCurve
    diverged: bool


class PartialRequest(StrictModel):
    expression: str = Field(default="x^2 + y^2", description=EXPRESSION_DESCRIPTION, examples=["x^2 + y^2"])
    at: Variables = Field(
        default_factory=lambda: {"x": 1.0, "y": 2.0}, description="The point: every variable's value."
    )
    variable: str = Field(default="x", description="The variable to vary; the others stay at their values.")
    range: Range | None = Field(default=None, description="Range of the varied variable; omit for ±2 around it.")
    samples: int = Field(default=201, ge=2, description="Points of the slice.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expression": "x^2 + y^2", "at": {"x": 1, "y": 2}, "variable": "x"}]}
    )


class PartialResponse(ResponseModel):
    variable: str
    at: dict[str, float]
    value: Number
    partial: Number = Field(description="∂f/∂variable at the point, by backprop.")
    gradient: dict[str, Number] = Field(description="Every partial derivative at the point.")
    tangent: Line = Field(description="The tangent of the slice at the point (x axis: the varied variable).")
    slice: FunctionCurve = Field(description="f along the varied variable through the point.")
    diverged: bool


class DescentRequest(StrictModel):
    expression: str = Field(default="x^2 + y^2", description=EXPRESSION_DESCRIPTION, examples=["x^2 + y^2"])
    start: Variables = Field(default_factory=lambda: {"x": 2.0, "y": 1.5}, description="Every variable's start value.")
    learning_rate: float = Field(default=0.1, ge=0, description="η in p ← p − η ∇f(p).")
    steps: int = Field(default=30, ge=0, description="Descent steps.")
    resolution: int = Field(default=40, ge=2, description="Cells per axis of the contour grid (or curve samples).")
    x_range: Range | None = Field(default=None, description="Range of the first variable; omit to fit the path.")
    y_range: Range | None = Field(default=None, description="Range of the second variable; omit to fit the path.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"expression": "x^2 + y^2", "start": {"x": 2, "y": 1.5}, "learning_rate": 0.1, "steps": 30}]
        }
    )


class PathPoint(ResponseModel):
    step: int
    point: dict[str, Number]
    value: Number
    gradient: dict[str, Number]


class ContourGrid(ResponseModel):
    """f over the plane of the two variables: row i is the second variable = ys[i], column j the first = xs[j]."""

    resolution: int
    x_range: list[Number]
    y_range: list[Number]
    xs: list[Number]
    ys: list[Number]
    values: list[list[Number]]


class DescentResponse(ResponseModel):
    variables: list[str] = Field(description="The grid's x axis is the first, its y axis the second.")
    path: list[PathPoint] = Field(description="The start, then the point after each step.")
    steps_done: int
    final: PathPoint
    diverged: bool = Field(description="True when the path overflowed; it stops there.")
    grid: ContourGrid | None = Field(description="For 2 variables: f to draw contours.")
    curve: FunctionCurve | None = Field(description="For 1 variable: f along it.")
