"""Static files under versioned URLs, so browsers keep them for a year and still see every release.

Pages refer to static files through ``/static/v/<hash>/...``, where ``<hash>`` is a digest of the whole
static tree taken once at start-up. A release that changes any file changes every versioned URL, so an
answer under one may be kept forever (``immutable``). ES modules import each other by relative path, so
a module loaded under the versioned prefix pulls its imports from under the same prefix.

Plain ``/static/...`` keeps working (old links, translation files fetched by absolute path) and is
revalidated on each use (``no-cache`` with the ETag and Last-Modified that StaticFiles sends). A
versioned URL carrying another hash (a page from the release before, during a rolling upgrade) gets the
current file, marked ``no-cache`` too: it is not the content that hash named.

Each file is read and gzipped once and then answered from memory (the whole tree is under a megabyte): a
page of the step player asks for some fifty modules at once, and reading and compressing each of them on
every request made serving them the slowest part of opening it (benchmarks/static_files.py). A file
changed on disk is read again (its size and modification time are checked on every request).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

STATIC_URL = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_VERSION_SEGMENT = "v"
_HASH_LENGTH = 12
HELD_MAX_BYTES = 512 * 1024  # a file larger than this is streamed from disk as StaticFiles does
_GZIP_MIN_BYTES = 1024  # as the GZip middleware: below this compression saves nothing worth a header


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


@dataclass(frozen=True)
class _HeldFile:
    """One static file's bytes, gzipped bytes and headers, and the disk state they were read from."""

    full_path: str
    mtime_ns: int
    size: int
    headers: dict[str, str]
    plain: bytes
    gzipped: bytes | None

    def is_current(self) -> bool:
        try:
            now = os.stat(self.full_path)
        except OSError:
            return False
        return now.st_mtime_ns == self.mtime_ns and now.st_size == self.size


def _hold(response: FileResponse) -> _HeldFile | None:
    """Read the file a StaticFiles answer would stream, unless it is large or changes while read."""
    stat_result = response.stat_result
    if stat_result is None or stat_result.st_size > HELD_MAX_BYTES:
        return None
    plain = Path(response.path).read_bytes()
    if len(plain) != stat_result.st_size:
        return None  # written to while read: stream it this time, hold it next time
    gzipped = gzip.compress(plain, compresslevel=9, mtime=0) if len(plain) >= _GZIP_MIN_BYTES else None
    names = ("content-type", "etag", "last-modified")
    headers = {name: response.headers[name] for name in names if name in response.headers}
    return _HeldFile(str(response.path), stat_result.st_mtime_ns, len(plain), headers, plain, gzipped)


class HeldStaticFiles(VersionedStaticFiles):
    """VersionedStaticFiles answering from memory: each file read and gzipped once, not on every request."""

    def __init__(self, *, directory: Path, version: str) -> None:
        super().__init__(directory=directory, version=version)
        self._held: dict[str, _HeldFile] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        request_headers = Headers(scope=scope)
        if scope["method"] != "GET" or "range" in request_headers:
            return await super().get_response(path, scope)
        held = self._held.get(path)
        if held is None or not held.is_current():
            response = await super().get_response(path, scope)
            if response.status_code != 200 or not isinstance(response, FileResponse):
                return response
            held = await anyio.to_thread.run_sync(_hold, response)
            if held is None:
                return response
            self._held[path] = held
        return self._answer(held, scope, request_headers)

    def _answer(self, held: _HeldFile, scope: Scope, request_headers: Headers) -> Response:
        version, _ = _split_version(self._route_path(scope))
        headers = {**held.headers, "cache-control": IMMUTABLE if version == self.version else REVALIDATE}
        if held.gzipped is not None:
            headers["vary"] = "Accept-Encoding"
        if self.is_not_modified(Headers(headers), request_headers):
            return NotModifiedResponse(Headers(headers))
        if held.gzipped is not None and "gzip" in request_headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
            return Response(held.gzipped, headers=headers)
        return Response(held.plain, headers=headers)


# `import … from "./x.js"`, `export … from "./x.js"` (over several lines too) and `import "./x.js"`; the
# dynamic `import("./x.js")` is left out on purpose: a module loaded on demand is not wanted up front.
_STATIC_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^;'"()]*?\bfrom\s*["'](\.{1,2}/[^"']+\.js)["']|^\s*import\s*["'](\.{1,2}/[^"']+\.js)["']""",
    re.MULTILINE,
)


class ModuleGraph:
    """Which ES modules each module under ``root`` imports statically, so a page can preload them all.

    A browser learns of a module's imports only once the module has arrived, so a page that names only its
    entry module fetches the tree one level per round trip. Listing every module the entry needs as
    ``<link rel="modulepreload">`` lets them all be fetched at once. Read once at start-up, as the static
    tree's version is.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.imports: dict[str, tuple[str, ...]] = {}
        for path in sorted(root.rglob("*.js")):
            name = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            found = (
                posixpath.normpath(posixpath.join(posixpath.dirname(name), a or b))
                for a, b in _STATIC_IMPORT.findall(text)
            )
            self.imports[name] = tuple(dict.fromkeys(found))

    def preloads(self, entries: list[str], skip: list[str] | tuple[str, ...] = ()) -> list[str]:
        """Every module ``entries`` import, nearest first, leaving out ``skip`` and all that it imports."""
        skipped = set(self._closure(list(skip)))
        return [name for name in self._closure(entries) if name not in skipped and name not in entries]

    def _closure(self, entries: list[str]) -> list[str]:
        """``entries`` and all they import, breadth first (the modules needed soonest come first)."""
        order: dict[str, None] = {}
        level = [name for name in entries if name in self.imports]
        while level:
            following: list[str] = []
            for name in level:
                if name in order:
                    continue
                order[name] = None
                following.extend(self.imports.get(name, ()))
            level = following
        return list(order)
