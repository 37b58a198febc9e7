"""Dependencies run one way: the engine knows nothing of networks, tracing or HTTP; nn knows nothing of HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
WEB_PACKAGES = {"fastapi", "pydantic", "pydantic_settings", "starlette", "uvicorn"}


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, as absolute names, at any depth (function-level imports too).

    ``package`` is the dotted package the file lives in, to resolve relative imports.
    """
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            modules.add(base)
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def imports_of(path: Path) -> set[str]:
    package = ".".join(path.relative_to(APP.parent).with_suffix("").parts[:-1])
    return imported_modules(path.read_text(encoding="utf-8"), package)


def python_files(folder: str) -> list[Path]:
    files = sorted((APP / folder).rglob("*.py"))
    assert files, f"no Python files under app/{folder}"
    return files


def top_level(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("path", python_files("engine") + python_files("nn"), ids=lambda p: p.name)
def test_engine_and_nn_import_no_web_framework(path: Path) -> None:
    web = {m for m in imports_of(path) if top_level(m) in WEB_PACKAGES}
    assert not web, f"{path.relative_to(APP.parent)} imports {sorted(web)}"


@pytest.mark.parametrize("path", python_files("engine"), ids=lambda p: p.name)
def test_engine_imports_nothing_above_it(path: Path) -> None:
    above = {m for m in imports_of(path) if m.startswith(("app.nn", "app.tracing", "app.api", "app.main"))}
    assert not above, f"{path.relative_to(APP.parent)} imports {sorted(above)}"


@pytest.mark.parametrize("path", python_files("nn"), ids=lambda p: p.name)
def test_nn_imports_neither_tracing_nor_api(path: Path) -> None:
    above = {m for m in imports_of(path) if m.startswith(("app.tracing", "app.api", "app.main"))}
    assert not above, f"{path.relative_to(APP.parent)} imports {sorted(above)}"


def test_the_import_reader_sees_every_kind_of_import() -> None:
    """The check itself can fail: plain, from, relative and function-level imports are all found."""
    source = "import fastapi\nfrom pydantic import BaseModel\nfrom ..nn import mlp\n\ndef f():\n    import starlette.routing\n"
    modules = imported_modules(source, "app.engine")
    assert {"fastapi", "pydantic", "app.nn", "app.nn.mlp", "starlette.routing"} <= modules
    assert "app.engine.tensor" in imported_modules("from .tensor import Tensor\n", "app.engine")
