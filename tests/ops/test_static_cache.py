"""Static files under versioned URLs kept for a year; plain /static/ URLs revalidated (app/static_assets.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.pages import ROOT
from app.static_assets import IMMUTABLE, static_tree_hash

PAGES = ["/", "/train", "/lessons", "/lessons/backpropagation", "/lessons/chain-rule", "/docs"]
STATIC_REFERENCE = re.compile(r"""(?:src|href)=["'](/static/[^"']+)["']""")
VERSIONED = re.compile(r"^/static/v/([0-9a-f]{12})/")


def static_references(html: str) -> list[str]:
    return STATIC_REFERENCE.findall(html)


@pytest.mark.parametrize("page", PAGES)
def test_pages_refer_to_static_files_by_versioned_urls_that_are_kept_for_a_year(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    references = static_references(response.text)
    assert any(reference.endswith(".js") for reference in references)
    assert any(reference.endswith(".css") for reference in references)
    versions = set()
    for reference in references:
        match = VERSIONED.match(reference)
        assert match, f"{page} refers to {reference} without a version"
        versions.add(match.group(1))
        answer = client.get(reference)
        assert answer.status_code == 200, reference
        assert answer.headers["cache-control"] == IMMUTABLE, reference
    assert versions == {static_tree_hash(ROOT / "static")}


def test_no_template_writes_an_unversioned_static_url() -> None:
    """A template refers to static files through ``{{ static }}``; a literal /static/ would not be kept."""
    literal = re.compile(r"""(?:src|href)=["']/static/""")
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if literal.search(line)
    ]
    assert not found, found


def test_a_versioned_module_imports_its_neighbours_under_the_same_version(client: TestClient) -> None:
    """ES modules import by relative path, so every import of a versioned module resolves under the prefix."""
    page = client.get("/").text
    entry = next(reference for reference in static_references(page) if reference.endswith("pages/playground.js"))
    prefix = VERSIONED.match(entry).group(0)
    imports = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}/[\w./-]+\.js)["']""")
    todo, seen = [entry], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE, url
        base = url.rsplit("/", 1)[0]
        for relative in imports.findall(response.text):
            parts = [*base.split("/"), *relative.split("/")]
            resolved: list[str] = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part != ".":
                    resolved.append(part)
            todo.append("/".join(resolved))
    assert len(seen) > 10
    assert all(url.startswith(prefix) for url in seen)


def test_plain_static_urls_are_revalidated_and_answer_304_when_unchanged(client: TestClient) -> None:
    path = "/static/js/pages/train.js"
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["etag"] and first.headers["last-modified"]
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    since = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    translations = client.get("/static/i18n/zh-CN/common.json")  # fetched by absolute path when switching
    assert translations.status_code == 200 and translations.headers["cache-control"] == "no-cache"


def test_another_releases_version_gets_the_current_file_but_is_not_kept(client: TestClient) -> None:
    """During a rolling upgrade a page of the release before may ask for its hash: the file it gets is not
    the content that hash named, so it must not be kept for a year."""
    response = client.get("/static/v/000000000000/js/pages/train.js")
    assert response.status_code == 200
    assert response.content == (ROOT / "static" / "js" / "pages" / "train.js").read_bytes()
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/static/v/{version}/../../app/main.py",
        "/static/v/{version}/%2e%2e/%2e%2e/pyproject.toml",
        "/static/v/{version}/js/no-such-module.js",
        "/static/v/{version}",
        "/static/v//js/pages/train.js",
    ],
)
def test_versioned_urls_serve_nothing_outside_the_static_tree(client: TestClient, path: str) -> None:
    response = client.get(path.format(version=static_tree_hash(ROOT / "static")))
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")


def test_the_version_changes_with_any_change_to_the_static_tree(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "b.css").write_text("body { color: red; }\n")
    original = static_tree_hash(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", original)
    assert static_tree_hash(tmp_path) == original  # the same tree, the same version

    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    edited = static_tree_hash(tmp_path)
    assert edited != original

    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    assert static_tree_hash(tmp_path) == original  # the content decides, not the time of the change

    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "c.js")
    assert static_tree_hash(tmp_path) != original  # a renamed file changes what URLs name

    (tmp_path / "js" / "c.js").rename(tmp_path / "js" / "a.js")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "new.svg").write_text("<svg/>")
    assert static_tree_hash(tmp_path) != original


