"""Translations: every key in both languages, the same placeholders in both, and every key a template or a
lesson script names exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "static" / "i18n"
LANGUAGES = ("en", "zh-CN")
NAMESPACES = ("common", "playground", "train", "lessons")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# t('key') in templates; data-i18n="key" and data-i18n-attr="attr:key;attr:key" on elements
TEMPLATE_CALL = re.compile(r"""\bt\(\s*['"]([^'"]+)['"]\s*[,)]""")  # not t('lessons.' ~ slug ~ …)
DATA_I18N = re.compile(r"""data-i18n=["']([^"'{}~]+)["']""")
DATA_I18N_ATTR = re.compile(r"""data-i18n-attr=["']([^"'{}~]+)["']""")
SCRIPT_CALL = re.compile(r"""\bt\(\s*["']([a-z][\w-]*\.[\w.-]+)["']""")


def _flatten(prefix: str, value: object, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(f"{prefix}.{key}", child, out)
    else:
        out[prefix] = str(value)


def _catalog(lang: str, namespace: str) -> dict[str, str]:
    path = I18N / lang / f"{namespace}.json"
    out: dict[str, str] = {}
    if path.exists():
        _flatten(namespace, json.loads(path.read_text(encoding="utf-8")), out)
    return out


def _all(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for namespace in NAMESPACES:
        merged.update(_catalog(lang, namespace))
    return merged


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_key_exists_in_both_languages(namespace: str) -> None:
    en, zh = _catalog("en", namespace), _catalog("zh-CN", namespace)
    only_en = sorted(set(en) - set(zh))
    only_zh = sorted(set(zh) - set(en))
    assert not only_en and not only_zh, f"only in en: {only_en}; only in zh-CN: {only_zh}"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_placeholders_match_between_languages(namespace: str) -> None:
    en, zh = _catalog("en", namespace), _catalog("zh-CN", namespace)
    mismatched = {
        key: (sorted(set(PLACEHOLDER.findall(en[key]))), sorted(set(PLACEHOLDER.findall(zh[key]))))
        for key in set(en) & set(zh)
        if set(PLACEHOLDER.findall(en[key])) != set(PLACEHOLDER.findall(zh[key]))
    }
    assert not mismatched, f"placeholders differ (en, zh-CN): {mismatched}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_string_is_empty(lang: str) -> None:
    empty = sorted(key for key, text in _all(lang).items() if not text.strip())
    assert not empty, f"empty strings in {lang}: {empty}"


def _template_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        keys = set(TEMPLATE_CALL.findall(text)) | set(DATA_I18N.findall(text))
        for spec in DATA_I18N_ATTR.findall(text):
            keys |= {pair.split(":", 1)[1].strip() for pair in spec.split(";") if ":" in pair}
        found[str(path.relative_to(ROOT))] = keys
    return found


def test_templates_use_only_existing_keys() -> None:
    strings = _all("en")
    missing = {path: sorted(k for k in keys if k not in strings) for path, keys in _template_keys().items()}
    missing = {path: keys for path, keys in missing.items() if keys}
    assert not missing, f"templates name keys that do not exist: {missing}"


def test_lesson_scripts_use_only_existing_keys() -> None:
    strings = _all("en")
    scripts = [
        *sorted((ROOT / "static" / "js" / "lessons").glob("*.js")),
        ROOT / "static" / "js" / "pages" / "lesson.js",
    ]
    missing = {
        str(path.relative_to(ROOT)): sorted(
            k for k in SCRIPT_CALL.findall(path.read_text(encoding="utf-8")) if k not in strings
        )
        for path in scripts
    }
    missing = {path: keys for path, keys in missing.items() if keys}
    assert not missing, f"lesson scripts name keys that do not exist: {missing}"


def test_every_lesson_has_its_texts() -> None:
    from app.pages import LESSONS

    for lang in LANGUAGES:
        strings = _all(lang)
        for lesson in LESSONS:
            for part in ("title", "summary", "caption", "try"):
                assert f"lessons.{lesson.slug}.{part}" in strings, (lang, lesson.slug, part)


def test_chain_rule_narrates_every_kind_of_expression_step() -> None:
    """The chain-rule figure words each step by its kind; every kind the tracer emits needs a sentence."""
    source = (ROOT / "app" / "tracing" / "expression.py").read_text(encoding="utf-8")
    kinds = set(re.findall(r"""_step\(\s*["'](?:forward|backward)["'],\s*["'](\w+)["']""", source))
    assert kinds, "no step kinds found in app/tracing/expression.py"
    strings = _all("en")
    missing = sorted(kind for kind in kinds if f"lessons.chain-rule.step_{kind}" not in strings)
    assert not missing, f"no narration for expression steps: {missing}"


# ----------------------------------------------------------------------------------------- strings embedded in pages
MODULE_SRC = re.compile(r"""src=["'](?:/static|\{\{ static \}\})/js/([\w./-]+\.js)["']""")  # {{ static }}: versioned
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}/[\w./-]+\.js)["']""")
NAMESPACE_USE = re.compile(r"""["'`](common|playground|train|lessons)\.[\w$]""")
PAGE_TEMPLATES = {
    "playground": ["playground.html"],
    "train": ["train.html"],
    "lessons": ["lessons/index.html"],
    "lesson": ["lessons/_lesson.html"],
    "docs": ["docs.html"],
    "not_found": ["not_found.html"],
    "join": ["join.html"],
}


def _module_graph(entries: list[Path]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(entries)
    while todo:
        path = todo.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(path.parent / found for found in IMPORT.findall(path.read_text(encoding="utf-8")))
    return seen


def test_pages_carry_the_strings_of_every_namespace_their_scripts_use() -> None:
    """Each page embeds the namespaces of app/pages.py PAGE_NAMESPACES; its scripts (all modules reachable
    from the page's module scripts, dynamic imports included) may use only those."""
    from app.pages import PAGE_NAMESPACES

    assert set(PAGE_NAMESPACES) == set(PAGE_TEMPLATES)
    js = ROOT / "static" / "js"
    for page, templates in PAGE_TEMPLATES.items():
        sources = [(ROOT / "templates" / name).read_text(encoding="utf-8") for name in ["base.html", *templates]]
        entries = [js / src for text in sources for src in MODULE_SRC.findall(text)]
        assert entries, page
        used = {
            namespace
            for path in _module_graph(entries)
            for namespace in NAMESPACE_USE.findall(path.read_text(encoding="utf-8"))
        }
        missing = used - set(PAGE_NAMESPACES[page])
        assert not missing, f"{page}: its scripts use {sorted(missing)}, which the page does not carry"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_embedded_strings_are_complete_and_safe_in_a_script_element(lang: str) -> None:
    from app.i18n import embedded_strings

    text = embedded_strings(lang, ("common", "playground"))
    assert not set("<>&") & set(text)
    strings = json.loads(text)
    expected = {**_catalog("en", "common"), **_catalog("en", "playground")}
    assert set(strings) == set(expected)
    assert strings == {**_catalog(lang, "common"), **_catalog(lang, "playground")}


# Chinese wording. Placeholders filled with Chinese words (the loss's name) count as Chinese characters.
CJK = r"[\u3400-\u9fff\u3001-\u3011\uff01-\uff1f\u201c\u201d]"
CJK_FILLED_PLACEHOLDER = re.compile(r"\{loss\}")
SPACE_BETWEEN_CJK = re.compile(rf"(?<={CJK}) +(?={CJK})")


def test_no_space_between_chinese_words() -> None:
    """Chinese is written without spaces between words ("表示二元交叉熵损失", not "表示 二元交叉熵 损失");
    spaces stay only around Latin text, numbers and formulas."""
    zh = _all("zh-CN")
    spaced = {
        key: text
        for key, text in zh.items()
        # "第 {layer} 个" is fine: a number sits between those spaces
        if SPACE_BETWEEN_CJK.search(CJK_FILLED_PLACEHOLDER.sub("损", text))
    }
    assert not spaced, spaced


def test_chinese_terms_are_the_unambiguous_ones() -> None:
    zh = _all("zh-CN")
    # 步长 reads as step size / learning rate; the control chooses how much one step covers.
    assert "步长" not in zh["playground.controls.granularity"]
    assert "粒度" in zh["playground.controls.granularity"]
    # One name for [f(x + h) − f(x − h)] / 2h.
    assert not [key for key, text in zh.items() if "数值差分" in text or "有限差分" in text]
    assert any("中心差分" in text for text in zh.values())
    # The symbol follows the name it stands for, in both languages.
    assert zh["playground.editor.learning_rate"] == "学习率 η"
    assert _all("en")["playground.editor.learning_rate"].endswith(" η")
    editor = (ROOT / "static" / "js" / "player" / "editor.js").read_text(encoding="utf-8")
    assert "η · " not in editor
    assert "平面 y = y₀ 截曲面" in zh["lessons.partial-derivatives.p3"]
    assert "一个知识点" in zh["lessons.index.intro"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_hint_attaches_next_lesson_to_the_next_key(lang: str) -> None:
    """After the last step it is → (next) that turns to the next lesson, so that note sits by →, before ←."""
    keys = _all(lang)["lessons.ui.keys"]
    note = "下一课" if lang == "zh-CN" else "next lesson"
    assert keys.index("→") < keys.index(note) < keys.index("←")


def test_lesson_one_names_activations_as_the_player_does() -> None:
    script = (ROOT / "static" / "js" / "lessons" / "feed-forward.js").read_text(encoding="utf-8")
    assert "t(`playground.activation.${layer.activation}`)" in script
    assert "activation: layer.activation" not in script
    for lang in LANGUAGES:
        names = {key for key in _all(lang) if key.startswith("playground.activation.")}
        assert {"playground.activation.tanh", "playground.activation.sigmoid"} <= names
