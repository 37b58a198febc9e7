"""Wire format of the service metadata: the caps a request is checked against and the accepted choices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.api.schemas.common import Activation, InitScheme, LossName
from app.api.schemas.training import DatasetName, OptimizerName, Regularization


def _cap(what: str) -> Any:
    return Field(ge=0, description=what)


class Choices(BaseModel):
    """The values each enumerated request field accepts."""

    activations: list[Activation] = Field(description="`activation` and `output_activation` of a network.")
    losses: list[LossName] = Field(description="`loss` of a network.")
    optimizers: list[OptimizerName] = Field(description="`optimizer` of a training run.")
    init_schemes: list[InitScheme] = Field(description="`init` of a network: how its weights start.")
    regularizations: list[Regularization] = Field(description="`regularization` of a training run.")
    datasets: list[DatasetName] = Field(
        description="`dataset.name` of a training run; GET /api/v1/datasets describes each."
    )


class Limits(BaseModel):
    """Every cap this server enforces, each set by the environment variable BACKPROP_<NAME>; a request over
    one is refused with 413 or 422 and a message naming it."""

    max_layers: int = _cap("Layers of a network, input and output included.")
    max_neurons: int = _cap("Neurons in one layer.")
    max_batch: int = _cap("Samples in one traced pass.")
    max_dataset: int = _cap("Points in a training set.")
    max_train_steps: int = _cap("Steps of one training run.")
    max_train_work: int = _cap(
        "Compute budget of one training run: (steps × samples per step + records × points + pictures × points "
        "drawn) × parameters."
    )
    max_expression_length: int = _cap("Characters of an expression.")
    max_expression_depth: int = _cap("Nesting depth of an expression.")
    max_variables: int = _cap("Variables in an expression.")
    max_features: int = _cap("Input features of a network (`features` of a trace or a training run).")
    max_body_bytes: int = _cap("Bytes of a request body.")
    max_header_bytes: int = _cap("Bytes of the request line and headers (`python -m app`; more get a 431).")
    max_trace_steps: int = _cap("Narration steps in one trace response.")
    max_trace_weights: int = _cap("Weights of a traced network.")
    max_graph_nodes: int = _cap("Scalar nodes of a pass's whole graph (include_graph of POST /api/v2/network/trace).")
    max_grid: int = _cap("Decision-boundary grid cells per axis.")
    max_neuron_grid_cells: int = _cap("Hidden neurons × grid cells of the per-neuron heat maps.")
    max_train_records: int = _cap("Points of the loss history in one training run.")
    max_train_snapshots: int = _cap("Parameter snapshots kept in one training run.")
    max_train_snapshot_values: int = _cap("Numbers in all the parameter snapshots of one training run.")
    max_gradcheck_parameters: int = _cap("Parameters of one gradient check (each costs two forward passes).")
    max_curve_samples: int = _cap("Sample points of a plotted curve.")
    max_descent_steps: int = _cap("Steps of one gradient-descent walk.")
    max_limit_deltas: int = _cap("Rows of the Δx table of a derivative as a limit.")
    max_response_bytes: int = _cap("Estimated bytes of one response (a trace, a training report).")
    max_stream_bytes: int = _cap("Estimated bytes of one training stream, all its events together.")
    heavy_slots: int = _cap("Heavy requests (traces, training, gradient checks) computed at once by one process.")
    heavy_queue: int = _cap("Heavy requests that wait for a slot; one more is answered 503 with Retry-After.")
    heavy_queue_seconds: float = Field(ge=0, description="Longest wait for a slot before a 503, in seconds.")
    choices: Choices = Field(description="The values each enumerated request field accepts.")
