"""scripts/audit.py fails on a known vulnerability and only warns when the advisory database is out of reach."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit", SCRIPT)
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def fake_pip_audit(monkeypatch: pytest.MonkeyPatch, report: dict | None, stderr: str = "") -> list[list[str]]:
    commands: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        commands.append(command)
        if report is not None:
            Path(command[command.index("-o") + 1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, 0 if report else 1, "", stderr)

    monkeypatch.setattr(audit.subprocess, "run", run)
    return commands


def test_a_vulnerability_fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    vuln = {"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "aliases": [], "description": ""}
    report = {"dependencies": [{"name": "jinja2", "version": "2.10", "vulns": [vuln]}], "fixes": []}
    commands = fake_pip_audit(monkeypatch, report)
    assert audit.audit({"jinja2": "2.10"}) == 1
    assert "VULNERABLE: jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in capsys.readouterr().out
    assert "--disable-pip" in commands[0]


def test_clean_dependencies_pass(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake_pip_audit(monkeypatch, {"dependencies": [{"name": "fastapi", "version": "1.0", "vulns": []}], "fixes": []})
    assert audit.audit({"fastapi": "1.0"}) == 0
    assert "no known vulnerabilities in 1 packages" in capsys.readouterr().out


def test_an_unreachable_database_only_warns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    skipped = {"name": "fastapi", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    fake_pip_audit(monkeypatch, {"dependencies": [skipped], "fixes": []})
    assert audit.audit({"fastapi": "1.0"}) == 0
    assert "WARNING" in capsys.readouterr().out


def test_a_network_failure_only_warns(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake_pip_audit(monkeypatch, None, stderr="requests.exceptions.ConnectionError: no route")
    assert audit.audit({"fastapi": "1.0"}) == 0
    assert "ConnectionError" in capsys.readouterr().out


def test_the_closure_holds_the_declared_dependencies_and_theirs() -> None:
    pinned = audit.installed_closure(audit.declared())
    assert {"fastapi", "uvicorn", "numpy", "starlette", "pydantic", "pytest", "pip-audit"} <= set(pinned)
    assert "backprop-lab" not in pinned
