"""GET /presets, GET /datasets, POST /datasets/parse and GET /limits."""

from __future__ import annotations

import pytest

from app.nn.datasets import DATASETS
from tests.api.conftest import API, ok, refused, strict_json


def get(client, path: str):
    response = client.get(API + path)
    assert response.status_code == 200
    return strict_json(response.content)


# ---------------------------------------------------------------------------------------- presets
def test_presets_name_the_lessons_examples(client):
    presets = {p["id"]: p for p in get(client, "/presets")["presets"]}
    assert {"classroom", "five-input", "xor", "chain-rule", "limit-linear", "limit-square", "descent-bowl"} <= set(
        presets
    )
    classroom = presets["classroom"]
    assert classroom["title_key"] == "preset.classroom.title"
    assert classroom["endpoint"] == "/api/v1/network/trace"
    assert classroom["request"]["layers"] == [2, 3, 1]
    assert classroom["request"]["loss"] == "bce"
    assert presets["five-input"]["request"]["layers"] == [5, 3, 2]
    expressions = {p["request"].get("expression") for p in presets.values()}
    assert {"cos(x^2 - 1)", "3x", "2x^2", "x^2 + y^2", "3x + 2y"} <= expressions


def test_every_preset_body_is_accepted_by_its_endpoint(client):
    for preset in get(client, "/presets")["presets"]:
        response = client.request(preset["method"], preset["endpoint"], json=preset["request"])
        assert response.status_code == 200, (preset["id"], response.text[:300])
        assert strict_json(response.content)["diverged"] is False


# ---------------------------------------------------------------------------------------- datasets
def test_dataset_catalogue(client):
    data = get(client, "/datasets")
    by_name = {d["name"]: d for d in data["datasets"]}
    assert list(by_name) == list(DATASETS)
    assert by_name["xor"] | {"description": None, "suggested": None} == {
        "name": "xor",
        "kind": "binary",
        "input_dim": 2,
        "output_dim": 1,
        "classes": 2,
        "description": None,
        "title_key": "dataset.xor.title",
        "suggested": None,
        "size": None,
        "image": None,
        "class_names": None,
    }
    assert by_name["spiral3"]["classes"] == 3 and by_name["sine"]["input_dim"] == 1
    assert data["max_points"] == 2000


def test_suggested_networks_train(client):
    for info in get(client, "/datasets")["datasets"]:
        body = {**info["suggested"], "dataset": {"name": info["name"], "n": 40}, "steps": 5}
        ok(client, "/network/train", body)


def test_csv_with_a_header_becomes_a_binary_set(client):
    text = "x1,x2,label\n0.5,-0.2,1\n-0.4,0.8,0\n\n0.1,0.1,1\n"
    data = ok(client, "/datasets/parse", {"text": text})
    assert data == {
        "kind": "binary",
        "count": 3,
        "input_dim": 2,
        "output_dim": 1,
        "classes": 2,
        "points": [[0.5, -0.2], [-0.4, 0.8], [0.1, 0.1]],
        "labels": [1, 0, 1],
        "targets": None,
    }


def test_csv_regression_and_multiclass(client):
    data = ok(client, "/datasets/parse", {"text": "0.5;1.5\n1.0;2.0\n"})
    assert data["kind"] == "regression" and data["targets"] == [1.5, 2.0] and data["labels"] is None
    data = ok(client, "/datasets/parse", {"text": "0,0,0\n1,1,1\n2,2,2\n"})
    assert data["kind"] == "multiclass" and data["classes"] == 3


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("x,y,label\n0.5,0.1,1\n0.3,abc,0\n", 3, ["line 3", "'abc'"]),
        ("0.5,0.1,1\n0.3,0\n", 2, ["line 2", "3 columns"]),
        ("0.5,0.1,1\n0.3,nan,0\n", 2, ["line 2"]),
        ("1,2,3,4\n", 1, ["line 1", "2 or 3 columns"]),
        ("0,0,-1\n", 1, ["line 1", "negative"]),
    ],
)
def test_bad_csv_rows_are_named_by_line(client, text, line, words):
    error = refused(client, "/datasets/parse", {"text": text}, 422, *words)
    assert error["code"] == "csv_error"
    assert error["params"]["line"] == line


def test_empty_csv_and_row_cap(client, client_with):
    refused(client, "/datasets/parse", {"text": "  \n"}, 422, "empty")
    text = "\n".join(f"{i},{i},0" for i in range(11))
    error = refused(client_with(max_dataset=10), "/datasets/parse", {"text": text}, 422, "at most 10")
    assert error["params"]["line"] == 11


# ---------------------------------------------------------------------------------------- limits
def test_limits_show_the_configured_caps(client_with):
    data = get(client_with(max_neurons=8, max_descent_steps=7), "/limits")
    assert data["max_neurons"] == 8 and data["max_descent_steps"] == 7
    assert {"max_train_work", "max_grid", "max_gradcheck_parameters", "max_curve_samples"} <= set(data)
