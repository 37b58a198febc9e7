"""Types shared by every resource's schemas."""

from __future__ import annotations

from typing import Annotated, Literal

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
