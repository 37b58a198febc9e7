"""A BACKPROP_* variable with a value the app cannot use stops start-up with one line naming it, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from app.settings import InvalidSettings, Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]


def _bad_values(name: str) -> list[str]:
    """Values the setting ``name`` cannot take, by its type (any text is a valid host, so str fields have none)."""
    annotation = Settings.model_fields[name].annotation
    if typing.get_origin(annotation) is typing.Literal:
        return ["loud", ""]
    if annotation is int:
        return ["many", "1.5", "-1", ""]
    if annotation is float:
        return ["soon", "-2", "nan"]
    if typing.get_origin(annotation) is list or annotation == list[str]:
        return ['["https://a.example"', "https://a.example/path", "[1, 2]"]
    return []


CASES = [(name, value) for name in Settings.model_fields for value in _bad_values(name)]


def test_every_kind_of_setting_has_bad_values_to_try() -> None:
    assert {name for name, _ in CASES} >= {"port", "workers", "log_level", "cors_origins", "max_layers"}


@pytest.mark.parametrize(("name", "value"), CASES)
def test_an_invalid_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    variable = f"BACKPROP_{name.upper()}"
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(InvalidSettings) as raised:
            get_settings()
    finally:
        get_settings.cache_clear()
    message = str(raised.value)
    assert "\n" not in message and variable in message, message
    assert isinstance(raised.value, SystemExit) and raised.value.code == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["https://a.example", "http://b.example:8080"]', ["https://a.example", "http://b.example:8080"]),
        ("https://a.example", ["https://a.example"]),
        ("https://a.example, http://b.example:8080", ["https://a.example", "http://b.example:8080"]),
        ("*", ["*"]),
        ("", []),
        ("[]", []),
    ],
)
def test_cors_origins_are_a_json_list_or_comma_separated(monkeypatch: pytest.MonkeyPatch, value, expected) -> None:
    monkeypatch.setenv("BACKPROP_CORS_ORIGINS", value)
    assert Settings().cors_origins == expected


def _run(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **variables}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BACKPROP_CORS_ORIGINS", '["https://a.example"'),
        ("BACKPROP_CORS_ORIGINS", "https://a.example/app"),
        ("BACKPROP_PORT", "eighty"),
        ("BACKPROP_WORKERS", "0"),
        ("BACKPROP_LOG_LEVEL", "loud"),
        ("BACKPROP_MAX_LAYERS", "-3"),
    ],
)
@pytest.mark.parametrize("args", [["-m", "app"], ["-c", "import app.main"]], ids=["python -m app", "import"])
def test_start_up_stops_with_one_line(args: list[str], variable: str, value: str) -> None:
    result = _run(args, **{"BACKPROP_PORT": "1", variable: value})  # port 1: a server that starts anyway fails
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], result.stderr[-2000:]
