"""A network built from a request: the starting weights drawn once per shape and seed are the ones drawn each time."""

from __future__ import annotations

import numpy as np
import pytest

from app.api.schemas.network import NetworkSpec
from app.api.validation import build_network
from app.nn.mlp import MLP
from app.settings import Settings


@pytest.mark.parametrize(
    "fields",
    [
        {"layers": [2, 3, 1], "seed": 1},
        {"layers": [2, 3, 1], "seed": 2},
        {"layers": [4, 5, 5, 3], "seed": 9, "activation": ["relu", "sigmoid"], "output_activation": "sigmoid"},
        {"layers": [3, 2], "seed": 0, "init": "torch"},
        {"layers": [2, 6, 2], "seed": 5, "activation": "leaky_relu", "init": "he"},
    ],
)
def test_starting_weights_are_those_mlp_create_draws(fields):
    spec = NetworkSpec(**fields)
    for _ in range(2):  # the second comes from the kept draw
        built = build_network(spec, Settings())
        drawn = MLP.create(
            spec.layers,
            activation=spec.activation,
            output_activation=spec.output_activation,
            seed=spec.seed,
            init=spec.init,
        )
        assert built.activations == drawn.activations
        for ours, theirs in zip(built.parameters(), drawn.parameters(), strict=True):
            np.testing.assert_array_equal(ours.data, theirs.data)


def test_each_network_owns_its_weights():
    spec = NetworkSpec(layers=[2, 3, 1], seed=11)
    first = build_network(spec, Settings())
    first.weights[0].data += 1.0  # training changes weights in place
    second = build_network(spec, Settings())
    assert not np.array_equal(first.weights[0].data, second.weights[0].data)
    np.testing.assert_array_equal(second.weights[0].data, MLP.create([2, 3, 1], seed=11).weights[0].data)


def test_given_weights_are_used_as_sent():
    spec = NetworkSpec(layers=[2, 1], seed=1, weights=[[[0.5, -2.0]]], biases=[[0.25]])
    built = build_network(spec, Settings())
    np.testing.assert_array_equal(built.weights[0].data, [[0.5, -2.0]])
    np.testing.assert_array_equal(built.biases[0].data, [0.25])
