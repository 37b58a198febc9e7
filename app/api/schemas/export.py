"""Wire format of network exports: a network and its data in, a runnable script out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import ResponseModel
from app.api.schemas.network import NetworkSpec

ScriptFormat = Literal["numpy", "pytorch"]


class ExportRequest(NetworkSpec):
    """A network (with its weights, or a seed to draw them) and a batch to run it on."""

    inputs: list[list[float]] = Field(default=[[1.0, 0.5]], description="The batch, [batch][in].")
    targets: list[list[float]] = Field(default=[[1.0]], description="Targets, [batch][out].")
    learning_rate: float = Field(default=0.1, ge=0, description="η, written into the script's SGD step.")
    format: ScriptFormat = Field(
        default="numpy",
        description="numpy: forward pass, loss, the backward pass written out layer by layer and one SGD step; "
        "pytorch: the same with autograd.",
    )


class ExportResponse(ResponseModel):
    format: ScriptFormat
    filename: str = Field(description="A file name for the script.")
    script: str = Field(
        description="Python source that rebuilds the network and prints its outputs, loss, gradients and the "
        "parameters after one SGD step."
    )
