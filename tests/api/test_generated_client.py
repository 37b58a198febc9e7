"""A Python client generated from the served OpenAPI document by openapi-python-client, against a real server."""

from __future__ import annotations

import importlib
import math
import subprocess
import sys
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from app.api.schemas.common import Activation
from tests.api.conftest import API, server_sent_events

PACKAGE = "backprop_lab_client"  # the generator's name for a document titled "Backprop Lab"
XOR = {
    "layers": [2, 4, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "dataset": {"name": "xor", "n": 100, "noise": 0.05, "seed": 1},
    "steps": 60,
    "record_every": 10,
    "stream_grid_every": 3,
    "grid": {"resolution": 4, "neuron_resolution": 0},
    "seed": 1,
}


@pytest.fixture(scope="session")
def document(live_server: str) -> dict[str, Any]:
    return httpx.get(f"{live_server}/openapi.json").json()


@pytest.fixture(scope="session")
def generated(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package, generated once per session from the server's /openapi.json and imported."""
    root = tmp_path_factory.mktemp("generated")
    spec = root / "spec.json"
    spec.write_bytes(httpx.get(f"{live_server}/openapi.json").content)
    config = root / "config.json"  # the class's QR code is an image: the generator reads it as bytes
    config.write_text('{"content_type_overrides": {"image/svg+xml": "application/octet-stream"}}')
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec), "--config", str(config)]
    command += ["--output-path", str(root / PACKAGE), "--meta", "none", "--fail-on-warning"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning means a part of the document was not understood
    sys.path.insert(0, str(root))
    try:
        importlib.import_module(f"{PACKAGE}.models")  # the package's `models` attribute
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def client(generated: ModuleType, live_server: str) -> Iterator[Any]:
    with generated.Client(base_url=live_server, raise_on_unexpected_status=True, timeout=30) as client:
        yield client


def operation(generated: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{generated.__name__}.api.{tag}.{name}")


def test_limits_are_typed_attributes(generated, client, live_server):
    models = generated.models
    limits = operation(generated, "meta", "limits").sync(client=client)
    assert isinstance(limits, models.Limits)
    served = httpx.get(f"{live_server}{API}/limits").json()
    assert limits.max_layers == served["max_layers"] and isinstance(limits.max_layers, int)
    assert limits.max_train_work == served["max_train_work"]
    assert limits.additional_properties == {}  # every field the server sent is a documented attribute
    assert all(isinstance(value, models.ChoicesActivationsItem) for value in limits.choices.activations)
    assert [value.value for value in limits.choices.activations] == list(typing.get_args(Activation))
    assert models.ChoicesDatasetsItem("xor") in limits.choices.datasets


def test_a_gradient_query(generated, client):
    models = generated.models
    variables = models.ExpressionRequestVariables.from_dict({"x": 2.0, "y": 3.0})
    body = models.ExpressionRequest(expression="x*y + sin(x)", variables=variables)
    answer = operation(generated, "expression", "expression").sync(client=client, body=body)
    assert isinstance(answer, models.ExpressionResponse)
    assert answer.value == pytest.approx(6 + math.sin(2))
    assert answer.gradient["x"] == pytest.approx(3 + math.cos(2)) and answer.gradient["y"] == pytest.approx(2)
    assert all(isinstance(step, models.Step) for step in answer.steps)
    assert answer.steps[-1].phase == models.StepPhase.BACKWARD


def test_a_trace_and_a_refused_one(generated, client):
    models = generated.models
    trace = operation(generated, "network", "trace")
    body = models.TraceRequest.from_dict({"layers": [2, 2, 1], "inputs": [[0.5, -1.0]], "targets": [[1.0]]})
    answer = trace.sync(client=client, body=body)
    assert isinstance(answer, models.TraceResponse)
    assert [len(layer.a[0]) for layer in answer.layers] == [2, 2, 1]
    assert {step.phase for step in answer.steps} == set(models.StepPhase)
    refused = trace.sync(client=client, body=models.TraceRequest.from_dict({"layers": [2, 2, 1], "sample": 5}))
    assert isinstance(refused, models.ErrorResponse) and "sample" in refused.detail


def test_a_training_run(generated, client):
    models = generated.models
    answer = operation(generated, "training", "train").sync(client=client, body=models.TrainRequest.from_dict(XOR))
    assert isinstance(answer, models.TrainResponse)
    assert [record.step for record in answer.history] == list(range(0, 61, 10))
    assert isinstance(answer.final, models.TrainRecord) and answer.final.train_loss < answer.history[0].train_loss
    assert answer.layers == [2, 4, 1] and len(answer.weights) == 2


def test_the_training_stream_read_as_its_description_says(generated, client, document):
    """The generated operation returns the whole stream as one string; to follow a run, the description says to
    stream the body with the client's httpx client and read each event with the model its name maps to."""
    models = generated.models
    body = models.TrainRequest.from_dict(XOR)
    mapping = document["components"]["schemas"]["TrainStreamEvent"]["discriminator"]["mapping"]
    model_of = {event: getattr(models, ref.rsplit("/", 1)[1]) for event, ref in mapping.items()}
    http = client.get_httpx_client()
    with http.stream("POST", f"{API}/network/train/stream", json=body.to_dict()) as response:
        assert response.status_code == 200
        events = [model_of[event["event"]].from_dict(event) for event in server_sent_events(response.iter_lines())]
    progress, done = events[:-1], events[-1]
    assert all(isinstance(event, models.ProgressEvent) for event in progress)
    assert all(isinstance(event.data, models.Progress) for event in progress)
    assert [event.data.step for event in progress] == list(range(0, 61, 10))
    assert [isinstance(event.data.grid, models.NetworkGrid) for event in progress] == [k % 3 == 0 for k in range(7)]
    assert isinstance(done, models.DoneEvent) and isinstance(done.data, models.TrainResponse)
    whole = operation(generated, "training", "train_stream").sync(client=client, body=body)
    assert isinstance(whole, str) and whole.count("event: progress") == len(progress)
    plain = operation(generated, "training", "train").sync(client=client, body=body)
    assert done.data.to_dict()["weights"] == plain.to_dict()["weights"]
