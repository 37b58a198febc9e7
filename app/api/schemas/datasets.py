"""Wire format of the dataset catalogue and of CSV parsing."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.api.schemas.common import ResponseModel, StrictModel


class Suggested(ResponseModel):
    """A network that suits the dataset: its output layer and loss fit the targets."""

    layers: list[int]
    activation: str
    output_activation: str
    loss: str


class DatasetInfo(ResponseModel):
    name: str
    kind: str = Field(description="binary (targets 0/1), multiclass (one-hot targets) or regression")
    input_dim: int
    output_dim: int = Field(description="Width of the targets; the network's output layer.")
    classes: int = Field(description="2 for binary, the class count for multiclass, 0 for regression.")
    description: str
    title_key: str = Field(description="Translation key of the name, 'dataset.<name>.title'.")
    suggested: Suggested
    size: int | None = Field(
        default=None, description="Points of a real dataset (digits: 1797, iris: 150); null for a generated one."
    )
    image: list[int] | None = Field(
        default=None, description="[rows, columns] when each point is an image stored row by row (digits: [8, 8])."
    )
    class_names: list[str] | None = Field(
        default=None, description="The names of classes 0, 1, … when they have any (iris: the three species)."
    )


class DatasetCatalogue(ResponseModel):
    datasets: list[DatasetInfo]
    max_points: int = Field(description="The most points a dataset may have on this server.")


class CsvRequest(StrictModel):
    text: str = Field(
        description="Rows 'x1,x2,label' or 'x,label' (commas, semicolons or tabs); an optional header line. "
        "Whole-number labels make classes, other numbers regression targets.",
        examples=["x1,x2,label\n0.5,-0.2,1\n-0.4,0.8,0"],
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "x1,x2,label\n0.5,-0.2,1\n-0.4,0.8,0"}]})


class ParsedDataset(ResponseModel):
    kind: str = Field(description="binary, multiclass or regression")
    count: int
    input_dim: int
    output_dim: int
    classes: int
    points: list[list[float]]
    labels: list[int] | None = Field(description="Class per point (null for regression).")
    targets: list[float] | None = Field(description="Regression target per point (null for classes).")
