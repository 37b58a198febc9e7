// The header row of the diagram: each column's words, longest first, as long as they fit beside their
// neighbours and inside the diagram.
import assert from "node:assert/strict";
import { test } from "node:test";

import { computeLayout, fitHeaderRow, textFloor, textWidth } from "../../static/js/player/diagram-layout.js";

const FONT = 13;
const TITLES = (count) => [
  ["Input", "In"],
  ...Array.from({ length: count }, (_, i) => [`Hidden ${i + 1}`, `H${i + 1}`]),
  ["Output", "Out"],
  ["Loss", "L"],
];

/** Every pair of neighbours keeps at least `gap` px between its words, and every word is inside `width`. */
function assertApart(xs, width, texts, gap = 6) {
  const half = (i) => textWidth(texts[i], FONT) / 2;
  texts.forEach((_, i) => {
    assert.ok(xs[i] - half(i) >= 0 && xs[i] + half(i) <= width, `${texts[i]} leaves the diagram`);
    if (i > 0) assert.ok(half(i - 1) + half(i) + gap <= xs[i] - xs[i - 1], `${texts[i - 1]} meets ${texts[i]}`);
  });
}

function columns(sizes, width) {
  const layout = computeLayout(sizes, width, 400);
  return [...layout.columns, layout.loss.x];
}

test("a wide diagram keeps every full word", () => {
  const xs = columns([2, 3, 3, 1], 1200);
  const texts = fitHeaderRow(xs, 1200, FONT, TITLES(2));
  assert.deepEqual(texts, ["Input", "Hidden 1", "Hidden 2", "Output", "Loss"]);
  assertApart(xs, 1200, texts);
});

test("eight layers on a phone take the short words, and none overlaps", () => {
  const sizes = [16, 16, 16, 16, 16, 16, 16, 16];
  const xs = columns(sizes, 372);
  const texts = fitHeaderRow(xs, 372, FONT, TITLES(6));
  assert.deepEqual(texts.slice(1, 7), ["H1", "H2", "H3", "H4", "H5", "H6"]);
  assertApart(xs, 372, texts);
});

test("only the columns that collide give way, the wider of two first", () => {
  const xs = [20, 120, 160, 260];
  const texts = fitHeaderRow(xs, 300, FONT, [["a"], ["a long header", "b"], ["c"], ["d"]]);
  assert.deepEqual(texts, ["a", "b", "c", "d"]);
  const roomy = fitHeaderRow([20, 120, 260], 300, FONT, [["a"], ["a long header", "b"], ["d"]]);
  assert.deepEqual(roomy, ["a", "a long header", "d"]);
});

test("Chinese characters count a full em, Latin ones less", () => {
  assert.equal(textWidth("隐藏层", 10), 30);
  assert.ok(textWidth("abc", 10) < 30);
});

test("with nothing shorter to give, the row keeps its last choices rather than loop", () => {
  const texts = fitHeaderRow([10, 12], 30, FONT, [["wide words"], ["more wide words"]]);
  assert.deepEqual(texts, ["wide words", "more wide words"]);
});

test("columns of one group give way together: the hidden layers never alternate long and short", () => {
  const xs = [40, 130, 200, 290, 360];
  const choices = [["Input"], ["Hidden 1", "H1"], ["Hidden 2", "H2"], ["Hidden 3", "H3"], ["Output"]];
  const alone = fitHeaderRow(xs, 420, FONT, choices);
  assert.ok(
    alone.slice(1, 4).some((text) => text.startsWith("Hidden")),
    `${alone}`,
  ); // alternating
  const together = fitHeaderRow(xs, 420, FONT, choices, [0, "hidden", "hidden", "hidden", 4]);
  assert.deepEqual(together, ["Input", "H1", "H2", "H3", "Output"]);
});

test("a circle's text is what the page asks for on large circles and shrinks to the floor with small ones", () => {
  // presenter mode asks for 20 px: a projector's circles carry it, a phone's get the ordinary floor
  assert.equal(textFloor(20, 52), 20);
  assert.equal(textFloor(20, 23), 20);
  assert.equal(textFloor(20, 13.9), 9);
  assert.equal(textFloor(20, 5), 9);
  const between = [15, 17, 19, 21].map((radius) => textFloor(20, radius));
  between.forEach((px, i) => {
    assert.ok(px > 9 && px < 20, `radius ${15 + 2 * i}: ${px}`);
    if (i > 0) assert.ok(px > between[i - 1], "larger circles, larger text");
  });
  // the ordinary page asks for the floor itself, at every size
  assert.equal(textFloor(9, 5), 9);
  assert.equal(textFloor(9, 52), 9);
});
