"""Translations for server-rendered pages, from the same JSON files the browser uses.

static/i18n/<lang>/<namespace>.json holds nested objects; the key of a string is
``<namespace>.<path>``, e.g. ``common.nav.playground``. Templates call ``t(key)`` so a page arrives
already in the reader's language, with the strings its scripts need embedded as a JSON data block
(``embedded_strings``), so no script waits for a translation file; the browser fetches the files only
when the reader switches language, and then re-translates in place.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
I18N_DIR = Path(__file__).resolve().parent.parent / "static" / "i18n"


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(f"{prefix}.{key}", child, out)
    else:
        out[prefix] = str(value)


@lru_cache
def catalog(lang: str) -> dict[str, str]:
    """Every string of one language, by full key."""
    strings: dict[str, str] = {}
    for path in sorted((I18N_DIR / lang).glob("*.json")):
        _flatten(path.stem, json.loads(path.read_text(encoding="utf-8")), strings)
    return strings


def translate(lang: str, key: str, **params: Any) -> str:
    """The string for ``key`` with ``{name}`` placeholders filled; the key itself when missing."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


@lru_cache
def embedded_strings(lang: str, namespaces: tuple[str, ...]) -> str:
    """The strings of ``namespaces`` in ``lang`` (English where a string is missing) as JSON that is safe
    inside a ``<script type="application/json">`` element: no ``<``, ``>`` or ``&`` appears literally."""
    english = catalog(DEFAULT_LANGUAGE)
    own = catalog(lang)
    prefixes = tuple(f"{namespace}." for namespace in namespaces)
    strings = {key: own.get(key, text) for key, text in english.items() if key.startswith(prefixes)}
    strings.update({key: text for key, text in own.items() if key.startswith(prefixes)})
    text = json.dumps(strings, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The reader's language: their saved choice, else the browser's preference, else English."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
