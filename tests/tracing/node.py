"""Runs a small ES-module program under node on a JSON payload: the browser's modules checked against Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE = shutil.which("node")


def run_program(program: str, payload: Any, tmp_path: Path) -> Any:
    """``program`` reads the file named by ``TRACE_INPUT`` (``payload`` as JSON) and prints JSON."""
    assert NODE, "node is needed for the JavaScript side of these tests"
    source = tmp_path / "input.json"
    source.write_text(json.dumps(payload, allow_nan=False))
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", program],
        env={**os.environ, "TRACE_INPUT": str(source)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
