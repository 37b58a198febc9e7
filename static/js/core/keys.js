// The keys that step a figure: a presenter's clicker sends PageDown/PageUp, and → ← are what everyone
// tries. They step whatever has focus (a select, a checkbox, a slider, a button) — pages listen for them
// on the document in the capture phase, before the focused control acts on them — except while text is
// being typed, where arrows move the caret.

/** Input types whose keys edit what is typed (an unknown type reads as "text"). */
const TEXT_INPUT_TYPES = new Set([
  "text",
  "search",
  "email",
  "url",
  "tel",
  "password",
  "number",
  "date",
  "datetime-local",
  "month",
  "time",
  "week",
]);

/** Whether `target` is a field whose keys edit text: a text or number input, a textarea, contenteditable. */
export function isEditingText(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
  return target.tagName === "INPUT" && TEXT_INPUT_TYPES.has(target.type);
}

/**
 * +1 (forwards), −1 (backwards) or 0 (not a stepping key, or not the page's to take) for a keydown.
 * `vertical`: ↓ and ↑ step too (presenter mode). An element marked [data-own-keys] keeps the arrows
 * (e.g. a map whose point they move); the clicker's keys still step.
 */
export function stepDirection(event, { vertical = false } = {}) {
  if (event.ctrlKey || event.metaKey || event.altKey || isEditingText(event.target)) return 0;
  // An open dialog (the notation key) is read, not stepped: the figure behind it stays where it is.
  if (event.target instanceof Element && event.target.closest("dialog[open]")) return 0;
  const arrow = { ArrowRight: 1, ArrowLeft: -1, ...(vertical ? { ArrowDown: 1, ArrowUp: -1 } : {}) }[event.key];
  if (arrow) return event.target instanceof Element && event.target.closest("[data-own-keys]") ? 0 : arrow;
  return { PageDown: 1, PageUp: -1 }[event.key] ?? 0;
}
