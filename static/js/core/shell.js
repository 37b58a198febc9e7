// What every page shares: language switch, theme, presenter mode (key P), and translations on load.

import { initI18n, toggleLanguage } from "./i18n.js";
import { local, session } from "./storage.js";

const root = document.documentElement;

function setTheme(theme) {
  root.dataset.theme = theme;
  local.set("theme", theme);
}

function initTheme() {
  const saved = local.get("theme");
  const preferred = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  root.dataset.theme = saved === "dark" || saved === "light" ? saved : preferred;
}

export function isPresenting() {
  return root.dataset.presenter === "on";
}

export async function setPresenter(on) {
  root.dataset.presenter = on ? "on" : "off";
  session.set("presenter", on ? "on" : "off");
  const toggle = document.querySelector("[data-testid=presenter-toggle]");
  toggle?.setAttribute("aria-pressed", String(on));
  try {
    if (on && !document.fullscreenElement && document.fullscreenEnabled) await root.requestFullscreen();
    if (!on && document.fullscreenElement) await document.exitFullscreen();
  } catch {
    // Full screen needs a user gesture; presenter styling works without it.
  }
  document.dispatchEvent(new CustomEvent("presenterchange", { detail: { on } }));
}

function isTyping(event) {
  const target = event.target;
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

function initShell() {
  initTheme();
  const params = new URLSearchParams(location.search);
  const presenting = params.get("present") === "1" || session.get("presenter") === "on";
  root.dataset.presenter = presenting ? "on" : "off";
  document.querySelector("[data-testid=presenter-toggle]")?.setAttribute("aria-pressed", String(presenting));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "lang") toggleLanguage();
    if (button.dataset.action === "theme") setTheme(root.dataset.theme === "dark" ? "light" : "dark");
    if (button.dataset.action === "presenter") setPresenter(!isPresenting());
  });
  document.addEventListener("keydown", (event) => {
    if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "p" || event.key === "P") setPresenter(!isPresenting());
    if (event.key === "Escape" && isPresenting()) setPresenter(false);
  });
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && isPresenting()) setPresenter(false);
  });
}

initShell();
/** Resolves when the page's strings are in the reader's language (at once, unless they switched it). */
export const ready = initI18n();
