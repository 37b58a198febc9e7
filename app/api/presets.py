"""The named examples the lessons start from: each is the full request body of one endpoint.

``title_key`` is the translation key of the preset's name in static/i18n; ``title`` is the English
fallback. Every body is sent as it is, so the tests POST each one and expect a 200.
"""

from __future__ import annotations

from typing import Any

API = "/api/v1"

CLASSROOM_NETWORK: dict[str, Any] = {
    "layers": [2, 3, 1],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "weights": [[[0.5, -0.3], [0.8, 0.2], [-0.4, 0.6]], [[0.7, -0.5, 0.3]]],
    "biases": [[0.1, -0.1, 0.05], [0.2]],
    "inputs": [[1.0, 0.5]],
    "targets": [[1.0]],
    "learning_rate": 0.5,
}

FIVE_INPUT_NETWORK: dict[str, Any] = {
    "layers": [5, 3, 2],
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "mse",
    "weights": [
        [
            [0.2, -0.4, 0.1, 0.5, -0.3],
            [-0.6, 0.3, 0.7, -0.2, 0.4],
            [0.5, 0.1, -0.5, 0.3, 0.2],
        ],
        [[0.6, -0.4, 0.3], [-0.2, 0.5, 0.7]],
    ],
    "biases": [[0.1, -0.2, 0.05], [0.0, 0.1]],
    "inputs": [[1.0, 0.5, -0.5, 0.2, 0.8]],
    "targets": [[1.0, 0.0]],
    "learning_rate": 0.5,
}

XOR_BATCH_NETWORK: dict[str, Any] = {
    "layers": [2, 2, 1],
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "mse",
    "weights": [[[0.6, -0.4], [-0.5, 0.7]], [[0.8, 0.9]]],
    "biases": [[0.1, -0.1], [-0.3]],
    "inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
    "targets": [[0.0], [1.0], [1.0], [0.0]],
    "learning_rate": 1.0,
}


def _training(layers: list[int], dataset: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "layers": layers,
        "activation": "tanh",
        "output_activation": "sigmoid",
        "loss": "bce",
        "dataset": dataset,
        "optimizer": "adam",
        "learning_rate": 0.03,
        "batch_size": 10,
        "steps": 500,
        "record_every": 10,
        "test_fraction": 0.2,
        "seed": 1,
    }
    return {**body, **overrides}


def _preset(preset_id: str, kind: str, title: str, endpoint: str, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": preset_id,
        "kind": kind,
        "title_key": f"preset.{preset_id}.title",
        "title": title,
        "method": "POST",
        "endpoint": API + endpoint,
        "request": request,
    }


PRESETS: list[dict[str, Any]] = [
    _preset("classroom", "network", "Classroom network 2-3-1", "/network/trace", CLASSROOM_NETWORK),
    _preset("five-input", "network", "Five inputs, 5-3-2", "/network/trace", FIVE_INPUT_NETWORK),
    _preset("xor-batch", "network", "XOR, all four points in one batch", "/network/trace", XOR_BATCH_NETWORK),
    _preset(
        "xor", "training", "Learn XOR", "/network/train", _training([2, 4, 1], {"name": "xor", "n": 200, "noise": 0.05})
    ),
    _preset(
        "circle",
        "training",
        "A disc inside a ring",
        "/network/train",
        _training([2, 4, 1], {"name": "circle", "n": 200, "noise": 0.05}),
    ),
    _preset(
        "spiral",
        "training",
        "Two spirals",
        "/network/train",
        _training([2, 8, 8, 1], {"name": "spiral", "n": 300, "noise": 0.02}, steps=2000, record_every=20),
    ),
    _preset(
        "sine",
        "training",
        "Fit a sine wave",
        "/network/train",
        _training(
            [1, 8, 1],
            {"name": "sine", "n": 100, "noise": 0.05},
            output_activation="identity",
            loss="mse",
            steps=1000,
        ),
    ),
    _preset(
        "chain-rule",
        "expression",
        "cos(x² − 1)",
        "/expression",
        {"expression": "cos(x^2 - 1)", "variables": {"x": 3.0}},
    ),
    _preset(
        "two-variables",
        "expression",
        "3x + 2y",
        "/expression",
        {"expression": "3x + 2y", "variables": {"x": 1.0, "y": 2.0}},
    ),
    _preset(
        "limit-linear",
        "limit",
        "The slope of 3x",
        "/expression/limit",
        {"expression": "3x", "variable": "x", "at": 3.0},
    ),
    _preset(
        "limit-square",
        "limit",
        "The slope of 2x²",
        "/expression/limit",
        {"expression": "2x^2", "variable": "x", "at": 1.0},
    ),
    _preset(
        "partial-plane",
        "partial",
        "∂/∂x of 3x + 2y",
        "/expression/partial",
        {"expression": "3x + 2y", "at": {"x": 1.0, "y": 2.0}, "variable": "x"},
    ),
    _preset(
        "partial-bowl",
        "partial",
        "∂/∂x of x² + y²",
        "/expression/partial",
        {"expression": "x^2 + y^2", "at": {"x": 1.0, "y": 2.0}, "variable": "x"},
    ),
    _preset(
        "descent-bowl",
        "descent",
        "Rolling down x² + y²",
        "/expression/descent",
        {"expression": "x^2 + y^2", "start": {"x": 2.0, "y": 1.5}, "learning_rate": 0.1, "steps": 30},
    ),
]
"""Every preset, in the order a menu lists them."""
