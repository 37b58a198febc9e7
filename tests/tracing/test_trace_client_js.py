"""The player's reading of a v2 pass (static/js/player/trace-client.js passFrom), under node, gives the views
what a v1 trace gives them: layers, parameters, steps with their formulas and values, and the neuron op graphs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.tracing.node import NODE, run_program
from tests.tracing.test_contract_v2 import LOSSES, V1, V2, random_request

ROOT = Path(__file__).resolve().parents[2]
CLIENT = (ROOT / "static" / "js" / "player" / "trace-client.js").as_uri()
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

# Reads [{script, numbers}, ...] from the file TRACE_INPUT names; writes each pass as the views read it.
PROGRAM = f"""
import {{ readFileSync }} from "node:fs";
import {{ passFrom }} from "{CLIENT}";
const input = JSON.parse(readFileSync(process.env.TRACE_INPUT, "utf8"));
const passes = input.map(({{ script, numbers }}) => {{
  const pass = passFrom(script, numbers);
  const facts = pass.facts;
  const edges = script.steps.flatMap((step) => step.edges).filter((id) => !id.endsWith(">L"));
  return {{
    loss: pass.loss,
    diverged: pass.diverged,
    sample: pass.sample,
    layers: pass.layers,
    params: pass.params,
    steps: pass.steps,
    neuron_graphs: pass.neuron_graphs,
    facts: {{
      loss: facts.loss,
      learningRate: facts.learningRate,
      lossAt: facts.lossAt,
      updateFrom: facts.updateFrom,
      edges: Object.fromEntries(edges.map((id) => [id, facts.edge(id)])),
      lossEdge: facts.edge("2-0>L"),
      nodes: script.layers.flatMap((layer) => layer.nodes).map((id) => [id, facts.node(id)]),
      badNode: facts.node("0-99"),
    }},
  }};
}});
process.stdout.write(JSON.stringify(passes));
"""


def read_passes(tmp_path: Path, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_program(PROGRAM, [{"script": a["script"], "numbers": a["numbers"]} for a in answers], tmp_path)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(response_cache_bytes=0))) as client:
        yield client


def post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def same(mine: Any, theirs: Any, where: str = "") -> None:
    """Equal structure; numbers equal to 12 significant digits (v1 and v2 write the same doubles differently)."""
    if isinstance(theirs, dict):
        assert isinstance(mine, dict) and mine.keys() >= theirs.keys(), (where, sorted(theirs), mine)
        for key, value in theirs.items():
            same(mine[key], value, f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(mine, list) and len(mine) == len(theirs), where
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, float) and not isinstance(mine, str):
        assert mine is not None and math.isclose(mine, theirs, rel_tol=1e-12, abs_tol=1e-300), (where, mine, theirs)
    else:
        assert mine == theirs, (where, mine, theirs)


@pytest.mark.parametrize("seed", range(6))
def test_a_v2_pass_reads_as_the_v1_trace_the_views_were_written_for(client, tmp_path, seed):
    body = random_request(seed, LOSSES[seed % 3])
    v1 = post(client, V1, {**body, "include_neuron_graphs": True})
    v2 = post(client, V2, {**body, "include_neuron_graphs": True})
    [mine] = read_passes(tmp_path, [v2])
    for field in ("loss", "diverged", "sample", "params", "neuron_graphs"):
        same(mine[field], v1[field], field)
    same(mine["layers"], v1["layers"], "layers")
    same(mine["steps"], v1["steps"], "steps")


def test_facts_name_the_loss_the_rate_and_every_id_without_parsing_it(client, tmp_path):
    body = {**random_request(1, "mse"), "layers": [2, 3, 1], "activation": "tanh", "output_activation": "identity"}
    body |= {"inputs": [[0.5, -1.0]], "targets": [[0.2]], "weights": None, "biases": None, "sample": 0}
    v2 = post(client, V2, {**body, "learning_rate": 0.25})
    [mine] = read_passes(tmp_path, [v2])
    facts = mine["facts"]
    assert facts["loss"] == "mse" and facts["learningRate"] == 0.25
    kinds = [step["kind"] for step in v2["script"]["steps"]]
    assert facts["lossAt"] == kinds.index("loss") and facts["updateFrom"] == kinds.index("update")
    assert facts["edges"]["0-1>1-2"] == {"layer": 1, "to": 2, "from": 1}
    assert facts["edges"]["1-2>2-0"] == {"layer": 2, "to": 0, "from": 2}
    assert facts["lossEdge"] == {"loss": True, "layer": 2, "index": 0}
    assert facts["badNode"] is None
    assert dict(facts["nodes"])["1-2"] == {"layer": 1, "index": 2}


def test_without_op_graph_numbers_a_pass_has_no_op_graphs(client, tmp_path):
    v2 = post(client, V2, random_request(2, "bce"))
    [mine] = read_passes(tmp_path, [v2])
    assert mine["neuron_graphs"] is None
