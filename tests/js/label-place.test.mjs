// Where a number on an edge goes: where it was asked for if that is clear of both circles and of the
// boxes it must not cover, else the nearest clear place on the line, else off the line, else the place
// least covered.
import assert from "node:assert/strict";
import { test } from "node:test";

import { boxAround, labelPlace } from "../../static/js/player/diagram-layout.js";

const LINE = { x1: 0, y1: 0, x2: 200, y2: 0 };
const LABEL = { width: 40, height: 10, reach: 20 };

/** How far the label's box at `place` keeps from the centre (cx, cy). */
function clearance(place, cx, cy, { width, height } = LABEL) {
  const box = boxAround(place, width, height);
  const nearX = Math.max(box.left, Math.min(cx, box.right));
  const nearY = Math.max(box.top, Math.min(cy, box.bottom));
  return Math.hypot(nearX - cx, nearY - cy);
}

const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

test("a label with room stays where it was asked for, lifted off the line", () => {
  assert.deepEqual(labelPlace(LINE, { ...LABEL, along: 0.5, lift: 4 }), { x: 100, y: -4 });
  assert.deepEqual(labelPlace(LINE, { ...LABEL, along: 0.3, lift: -13 }), { x: 60, y: 13 });
});

test("a label asked for over a circle moves along the line until it clears it", () => {
  const place = labelPlace(LINE, { ...LABEL, along: 0.1, lift: 4 });
  assert.equal(place.y, -4);
  assert.ok(clearance(place, 0, 0) >= LABEL.reach, "still on the start's circle");
  assert.ok(place.x <= 20 + 20 + 3, `moved further than it had to: ${place.x}`);
  const nearEnd = labelPlace(LINE, { ...LABEL, along: 0.95, lift: 4, endReach: 30 });
  assert.ok(clearance(nearEnd, 200, 0) >= 30 && nearEnd.x < 200 - 30 - 20 + 1e-9);
});

test("a label keeps off the boxes it is given", () => {
  const delta = { left: 90, right: 130, top: -20, bottom: 20 };
  const place = labelPlace(LINE, { ...LABEL, along: 0.5, lift: 4, boxes: [delta] });
  assert.ok(!overlaps(boxAround(place, LABEL.width, LABEL.height), delta));
  assert.ok(clearance(place, 0, 0) >= LABEL.reach && clearance(place, 200, 0) >= LABEL.reach);
});

test("between circles too close for it, a label leaves the line on its own side", () => {
  const short = { x1: 0, y1: 0, x2: 60, y2: 0 }; // 20 px between the reaches, for 40 px of label
  const above = labelPlace(short, { ...LABEL, along: 0.3, lift: 4 });
  assert.ok(above.y < -4, "not raised");
  const below = labelPlace(short, { ...LABEL, along: 0.3, lift: -13 });
  assert.ok(below.y > 13, "not lowered");
  for (const place of [above, below]) {
    assert.ok(clearance(place, 0, 0) >= LABEL.reach && clearance(place, 60, 0) >= LABEL.reach, JSON.stringify(place));
  }
});

test("where nothing is clear, a label goes where the least of it is covered", () => {
  const everywhere = { left: -100, right: 300, top: -100, bottom: 100 };
  const hole = { left: -100, right: 300, top: -100, bottom: -30 }; // covers all but a band near the line
  const place = labelPlace(LINE, { ...LABEL, along: 0.5, lift: 4, boxes: [hole, { ...everywhere, top: 30 }] });
  const own = boxAround(place, LABEL.width, LABEL.height);
  assert.ok(!overlaps(own, hole) && own.bottom <= 30, JSON.stringify(place));
  const covered = labelPlace(LINE, { ...LABEL, along: 0.5, lift: 4, boxes: [everywhere] });
  // a box under all of it covers every place alike: it still keeps off the circles
  assert.ok(clearance(covered, 0, 0) >= LABEL.reach && clearance(covered, 200, 0) >= LABEL.reach);
});
