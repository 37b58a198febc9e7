// The pure helpers of the lesson figures and the exercises panel: how a typed answer and a shared link
// are read, how the descent map keeps a runaway path in view and sizes its arrow, how the chain-rule
// graph routes an edge around a box, and the median the cost table shows.
import assert from "node:assert/strict";
import { test } from "node:test";

// the modules read the page's language when loaded; a bare document is enough for these pure functions
globalThis.document = {
  documentElement: { lang: "en", dataset: {} },
  getElementById: () => null,
  querySelector: () => null,
  addEventListener: () => {},
};

const { parseAnswer, seedFromSearch, MAX_SEED } = await import("../../static/js/lessons/exercises.js");
const { viewRange, arrowPixels } = await import("../../static/js/lessons/gradient.js");
const { edgeRoute } = await import("../../static/js/lessons/chain-rule.js");
const { median } = await import("../../static/js/lessons/beyond-backprop.js");

test("typed answers read with either minus sign, a decimal comma and spaces; anything else is no answer", () => {
  assert.equal(parseAnswer("−1.5"), -1.5);
  assert.equal(parseAnswer(" 2 "), 2);
  assert.equal(parseAnswer("-0,25"), -0.25);
  assert.equal(parseAnswer("1e-3"), 0.001);
  for (const text of ["", "abc", "1/2", "2x", "1e999", "--1", "Infinity"]) assert.equal(parseAnswer(text), null, text);
});

test("a shared link's seed is a whole number in range, or none", () => {
  assert.equal(seedFromSearch("?exercise=42"), 42);
  assert.equal(seedFromSearch(`?exercise=${MAX_SEED}`), MAX_SEED);
  for (const search of [
    "",
    "?exercise=",
    "?exercise=-1",
    "?exercise=1.5",
    `?exercise=${MAX_SEED + 1}`,
    "?exercise=1e3",
  ])
    assert.equal(seedFromSearch(search), null, search);
});

test("the descent map stays at ±3 until the path leaves it, then grows to hold every finite point", () => {
  assert.deepEqual(
    viewRange([
      [2, 1.5],
      [1.6, 1.2],
    ]),
    [-3, 3],
  );
  const [low, high] = viewRange([
    [2, 1.5],
    [-6.5, 4],
  ]);
  assert.equal(high, -low);
  assert.ok(high > 6.5 && high < 8);
  assert.deepEqual(viewRange([[Infinity, NaN]]), [-3, 3]);
});

test("the gradient arrow is proportional to |∇z| on the walk's scale, and absent for a zero or broken gradient", () => {
  assert.equal(arrowPixels(5, 5), 64);
  assert.equal(arrowPixels(4, 5), 64 * 0.8);
  assert.equal(arrowPixels(0, 5), 0);
  assert.equal(arrowPixels(NaN, 5), 0);
  assert.equal(arrowPixels(1, Infinity), 0);
  assert.equal(arrowPixels(1e-9, 5), 3); // still visible
});

test("an edge that would cross a box in between climbs above it; one that would not stays a plain curve", () => {
  const plain = edgeRoute(0, 100, 200, 100, [[300, 100]]);
  assert.ok(!plain.d.includes("L"));
  const around = edgeRoute(0, 100, 400, 100, [[200, 100]]);
  assert.ok(around.d.includes("L"));
  assert.ok(around.labelY < 100 - 50 / 2);
});

test("the median of the timing runs", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([NaN, 5]), 5);
  assert.equal(median([]), null);
});
