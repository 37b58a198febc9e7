"""Fuzz every operation of the OpenAPI document: no 5xx, and every response matches its documented schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from app.settings import Settings

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

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
