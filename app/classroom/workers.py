"""How many worker processes serve this app: a class kept in one process's memory must not be split.

``BACKPROP_WORKERS`` says so for ``python -m app``. A process started by a server's own command line says
so in its arguments: uvicorn (``--workers N``, or ``WEB_CONCURRENCY`` when the flag is absent) and gunicorn
(``-w N`` / ``--workers N``, ``GUNICORN_CMD_ARGS``, ``WEB_CONCURRENCY``). uvicorn's workers are spawned
with the parent's ``sys.argv`` (multiprocessing's spawn hands it over) and gunicorn's are forked, so each
worker reads the command that started the server. A gunicorn config file's ``workers`` is not seen here.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Workers:
    count: int
    source: str  # what says so, for the message: "BACKPROP_WORKERS=2", "uvicorn --workers 2" …


def _server(program: str) -> str | None:
    """uvicorn or gunicorn when ``argv[0]`` is its command (``/usr/bin/gunicorn``, ``…/uvicorn/__main__.py``)."""
    parts = PurePath(program).parts[-2:]
    for server in ("uvicorn", "gunicorn"):
        if any(part == server or part.startswith(f"{server}.") for part in parts):
            return server
    return None


def _flag(args: Sequence[str], names: tuple[str, ...]) -> int | None:
    """The last value given to one of ``names`` (``--workers 2``, ``--workers=2``, ``-w2``), if a number."""
    found = None
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                found = args[index + 1]
            elif arg.startswith(f"{name}=") and name.startswith("--"):
                found = arg.partition("=")[2]
            elif not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                found = arg[len(name) :]
    return int(found) if found is not None and found.strip().isdigit() else None


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def worker_processes(
    configured: int, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Workers:
    """The most workers anything says serve this app (``configured``: BACKPROP_WORKERS)."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    found = [Workers(configured, f"BACKPROP_WORKERS={configured}")]
    server = _server(argv[0]) if argv else None
    if server == "uvicorn" and "--reload" not in argv:  # reloading serves from one process
        flag = _flag(argv[1:], ("--workers",))
        concurrency = _number(environ.get("WEB_CONCURRENCY"))
        if flag is not None:
            found.append(Workers(flag, f"uvicorn --workers {flag}"))
        elif concurrency is not None:
            found.append(Workers(concurrency, f"WEB_CONCURRENCY={concurrency}"))
    elif server == "gunicorn":
        names = ("--workers", "-w")
        flag = _flag(argv[1:], names)
        from_env = _flag(shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), names)
        concurrency = _number(environ.get("WEB_CONCURRENCY"))
        if flag is not None:
            found.append(Workers(flag, f"gunicorn --workers {flag}"))
        elif from_env is not None:
            found.append(Workers(from_env, f"GUNICORN_CMD_ARGS --workers {from_env}"))
        elif concurrency is not None:
            found.append(Workers(concurrency, f"WEB_CONCURRENCY={concurrency}"))
    return max(found, key=lambda workers: workers.count)
