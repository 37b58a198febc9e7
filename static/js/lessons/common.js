// What every lesson figure shares: calling the API with stale requests cancelled, and telling the
// reader (in their language) what went wrong.

import { ApiError } from "../core/api.js";
import { t } from "../core/i18n.js";

/** Wraps an api call so that a newer call aborts the one still running. Resolves to null when aborted. */
export function latest(call) {
  let controller = null;
  return async (body) => {
    controller?.abort();
    controller = new AbortController();
    const mine = controller;
    try {
      return await call(body, { signal: mine.signal });
    } catch (error) {
      if (mine.signal.aborted || error?.name === "AbortError") return null;
      throw error;
    }
  };
}

const EXPRESSION_CODES = new Set([
  "missing_value",
  "missing_operand",
  "missing_operator",
  "unbalanced_parenthesis",
  "unknown_function",
  "unknown_variable",
  "empty",
  "too_long",
  "too_deep",
  "over_cap",
]);

/** A sentence for the reader, in the current language, about a failed call. */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    const body = error.body || {};
    const params = {
      message: error.message,
      name: body.params?.name ?? "",
      allowed: (body.params?.variables || []).join(", "),
      column: body.column ?? "?",
    };
    if (EXPRESSION_CODES.has(error.code)) return t(`lessons.errors.${error.code}`, params);
    if (error.field === "expression") return t("lessons.errors.invalid_expression", params);
    return t("lessons.errors.generic", params);
  }
  if (error instanceof TypeError) return t("lessons.ui.error_network");
  return t("lessons.ui.error", { message: String(error?.message || error) });
}

/** Show (or hide, with null) the figure's status line; `busy` marks the figure while computing. */
export function setStatus(root, message, { error = false } = {}) {
  const box = root.querySelector("[data-status]");
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || "";
  box.classList.toggle("is-error", Boolean(error));
  // a reader at work in the figure (the expression just typed) sees what went wrong, just below the field
  if (error && message && root.contains(document.activeElement)) box.scrollIntoView({ block: "nearest" });
}

// How many calls each figure has in flight: it stays busy (aria-busy, for assistive technology and for a
// reader of the page's state) until the last one ends, not when an older call, cancelled by a newer one, returns.
const running = new WeakMap();

/** Run `work`, showing "Computing…" meanwhile and a translated error if it fails. */
export async function withStatus(root, work) {
  const timer = setTimeout(() => setStatus(root, t("lessons.ui.loading")), 250);
  running.set(root, (running.get(root) ?? 0) + 1);
  root.setAttribute("aria-busy", "true");
  try {
    const result = await work();
    if (running.get(root) === 1) setStatus(root, null);
    return result;
  } catch (error) {
    setStatus(root, errorMessage(error), { error: true });
    return null;
  } finally {
    clearTimeout(timer);
    const left = running.get(root) - 1;
    running.set(root, left);
    if (!left) root.removeAttribute("aria-busy");
  }
}

/** Re-run `render` whenever the language changes. */
export function onLanguage(render) {
  document.addEventListener("langchange", () => render());
}

/** The step shown, in a figure's view state (a live class, and the address a following student opens). */
export const STEP_PROPERTY = { name: "s", type: "int", default: 0, validate: (v) => v >= 0 && v <= 10000 };

/** Tell a live class (static/js/classroom/bridge.js) that the figure's view changed. */
export { viewChanged } from "../classroom/bridge.js";
