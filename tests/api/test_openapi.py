"""The OpenAPI document as tools read it: valid for the version it declares, every answer typed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pydantic.json_schema import models_json_schema

from app.api import routes
from app.api.openapi import COMPONENTS, DESCRIBED_MODELS
from app.api.schemas.common import Activation, InitScheme, LossName
from app.api.schemas.training import DatasetName, OptimizerName, Regularization
from app.main import create_app
from app.nn.datasets import DATASETS
from app.settings import Settings
from tests.api.conftest import API


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        return client.get("/openapi.json").json()


def documented(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for ``schema`` whose ``#/components/…`` references resolve in ``document``."""
    return Draft202012Validator({"components": document["components"], **schema})


def test_the_document_is_valid_for_the_version_it_declares(document):
    assert document["openapi"].startswith("3.1.")
    validate(document)  # picks the 3.1 rules from the `openapi` field


def test_every_success_is_described_by_a_schema(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"]["200"]["content"]
            for media_type, media in content.items():
                assert media.get("schema"), f"{method.upper()} {path} {media_type} has no schema"


def _without_defaults(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _without_defaults(value) for key, value in schema.items() if key != "default"}
    if isinstance(schema, list):
        return [_without_defaults(value) for value in schema]
    return schema


def test_the_stream_event_models_share_the_components_fastapi_wrote(document):
    """The event models join the document by name: a model of that name must be the one FastAPI described (it
    leaves out the `default: null` annotations of response fields)."""
    _, definitions = models_json_schema(
        [(m, "serialization") for m in DESCRIBED_MODELS], ref_template=COMPONENTS + "{model}"
    )
    schemas = document["components"]["schemas"]
    assert {"TrainStreamEvent", "ProgressEvent", "DoneEvent", "ErrorEvent", "Progress"} <= set(schemas)
    for name, schema in definitions["$defs"].items():
        assert _without_defaults(schemas[name]) == _without_defaults(schema), name


def test_every_operation_that_takes_a_heavy_slot_documents_its_503(document):
    # The handlers that take a slot are found from their code, so a new heavy endpoint that forgets to
    # document its 503 fails here (an operation's id is its handler's name).
    handlers = {
        name
        for module_info in pkgutil.iter_modules(routes.__path__)
        for name, function in inspect.getmembers(importlib.import_module(f"{routes.__name__}.{module_info.name}"))
        if inspect.isfunction(function) and "heavy_slots(" in inspect.getsource(inspect.unwrap(function))
    }
    heavy = [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("operationId") in handlers
    ]
    assert {path for path, _, _ in heavy} >= {f"{API}/network/trace", f"{API}/network/train", "/api/v2/network/trace"}
    for path, method, operation in heavy:
        busy = operation["responses"].get("503")
        assert busy, f"{method.upper()} {path} can answer 503 but does not document it"
        assert busy["content"]["application/json"]["schema"]["$ref"] == f"{COMPONENTS}ErrorResponse"
        assert busy["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_operation_ids_name_the_operation(document):
    ids = [operation["operationId"] for operations in document["paths"].values() for operation in operations.values()]
    assert len(ids) == len(set(ids))
    assert {"limits", "trace", "expression", "train", "train_stream"} <= set(ids)


def test_limits_are_a_typed_model_with_every_cap_described(client, document):
    operation = document["paths"][API + "/limits"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Limits"}
    limits = document["components"]["schemas"]["Limits"]
    caps = {name for name in Settings.model_fields if name.startswith("max_")}
    undescribed = caps - set(limits["required"])
    assert not undescribed, f"caps of Settings missing from Limits (app/api/schemas/meta.py): {sorted(undescribed)}"
    for name in caps:
        assert limits["properties"][name]["type"] == "integer", name
        assert len(limits["properties"][name].get("description", "")) > 10, f"{name} has no description"
    answer = client.get(API + "/limits").json()
    documented(document, schema).validate(answer)
    assert not documented(document, schema).is_valid({**answer, "max_layers": "ten"})


def test_limits_list_the_choices_of_every_enumerated_field(client, document):
    choices = client.get(API + "/limits").json()["choices"]
    assert choices == {
        "activations": list(typing.get_args(Activation)),
        "losses": list(typing.get_args(LossName)),
        "optimizers": list(typing.get_args(OptimizerName)),
        "init_schemes": list(typing.get_args(InitScheme)),
        "regularizations": list(typing.get_args(Regularization)),
        "datasets": list(typing.get_args(DatasetName)),
    }
    assert set(choices["datasets"]) == set(DATASETS)  # the catalogue at GET /api/v1/datasets serves the same
    described = document["components"]["schemas"]["Choices"]["properties"]
    assert all(described[name].get("description") for name in choices)


def test_limits_follow_the_settings(client_with):
    answer = client_with(max_layers=4, max_train_work=1234).get(API + "/limits").json()
    assert answer["max_layers"] == 4 and answer["max_train_work"] == 1234
