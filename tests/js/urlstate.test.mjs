// The URL state table: what a link can set, and what a crafted or damaged link falls back to.
import assert from "node:assert/strict";
import { test } from "node:test";

import { urlState } from "../../static/js/core/urlstate.js";

const table = () =>
  urlState([
    { name: "rate", type: "number", default: 0.5, validate: (v) => v >= 0 && v <= 100 },
    { name: "count", type: "int", default: 3, validate: (v) => v >= 0 },
    { name: "on", type: "bool", default: true },
    { name: "label", type: "string", default: "" },
    { name: "mode", type: "enum", values: ["a", "b"], default: "a" },
    { name: "sizes", type: "json", default: [2, 3, 1], validate: (v) => Array.isArray(v) && v.every(Number.isInteger) },
  ]);

const DEFAULTS = { rate: 0.5, count: 3, on: true, label: "", mode: "a", sizes: [2, 3, 1] };

test("an empty hash, with or without '#', reads as the defaults", () => {
  assert.deepEqual(table().read(""), DEFAULTS);
  assert.deepEqual(table().read("#"), DEFAULTS);
});

test("well-formed values are read with their types", () => {
  const state = table().read("#rate=0.03&count=7&on=0&label=hello%20world&mode=b&sizes=%5B4%2C5%5D");
  assert.deepEqual(state, { rate: 0.03, count: 7, on: false, label: "hello world", mode: "b", sizes: [4, 5] });
  assert.equal(table().read("#on=true").on, true);
  assert.equal(table().read("#on=false").on, false);
  assert.equal(table().read("#rate=1e-7").rate, 1e-7);
});

test("malformed values fall back to each property's default", () => {
  const state = table().read("#rate=abc&count=2.5&on=yes&mode=c&sizes=%5B1%2C");
  assert.deepEqual(state, DEFAULTS);
  assert.equal(table().read("#rate=NaN").rate, 0.5);
  assert.equal(table().read("#rate=Infinity").rate, 0.5);
  assert.equal(table().read("#count=1e400").count, 3);
});

test("an empty value is no value: the default, not 0", () => {
  assert.equal(table().read("#rate=").rate, 0.5);
  assert.equal(table().read("#rate=%20").rate, 0.5);
  assert.equal(table().read("#count=").count, 3);
});

test("values the table's validate() refuses fall back to the default", () => {
  assert.equal(table().read("#rate=-1").rate, 0.5);
  assert.equal(table().read("#rate=100.5").rate, 0.5);
  assert.equal(table().read("#count=-4").count, 3);
  assert.deepEqual(table().read('#sizes={"length":2}').sizes, [2, 3, 1]);
  assert.deepEqual(table().read("#sizes=%5B1.5%5D").sizes, [2, 3, 1]);
});

test("markup in a string value stays an inert string", () => {
  const label = table().read("#label=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").label;
  assert.equal(label, "<img src=x onerror=alert(1)>");
  assert.equal(typeof label, "string");
});

test("unknown parameters are ignored; a repeated one counts once, first wins", () => {
  const state = table().read("#evil=1&__proto__=x&count=5&count=9");
  assert.equal(state.count, 5);
  assert.ok(!("evil" in state));
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
});

test("a default read from the table is a copy, so changing it leaves the next read alone", () => {
  const urls = table();
  urls.read("").sizes.push(99);
  assert.deepEqual(urls.read("").sizes, [2, 3, 1]);
});

test("encode leaves out defaults, so an untouched view has an empty hash", () => {
  assert.equal(table().encode(DEFAULTS), "");
  assert.equal(table().encode({ ...DEFAULTS, sizes: [2, 3, 1] }), "");
  assert.equal(table().encode({ ...DEFAULTS, count: 4 }), "count=4");
  assert.equal(table().encode({ ...DEFAULTS, on: false }), "on=0");
});

test("encode then read gives back the same state", () => {
  const urls = table();
  const state = { rate: 1e-7, count: 0, on: false, label: "a&b=c #d", mode: "b", sizes: [10, 64, 2] };
  assert.deepEqual(urls.read(`#${urls.encode(state)}`), state);
});

test("negative zero is written as 0, which is the same as a default of 0", () => {
  const urls = urlState([{ name: "x", type: "number", default: 0 }]);
  assert.equal(urls.encode({ x: -0 }), "");
  assert.equal(urls.encode({ x: -1.5 }), "x=-1.5");
  assert.equal(urls.read("#x=-1.5").x, -1.5);
});
