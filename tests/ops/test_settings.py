"""Settings come from BACKPROP_* variables and every one of them is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app import __main__ as entry
from app.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_server_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKPROP_HOST", "0.0.0.0")
    monkeypatch.setenv("BACKPROP_PORT", "9000")
    monkeypatch.setenv("BACKPROP_WORKERS", "4")
    monkeypatch.setenv("BACKPROP_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("BACKPROP_CORS_ORIGINS", '["https://a.example"]')
    settings = Settings()
    assert (settings.host, settings.port, settings.workers) == ("0.0.0.0", 9000, 4)
    assert settings.log_level == "warning"
    assert settings.cors_origins == ["https://a.example"]


def test_defaults_serve_one_local_process() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.workers, settings.log_level) == ("127.0.0.1", 8000, 1, "info")


def test_an_unknown_log_level_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(log_level="loud")


def _documented() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\|\s*`BACKPROP_([A-Z0-9_]+)`\s*\|\s*`([^`]*)`", section, re.M))


def test_every_setting_is_documented_with_its_default() -> None:
    documented = _documented()
    fields = {name.upper(): field for name, field in Settings.model_fields.items()}
    assert set(documented) == set(fields), "README § Configuration must list every setting, and only those"
    for name, field in fields.items():
        default = field.default
        shown = str(default) if not isinstance(default, list) else str(default).replace("'", '"')
        assert documented[name].replace("_", "") == shown.replace("_", ""), name


def test_python_m_app_runs_uvicorn_with_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(entry.uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setattr(entry, "get_settings", lambda: Settings(host="0.0.0.0", port=8123, workers=3))
    entry.main()
    ((args, kwargs),) = calls
    assert args == ("app.main:app",)
    assert kwargs["host"] == "0.0.0.0"
    assert kwargs["port"] == 8123
    assert kwargs["workers"] == 3
    assert kwargs["log_level"] == "info"
    assert kwargs["access_log"] is False