def held_client(directory: Path) -> TestClient:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from app.static_assets import HeldStaticFiles

    files = HeldStaticFiles(directory=directory, version="abc")
    return TestClient(Starlette(routes=[Mount("/static", files)]))


def test_a_held_file_changed_on_disk_is_served_as_it_is_now(tmp_path: Path) -> None:
    """Files are answered from memory, but an edit (a developer's, or a deploy into the tree) is seen at once."""
    module = tmp_path / "a.js"
    module.write_text("export const a = 1;\n" * 100)
    client = held_client(tmp_path)
    first = client.get("/static/a.js")
    assert first.content == module.read_bytes()
    module.write_text("export const a = 2;\n" * 120)
    second = client.get("/static/a.js")
    assert second.content == module.read_bytes()
    assert second.headers["etag"] != first.headers["etag"]
    module.unlink()
    assert client.get("/static/a.js").status_code == 404


def test_a_held_file_is_gzipped_once_and_answers_304s_and_plain_callers(tmp_path: Path) -> None:
    module = tmp_path / "b.js"
    module.write_text("export const b = 'a line repeated';\n" * 200)
    client = held_client(tmp_path)
    zipped = client.get("/static/v/abc/b.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == module.read_bytes()  # the test client decompresses
    assert int(zipped.headers["content-length"]) < module.stat().st_size / 5
    assert zipped.headers["cache-control"] == IMMUTABLE
    assert "javascript" in zipped.headers["content-type"]
    assert zipped.headers["vary"] == "Accept-Encoding"
    plain = client.get("/static/b.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == module.read_bytes()
    assert plain.headers["cache-control"] == "no-cache"
    again = client.get("/static/b.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = client.head("/static/b.js")
    assert head.status_code == 200 and head.content == b""
    part = client.get("/static/b.js", headers={"Range": "bytes=0-5", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.content == module.read_bytes()[:6]


def test_a_file_over_the_held_size_is_streamed_from_disk(tmp_path: Path) -> None:
    from app.static_assets import HELD_MAX_BYTES

    data = tmp_path / "big.bin"
    data.write_bytes(os.urandom(HELD_MAX_BYTES + 1))
    client = held_client(tmp_path)
    response = client.get("/static/big.bin")
    assert response.status_code == 200 and response.content == data.read_bytes()
    assert client.app.routes[0].app._held == {}


PRELOAD = re.compile(r"""<link rel="modulepreload" href="/static/v/[0-9a-f]+/js/([^"]+)">""")
ENTRY = re.compile(r"""<script type="module"(?: async)? src="/static/v/[0-9a-f]+/js/([^"]+)">""")
IMPORTED = re.compile(r"""^\s*(?:import|export)\b[^;'"()]*?\bfrom\s*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


def imported_by(module: str) -> set[str]:
    """What ``module`` imports statically, read from the file here independently of app/static_assets.py."""
    folder = (ROOT / "static" / "js" / module).parent
    found = set()
    for relative in IMPORTED.findall((ROOT / "static" / "js" / module).read_text(encoding="utf-8")):
        found.add((folder / relative).resolve().relative_to((ROOT / "static" / "js").resolve()).as_posix())
    return found


@pytest.mark.parametrize("page", ["/", "/train", "/join", "/lessons/chain-rule", "/lessons/backpropagation"])
def test_a_page_preloads_every_module_its_scripts_import(client: TestClient, page: str) -> None:
    """Without the whole list the browser learns of a module only when its importer has arrived: one round
    trip per level of imports before the page can run. The layout's scripts count too: a page's module
    scripts run in order, so one import of the classroom's found late holds back the page's own."""
    html = client.get(page).text
    preloaded = set(PRELOAD.findall(html))
    entries = set(ENTRY.findall(html))
    assert entries
    needed, todo = set(), list(entries)
    while todo:
        for module in imported_by(todo.pop()):
            if module not in needed:
                needed.add(module)
                todo.append(module)
    missing = needed - preloaded - entries
    assert not missing, f"{page} does not preload {sorted(missing)}"
    assert len(PRELOAD.findall(html)) == len(preloaded), "a module is preloaded twice"
    if page.startswith("/lessons/"):
        assert f"lessons/{page.rsplit('/', 1)[1]}.js" in preloaded  # imported on demand, wanted at once
