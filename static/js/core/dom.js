// Tiny DOM helpers. Text always goes in as text (textContent), never as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

/** Set a node's text only when it differs: even an equal write replaces the text node, which the browser
 * then restyles — a cost that adds up in views redrawn every frame. */
export function setText(node, text) {
  if (node.textContent === text) return;
  // A lone text node is changed in place: replacing it has the browser rebuild its layout object too.
  const only = node.childNodes.length === 1 && node.firstChild.nodeType === Node.TEXT_NODE ? node.firstChild : null;
  if (only && text) only.data = text;
  else node.textContent = text;
}

/** Set an attribute only when it differs: writing even the same value has the browser restyle the node. */
export function setAttr(node, name, value) {
  const text = String(value);
  if (node.getAttribute(name) !== text) node.setAttribute(name, text);
}

/** Show or hide a node, writing `hidden` only when it changes (see setAttr). */
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function toast(message, { timeout = 4000 } = {}) {
  const box = document.querySelector("[data-testid=toast]");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(box._timer);
  box._timer = setTimeout(() => {
    box.hidden = true;
  }, timeout);
}

export const prefersReducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
