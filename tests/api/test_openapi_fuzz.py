"""Fuzz every operation of the OpenAPI document: no 5xx, and every response matches its documented schema."""

from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from app.settings import Settings
from tests.api.conftest import server_sent_events

# Small caps keep each generated training run, descent or grid cheap; the fuzzer still crosses them.
SETTINGS = Settings(
    max_layers=5,
    max_neurons=8,
    max_batch=16,
    max_dataset=40,
    max_train_steps=100,
    max_train_work=100_000,
    max_grid=8,
    max_curve_samples=101,
    max_descent_steps=50,
    max_gradcheck_parameters=200,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS))


@schemathesis.check
def conforms_to_the_document(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The documented schema of the response; for an event stream, whose schema is the whole body as text, each
    event against the event schema the media type names (``x-event-schema``), its data parsed as JSON."""
    media_type = response.headers.get("content-type", [""])[0].split(";")[0]
    documented = case.operation.definition.raw["responses"].get(str(response.status_code), {})
    event_schema = documented.get("content", {}).get(media_type, {}).get("x-event-schema")
    if event_schema is None:
        return response_schema_conformance(ctx, response, case)
    validator = Draft202012Validator({"components": schema.raw_schema["components"], **event_schema})
    for event in server_sent_events(response.content.decode().splitlines()):
        validator.validate(event)
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, conforms_to_the_document]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


def test_a_streamed_run_conforms_and_an_event_off_its_schema_does_not() -> None:
    operation = schema["/api/v1/network/train/stream"]["POST"]
    body = {"layers": [2, 3, 1], "dataset": {"name": "xor", "n": 30}, "steps": 20, "grid": {"resolution": 4}}
    case = operation.Case(body=body, media_type="application/json")
    response = case.call()
    assert response.status_code == 200 and b"event: done" in response.content
    case.validate_response(response, checks=CHECKS)
    off_schema = copy.copy(response)
    off_schema.content = response.content.replace(b'"step":', b'"step":"ten","was":', 1)
    with pytest.raises(Exception, match="ten"):
        case.validate_response(off_schema, checks=CHECKS)
