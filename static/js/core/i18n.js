// Translations: static/i18n/<lang>/<namespace>.json, keys "<namespace>.<path>".
// Pages arrive rendered in the reader's language and carry the strings their scripts use (a JSON data
// block, #i18n-strings, written by the server with English where a string is missing), so nothing waits
// for a translation file at start. Switching language fetches the files, re-translates every [data-i18n]
// element in place and tells the page (event "langchange") so it can re-render what it drew itself.

import { local } from "./storage.js";

export const LANGUAGES = ["en", "zh-CN"];
const NAMESPACES = ["common", "playground", "train", "lessons"];
const catalogs = new Map();

function flatten(prefix, value, out) {
  if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) flatten(`${prefix}.${key}`, child, out);
  } else {
    out.set(prefix, String(value));
  }
}

async function loadCatalog(lang) {
  if (catalogs.has(lang)) return catalogs.get(lang);
  const strings = new Map();
  await Promise.all(
    NAMESPACES.map(async (ns) => {
      const response = await fetch(`/static/i18n/${lang}/${ns}.json`);
      if (response.ok) flatten(ns, await response.json(), strings);
    }),
  );
  catalogs.set(lang, strings);
  return strings;
}

let current = document.documentElement.lang || "en";

/** The language whose strings came with the page (English fallback included), or null. */
const embeddedLanguage = (() => {
  const block = document.getElementById("i18n-strings");
  if (!block || !LANGUAGES.includes(block.dataset.lang)) return null;
  try {
    catalogs.set(block.dataset.lang, new Map(Object.entries(JSON.parse(block.textContent))));
    return block.dataset.lang;
  } catch {
    return null;
  }
})();

export function currentLanguage() {
  return current;
}

/** The string for `key` with {name} placeholders filled; the key itself when it is missing. */
export function t(key, params = {}) {
  const strings = catalogs.get(current) || new Map();
  const fallback = catalogs.get("en") || new Map();
  let text = strings.get(key) ?? fallback.get(key) ?? key;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

export function hasKey(key) {
  return (catalogs.get(current) || new Map()).has(key);
}

/** Translate [data-i18n] text and [data-i18n-attr="attr:key;attr:key"] attributes under `root`. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : {};
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/**
 * Make the reader's saved language current. Resolves at once when the page came in that language with
 * its strings; otherwise loads them and translates the page.
 */
export async function initI18n() {
  const saved = local.get("lang");
  if (saved && LANGUAGES.includes(saved) && saved !== current) {
    await setLanguage(saved, { persist: false });
    return;
  }
  if (embeddedLanguage === current) return;
  await Promise.all([loadCatalog(current), current === "en" ? null : loadCatalog("en")]);
  applyTranslations();
}

export async function setLanguage(lang, { persist = true } = {}) {
  if (!LANGUAGES.includes(lang)) return;
  await Promise.all([loadCatalog(lang), loadCatalog("en")]);
  current = lang;
  document.documentElement.lang = lang;
  if (persist) {
    local.set("lang", lang);
    document.cookie = `lang=${lang}; path=/; max-age=31536000; SameSite=Lax`;
  }
  applyTranslations();
  document.dispatchEvent(new CustomEvent("langchange", { detail: { lang } }));
}

export function toggleLanguage() {
  return setLanguage(current === "en" ? "zh-CN" : "en");
}
