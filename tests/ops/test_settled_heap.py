"""The app's start-up freezes the objects it made out of the garbage collector's walk (``settle_heap`` in
app/main.py), so a full collection in a serving worker walks only what requests have made since. Checked in
a fresh interpreter: freezing is for the whole process, and this one has run other tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
from fastapi.testclient import TestClient
from app.main import app
before = gc.get_freeze_count()
with TestClient(app) as client:
    status = client.get("/healthz").status_code
    print(json.dumps({"before": before, "after": gc.get_freeze_count(), "walked": len(gc.get_objects()),
                      "status": status}))
"""


def test_start_up_freezes_what_it_made_and_the_app_still_answers() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["status"] == 200
    assert figures["before"] == 0
    assert figures["after"] > 10 * figures["walked"]  # the modules, routes and schemas, not a handful
