// Which keydowns step a figure. keys.js reads only an element's class, tag, input type, contentEditable and
// closest(); node has no DOM, so these stand-ins give exactly those. Real Chromium runs the same keys in
// tests/e2e/test_keyboard.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isEditingText, stepDirection } from "../../static/js/core/keys.js";

class Element {
  constructor({ tagName = "DIV", type = "", isContentEditable = false, inside = [] } = {}) {
    Object.assign(this, { tagName, type, isContentEditable, inside });
  }

  closest(selector) {
    return this.inside.includes(selector) ? this : null;
  }
}
class HTMLElement extends Element {}
globalThis.Element = Element;
globalThis.HTMLElement = HTMLElement;

const button = new HTMLElement({ tagName: "BUTTON" });
const press = (key, target = button, modifiers = {}) => ({ key, target, ...modifiers });

test("→ and PageDown step forwards, ← and PageUp backwards", () => {
  assert.equal(stepDirection(press("ArrowRight")), 1);
  assert.equal(stepDirection(press("PageDown")), 1);
  assert.equal(stepDirection(press("ArrowLeft")), -1);
  assert.equal(stepDirection(press("PageUp")), -1);
});

test("other keys do not step", () => {
  for (const key of ["Enter", " ", "a", "Home", "End", "Tab", "Escape", ""]) {
    assert.equal(stepDirection(press(key)), 0, JSON.stringify(key));
  }
});

test("↓ and ↑ step only in vertical (presenter) mode", () => {
  assert.equal(stepDirection(press("ArrowDown")), 0);
  assert.equal(stepDirection(press("ArrowUp")), 0);
  assert.equal(stepDirection(press("ArrowDown"), { vertical: true }), 1);
  assert.equal(stepDirection(press("ArrowUp"), { vertical: true }), -1);
});

test("with Ctrl, Meta or Alt held, the key belongs to the browser", () => {
  for (const modifier of ["ctrlKey", "metaKey", "altKey"]) {
    assert.equal(stepDirection(press("ArrowRight", button, { [modifier]: true })), 0, modifier);
    assert.equal(stepDirection(press("PageDown", button, { [modifier]: true })), 0, modifier);
  }
});

test("text fields keep their keys: text-like inputs, textareas, contenteditable", () => {
  for (const type of ["text", "number", "search", "email", "password", "date", "time"]) {
    const input = new HTMLElement({ tagName: "INPUT", type });
    assert.equal(isEditingText(input), true, type);
    assert.equal(stepDirection(press("ArrowLeft", input)), 0, type);
    assert.equal(stepDirection(press("PageDown", input)), 0, type);
  }
  assert.equal(isEditingText(new HTMLElement({ tagName: "TEXTAREA" })), true);
  assert.equal(isEditingText(new HTMLElement({ isContentEditable: true })), true);
});

test("controls that are not text fields still step: checkbox, range, radio, select, button", () => {
  for (const type of ["checkbox", "range", "radio", "button"]) {
    const input = new HTMLElement({ tagName: "INPUT", type });
    assert.equal(isEditingText(input), false, type);
    assert.equal(stepDirection(press("ArrowRight", input)), 1, type);
  }
  assert.equal(stepDirection(press("ArrowLeft", new HTMLElement({ tagName: "SELECT" }))), -1);
});

test("inside [data-own-keys] the arrows stay with the element; the clicker's keys still step", () => {
  const map = new HTMLElement({ inside: ["[data-own-keys]"] });
  assert.equal(stepDirection(press("ArrowRight", map)), 0);
  assert.equal(stepDirection(press("ArrowDown", map), { vertical: true }), 0);
  assert.equal(stepDirection(press("PageDown", map)), 1);
});

test("a target that is not an element (the document, a window) steps and is not a text field", () => {
  assert.equal(isEditingText(null), false);
  assert.equal(isEditingText({ tagName: "INPUT", type: "text" }), false);
  assert.equal(stepDirection(press("ArrowRight", null)), 1);
  assert.equal(stepDirection(press("PageUp", {})), -1);
});
