"""Static files under versioned URLs, so browsers keep them for a year and still see every release.

Pages refer to static files through ``/static/v/<hash>/...``, where ``<hash>`` is a digest of the whole
static tree taken once at start-up. A release that changes any file changes every versioned URL, so an
answer under one may be kept forever (``immutable``). ES modules import each other by relative path, so
a module loaded under the versioned prefix pulls its imports from under the same prefix.

Plain ``/static/...`` keeps working (old links, translation files fetched by absolute path) and is
revalidated on each use (``no-cache`` with the ETag and Last-Modified that StaticFiles sends). A
versioned URL carrying another hash (a page from the release before, during a rolling upgrade) gets the
current file, marked ``no-cache`` too: it is not the content that hash named.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_URL = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_VERSION_SEGMENT = "v"
_HASH_LENGTH = 12


def static_tree_hash(directory: Path) -> str:
    """A short digest of every file under ``directory``: its path relative to the tree and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:_HASH_LENGTH]


def versioned_prefix(version: str) -> str:
    """The URL prefix pages use for static files: ``/static/v/<version>``."""
    return f"{STATIC_URL}/{_VERSION_SEGMENT}/{version}"


def _split_version(route_path: str) -> tuple[str | None, str]:
    """``/v/<hash>/js/a.js`` -> (``<hash>``, ``/js/a.js``); any other path -> (None, the path)."""
    parts = route_path.lstrip("/").split("/", 2)
    if len(parts) == 3 and parts[0] == _VERSION_SEGMENT and parts[1]:
        return parts[1], "/" + parts[2]
    return None, route_path


class VersionedStaticFiles(StaticFiles):
    """StaticFiles that also answers under ``/v/<version>/`` and says how long each answer may be kept."""

    def __init__(self, *, directory: Path, version: str) -> None:
        super().__init__(directory=directory)
        self.version = version

    def _route_path(self, scope: Scope) -> str:
        """The path below the mount point, as StaticFiles itself reads it."""
        root_path = scope.get("root_path", "")
        path = scope["path"]
        if root_path and path.startswith(root_path) and path[len(root_path) : len(root_path) + 1] in ("", "/"):
            return path[len(root_path) :]
        return path

    def get_path(self, scope: Scope) -> str:
        _, path = _split_version(self._route_path(scope))
        return os.path.normpath(os.path.join(*path.split("/")))

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        version, _ = _split_version(self._route_path(scope))
        response.headers["Cache-Control"] = IMMUTABLE if version == self.version else REVALIDATE
        return response
