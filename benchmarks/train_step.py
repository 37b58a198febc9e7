"""Training steps of the default /train network per CPU second, in-process: what the server's trainer keeps on one core.

The default network of the training view (2-4-2-1 tanh, sigmoid output, MSE, batch 10, SGD, the circle set of 500
points split in half, a record every 20 steps): ``Trainer.run`` timed with ``time.process_time`` for
``--steps`` steps, best of ``--repeats``, once replaying the recorded step (the trainer's default) and once
building the graph every step. A third line times the run exactly as /train asks for it at Fastest: binary
cross-entropy (the page's loss for two classes), 300 points split in half, a record every 100 steps.
``--root PATH`` times another checkout of the code instead (e.g. a worktree of an older commit, to compare
before and after). Run: ``python benchmarks/train_step.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def steps_per_cpu_second(
    steps: int, repeats: int, replay: bool, loss: str = "mse", points: int = 500, record_every: int = 20
) -> float:
    from app.nn.datasets import make_dataset
    from app.nn.mlp import MLP
    from app.nn.training import Trainer, TrainingConfig

    best = float("inf")
    for _ in range(repeats):
        train, test = make_dataset("circle", points, 0.05, 1).split(0.5, 1)
        mlp = MLP.create([2, 4, 2, 1], activation="tanh", output_activation="sigmoid", seed=1)
        config = TrainingConfig(
            loss=loss, learning_rate=0.03, batch_size=10, steps=steps, record_every=record_every, seed=1
        )
        trainer = Trainer(mlp, train, test, config)
        if hasattr(trainer, "replay"):
            trainer.replay = replay
        start = time.process_time()
        trainer.run()
        best = min(best, time.process_time() - start)
    return steps / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    print(f"code: {args.root}; load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    replayed = steps_per_cpu_second(args.steps, args.repeats, replay=True)
    built = steps_per_cpu_second(args.steps, args.repeats, replay=False)
    print(f"Trainer.run, default network: {replayed:,.0f} steps per CPU second (replayed step)")
    print(f"Trainer.run, default network: {built:,.0f} steps per CPU second (graph built every step)")
    page = steps_per_cpu_second(args.steps, args.repeats, replay=True, loss="bce", points=300, record_every=100)
    print(f"Trainer.run, as /train plays it at Fastest (BCE, 300 points): {page:,.0f} steps per CPU second")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
