"""The loss-history reader: crafted histories of each kind, and real runs that go wrong."""

from __future__ import annotations

import math

import pytest

from app.nn.datasets import make_dataset
from app.nn.diagnosis import diagnose, ladder_below, smaller_learning_rate
from app.nn.mlp import MLP
from app.nn.training import Trainer, TrainingConfig

HEALTHY = [0.72 * 0.9**k for k in range(30)]
SAW_TOOTH = [0.7, 9.0, 0.4, 8.5, 0.9, 9.6, 0.3, 7.9, 1.1, 9.2]
EXPLODING = [0.7, 0.9, 1.6, 3.5, 8.0, 20.0, 55.0, 140.0]
OVERFLOW = [0.7, 0.9, 3.0, 40.0, 900.0, math.inf]
SATURATED = [0.72, 30.0] + [48.0] * 20
STALLED = [0.72, 0.71999, 0.71998, 0.71998, 0.71997, 0.71996, 0.71996]


@pytest.mark.parametrize(
    ("losses", "code"),
    [
        (HEALTHY, "healthy"),
        (SAW_TOOTH, "oscillating"),
        (EXPLODING, "blowing_up"),
        (OVERFLOW, "blowing_up"),
        (SATURATED, "saturated"),
        (STALLED, "stalled"),
        ([0.7, 0.6, 0.65, 0.55, 0.6, 0.5, 0.52, 0.45, 0.47, 0.4], "healthy"),  # noisy but going down
    ],
)
def test_crafted_histories(losses, code):
    diagnosis = diagnose(losses, learning_rate=10)
    assert diagnosis is not None and diagnosis.code == code


def test_the_evidence_quotes_the_window():
    diagnosis = diagnose(SAW_TOOTH, learning_rate=10)
    assert diagnosis.evidence["low"] == 0.3 and diagnosis.evidence["high"] == 9.6
    assert diagnosis.evidence["reversals"] == 1.0
    assert diagnosis.suggested_learning_rate == 0.1


def test_overflow_evidence_and_healthy_runs_suggest_nothing():
    assert diagnose(OVERFLOW, 3).evidence["non_finite"] == 1.0
    assert diagnose(OVERFLOW, 3).evidence["last_finite_loss"] == 900.0
    assert diagnose(HEALTHY, 0.03).suggested_learning_rate is None


def test_too_few_records_say_nothing_yet():
    assert diagnose(SAW_TOOTH[:5], 10) is None


def test_only_the_latest_window_counts():
    recovered = SAW_TOOTH + [0.3 * 0.9**k for k in range(25)]
    assert diagnose(recovered, 10).code == "healthy"


def test_a_stall_suggests_a_larger_rate_and_saturation_a_smaller_one():
    assert diagnose(STALLED, 0.00001).suggested_learning_rate == 0.0001
    assert diagnose(SATURATED, 10).suggested_learning_rate == 0.1


@pytest.mark.parametrize(
    ("value", "below"), [(0.1, 0.1), (0.25, 0.1), (0.3, 0.3), (1.0, 1.0), (0.0299, 0.01), (10.0, 10.0), (7.0, 3.0)]
)
def test_ladder(value, below):
    assert ladder_below(value) == pytest.approx(below)


@pytest.mark.parametrize(("rate", "smaller"), [(10, 0.1), (3, 0.03), (1, 0.01), (0.3, 0.03), (0.1, 0.01)])
def test_smaller_learning_rate(rate, smaller):
    assert smaller_learning_rate(rate) == pytest.approx(smaller)


def run(optimizer: str, learning_rate: float, steps: int = 60) -> list[float]:
    data = make_dataset("circle", n=300, noise=0.05, seed=1)
    train, test = data.split(0.5, seed=1)
    mlp = MLP.create([2, 4, 2, 1], activation="tanh", output_activation="sigmoid", seed=1)
    config = TrainingConfig(loss="bce", optimizer=optimizer, learning_rate=learning_rate, steps=steps)
    trainer = Trainer(mlp, train, test, config)
    trainer.run()
    return [r.train_loss for r in trainer.history]


def test_sgd_at_ten_is_seen_oscillating_within_sixty_steps():
    assert diagnose(run("sgd", 10), 10).code == "oscillating"


def test_momentum_at_ten_is_seen_saturated():
    assert diagnose(run("momentum", 10, steps=300), 10).code == "saturated"


@pytest.mark.parametrize(("optimizer", "rate"), [("sgd", 0.3), ("adam", 0.03), ("momentum", 0.1)])
def test_good_rates_are_healthy(optimizer, rate):
    losses = run(optimizer, rate, steps=600)
    codes = {getattr(diagnose(losses[: k + 1], rate), "code", None) for k in range(len(losses))}
    assert codes == {None, "healthy"}
