// How numbers become colour, width and length in the diagram and its legend.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  EDGE_WIDTH,
  LOOK_KEYS,
  edgeDash,
  edgeStroke,
  edgeWidth,
  lookKey,
  maxAbs,
  niceMax,
  nodeFill,
  signedShare,
  symmetricTicks,
} from "../../static/js/player/scales.js";

const close = (actual, expected) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${actual} ≈ ${expected}`);

test("niceMax rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
  assert.equal(niceMax(1), 1);
  assert.equal(niceMax(1.2), 2);
  assert.equal(niceMax(2.2), 2.5);
  assert.equal(niceMax(3), 5);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(250), 250);
  assert.equal(niceMax(1000), 1000);
  close(niceMax(0.03), 0.05);
  close(niceMax(1.5e-7), 2e-7);
});

test("niceMax of nothing useful is 1", () => {
  for (const value of [0, -0, -3, NaN, Infinity, -Infinity, null, undefined])
    assert.equal(niceMax(value), 1, String(value));
});

test("niceMax of a huge value stays finite and covers the value", () => {
  for (const value of [1e300, 6e307, 1.1e308, Number.MAX_VALUE]) {
    const nice = niceMax(value);
    assert.ok(Number.isFinite(nice) && nice >= value, `${value} -> ${nice}`);
  }
});

test("maxAbs skips what is not a finite number", () => {
  assert.equal(maxAbs([1, -3, 2]), 3);
  assert.equal(maxAbs([NaN, null, undefined, -Infinity, 0.5]), 0.5);
  assert.equal(maxAbs([]), 0);
});

test("edge widths run linearly from the minimum to the maximum, in 5 % steps, to a hundredth of a pixel", () => {
  assert.equal(edgeWidth(0, 1), EDGE_WIDTH.min);
  assert.equal(edgeWidth(1, 1), EDGE_WIDTH.max);
  assert.equal(edgeWidth(-5, 1), EDGE_WIDTH.max);
  assert.equal(edgeWidth(0.5, 1), 3.88); // halfway from 0.75 to 7 is 3.875
  assert.equal(edgeWidth(0.51, 1), edgeWidth(0.5, 1));
  assert.equal(edgeWidth(NaN, 1), EDGE_WIDTH.max);
});

test("the sign shows twice: in colour and as a dash for negative weights", () => {
  assert.match(edgeStroke(-0.5, 1), /var\(--neg\)/);
  assert.match(edgeStroke(0.5, 1), /var\(--pos\)/);
  assert.equal(edgeDash(-0.5), "6 4");
  assert.equal(edgeDash(0.5), "none");
  assert.equal(edgeDash(0), "none");
  assert.equal(edgeDash(null), "none");
});

test("node fills run from the surface to 88 % of the sign's colour on a square-root ramp", () => {
  assert.equal(nodeFill(0, 1), "color-mix(in srgb, var(--pos) 0%, var(--surface))");
  assert.equal(nodeFill(-2, 1), "color-mix(in srgb, var(--neg) 88%, var(--surface))");
  assert.equal(nodeFill(0.25, 1), "color-mix(in srgb, var(--pos) 44%, var(--surface))");
  assert.equal(nodeFill(NaN, 1), "var(--surface-2)");
});

test("signed shares are clipped to −1 … 1; ticks are symmetric", () => {
  assert.equal(signedShare(3, 2), 1);
  assert.equal(signedShare(-1, 2), -0.5);
  assert.equal(signedShare(Infinity, 2), 0);
  assert.deepEqual(symmetricTicks(2), [-2, -1, 0, 1, 2]);
});

test("values with the same look key get the same styles, and every key is a listed one", () => {
  const values = [0, -0, 1e-7, -1e-7, 0.024, 0.026, -0.49, 0.5, 0.51, 1, 7, -7, NaN, Infinity, -Infinity, null];
  for (let i = 0; i < 400; i++) values.push((i - 200) / 137);
  const byKey = new Map();
  for (const value of values) {
    const key = lookKey(value, 1.3);
    assert.ok(LOOK_KEYS.includes(key), `${value} -> ${key}`);
    assert.match(key, /^[np](\d{1,2}|x)$/);
    const styles = [nodeFill(value, 1.3), edgeStroke(value, 1.3), edgeWidth(value, 1.3), edgeDash(value)].join("|");
    if (!byKey.has(key) || key.endsWith("x")) byKey.set(key, styles);
    else assert.equal(styles, byKey.get(key), `${value} looks like the other values of ${key}`);
  }
  assert.equal(new Set(LOOK_KEYS).size, LOOK_KEYS.length);
});
