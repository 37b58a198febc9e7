"""The training view keeps its requests within the server's compute budget, which counts the evaluation of
every point at each record and the pictures a stream draws, not only the training steps."""

from __future__ import annotations

import numpy as np
import pytest

from tests.e2e.test_train import READY, open_train, pause, wait_for_steps

pytestmark = pytest.mark.e2e


def test_the_largest_network_trains_on_the_largest_own_data(page, live_server) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(2000, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    csv = "x1,x2,label\n" + "\n".join(f"{x:.4f},{y:.4f},{label}" for (x, y), label in zip(points, labels, strict=True))
    open_train(page, live_server, "data=xor&hidden=[8,8,8,8,8,8]&speed=max")
    page.click("[data-testid=own-data] summary")
    page.fill("[data-testid=csv-text]", csv)
    page.click("[data-testid=csv-load]")
    page.wait_for_selector(f"{READY} [data-testid=dataset-custom][aria-checked=true]")
    assert page.get_attribute("[data-testid=heatmap-points]", "data-count") == "2000"
    page.click("[data-testid=play]")
    wait_for_steps(page, 200, timeout=90)
    pause(page)  # a refused stream puts the view in its error state, never back to ready
    assert page.get_attribute("[data-testid=train]", "data-state") == "ready"
