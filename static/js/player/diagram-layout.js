// The diagram's geometry: where each neuron, edge, header and the loss node sit for a size, and how large
// their text is. computeLayout is pure; layoutDiagram moves a built diagram's elements (diagram-build.js)
// to a layout and sizes their labels, reading only the CSS custom properties that presenter mode sets.

import { formatNumber } from "../core/format.js";
import { nodeId } from "./steps.js";

/**
 * Positions of every neuron, the loss node and the header for a network of `sizes` in W × H px;
 * `headerLine`: the height of one of the header's three lines of text; `labelRoom`: the room under a
 * circle for its δ bar and δ text, kept free of the next circle.
 */
export function computeLayout(sizes, width, height, maxRadius = 30, headerLine = 15, labelRoom = 26) {
  const n = sizes.length;
  const lossGap = 0.9;
  const marginL = Math.max(36, Math.min(70, width * 0.06));
  // the loss box is as wide as a neuron: large circles (presenter mode) need the room on the right
  const marginR = Math.max(40, Math.min(60, width * 0.05), Math.min(maxRadius + 10, width * 0.08));
  const gap = (width - marginL - marginR) / (n - 1 + lossGap);
  const header = height < 260 ? 40 : Math.round(headerLine * 3.6);
  const top = header + 6;
  const bottom = height - 10;
  const maxSize = Math.max(...sizes);
  const row = Math.min((bottom - top) / maxSize, Math.max(130, 2 * maxRadius + labelRoom + 16));
  let radius = Math.min(gap * 0.18, (row - labelRoom) / 2, maxRadius);
  const compact = radius < 13;
  if (compact) radius = Math.max(3, Math.min(gap * 0.2, row * 0.4, 13));
  const middle = (top + bottom) / 2 - (compact ? 0 : 8);
  const columns = sizes.map((_, l) => marginL + l * gap);
  const nodes = sizes.map((size, l) =>
    Array.from({ length: size }, (_, i) => ({ x: columns[l], y: middle + (i - (size - 1) / 2) * row })),
  );
  return {
    width,
    height,
    radius,
    compact,
    gap,
    row,
    header,
    // the header's font sizes follow its line height (player.css: 13 and 12 px on 15, 22 and 20 on 24)
    titlePx: headerLine - 2,
    subPx: headerLine - 3,
    columns,
    nodes,
    loss: { x: marginL + (n - 1 + lossGap) * gap, y: middle },
  };
}

// Header text is sized by an estimate, not measured: measuring would lay out the whole diagram first.
const WIDE_CHARACTER = /[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]/u;
const SPACING = 6; // px between the words of neighbouring columns

export function textWidth(text, fontPx) {
  let ems = 0;
  for (const character of text) ems += WIDE_CHARACTER.test(character) ? 1 : 0.62;
  return ems * fontPx;
}

/**
 * One line of the header row: for each column (centred at `xs[i]`), the first of its `choices[i]` (longest
 * first) such that no two neighbours' words overlap and none leaves the `width` px of the diagram. Where
 * two neighbours collide, the wider gives way to its next, shorter choice, together with every column of
 * its group (`groups[i]`: the hidden layers are one, so a row never alternates "Hidden 1", "H2", …).
 */
export function fitHeaderRow(xs, width, fontPx, choices, groups = choices.map((_, i) => i)) {
  const level = new Map(groups.map((group) => [group, 0]));
  const pick = (i) => Math.min(level.get(groups[i]), choices[i].length - 1);
  const text = (i) => choices[i][pick(i)];
  const half = (i) => textWidth(text(i), fontPx) / 2;
  const canShorten = (i) => groups.some((group, j) => group === groups[i] && pick(j) < choices[j].length - 1);
  const shorten = (i) => {
    if (!canShorten(i)) return false;
    level.set(groups[i], level.get(groups[i]) + 1);
    return true;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < xs.length; i += 1) {
      const outside = xs[i] - half(i) < 0 || xs[i] + half(i) > width;
      if (outside && shorten(i)) changed = true;
      if (i === 0) continue;
      if (half(i - 1) + half(i) + SPACING <= xs[i] - xs[i - 1]) continue;
      const [wider, narrower] = half(i) >= half(i - 1) ? [i, i - 1] : [i - 1, i];
      if (shorten(wider) || shorten(narrower)) changed = true;
    }
  }
  return choices.map((_, i) => text(i));
}

/** The size a diagram is laid out at for the box it is given (never smaller than can be read). */
export function fitSize(box) {
  return { width: Math.max(200, Math.round(box.width)), height: Math.max(160, Math.round(box.height)) };
}

// Advance of one character of the monospaced value font, in ems (a little over most monospace fonts).
const MONO_ADVANCE = 0.62;

/**
 * Size a neuron's (or the loss's) value label to fit its shape: `record.valueSize` for short text,
 * smaller for long text ("−0.0467") so that it stays within `record.valueWidth`, yet never under
 * `record.valueMin` (presenter mode's minimum wins: read from the back row, a digit may touch the rim).
 */
export function fitValueLabel(record) {
  const length = record.val.textContent.length;
  const fitting = length ? record.valueWidth / (length * MONO_ADVANCE) : record.valueSize;
  record.val.style.fontSize = `${Math.max(record.valueMin, Math.min(record.valueSize, fitting)).toFixed(1)}px`;
}

/** The width a number of `characters` takes in the monospaced value font of `size` px (a little over). */
export const monoWidth = (characters, size) => characters * MONO_ADVANCE * size;

/**
 * Where a label of `width` × `height` px on the line from (x1, y1) to (x2, y2) is centred: `lift` px above
 * the line (below if negative), at `along` of the way from its start if there it keeps `reach` px from the
 * start's centre and `endReach` from the end's (a circle's radius and a gap) and overlaps none of `boxes`
 * ({left, right, top, bottom}: the δ labels under the circles), else at the nearest place on the line that
 * does; where none does (circles close together), off the line where it is clear, or least covered.
 */
export function labelPlace(
  { x1, y1, x2, y2 },
  { width, height, along, reach, endReach = reach, lift = 0, boxes = [] },
) {
  const length = Math.hypot(x2 - x1, y2 - y1) || 1;
  const at = (distance, above = lift) => ({
    x: x1 + ((x2 - x1) * distance) / length,
    y: y1 + ((y2 - y1) * distance) / length - above,
  });
  // how much of the label a circle or a box would cover: 0 where it covers nothing
  const intrusion = (own, cx, cy, distance) => {
    const nearX = Math.max(own.left, Math.min(cx, own.right));
    const nearY = Math.max(own.top, Math.min(cy, own.bottom));
    return Math.max(0, distance - Math.hypot(nearX - cx, nearY - cy)) * height;
  };
  const overlap = (own, box) =>
    Math.max(0, Math.min(own.right, box.right) - Math.max(own.left, box.left)) *
    Math.max(0, Math.min(own.bottom, box.bottom) - Math.max(own.top, box.top));
  const covered = (place) => {
    const own = boxAround(place, width, height);
    let sum = intrusion(own, x1, y1, reach) + intrusion(own, x2, y2, endReach);
    for (const box of boxes) sum += overlap(own, box);
    return sum;
  };
  const preferred = along * length;
  for (let shift = 0; shift <= length; shift += LABEL_SEARCH_STEP) {
    for (const distance of shift ? [preferred + shift, preferred - shift] : [preferred]) {
      if (distance < reach || distance > length - endReach) continue; // its middle inside a circle's reach
      const place = at(distance);
      if (!covered(place)) return place;
    }
  }
  // no room on the line (circles close together): off it, away from the side it is drawn on, up to
  // past the circles, where it is least covered
  const away = lift < 0 ? -1 : 1;
  let best = null;
  for (let raise = 0; raise <= Math.max(reach, endReach) + height; raise += height / 2) {
    for (let distance = 0; distance <= length; distance += 2 * LABEL_SEARCH_STEP) {
      const place = at(distance, lift + away * raise);
      const cover = covered(place);
      if (!cover) return place;
      if (!best || cover < best.cover) best = { place, cover };
    }
  }
  return best.place;
}

const LABEL_SEARCH_STEP = 3; // px along the line between places tried

/** The box of a `width` × `height` label centred at `place`. */
export const boxAround = ({ x, y }, width, height) => ({
  left: x - width / 2,
  right: x + width / 2,
  top: y - height / 2,
  bottom: y + height / 2,
});

/** A value's label with `digits` significant digits, one fewer when even the smallest font would not fit it. */
export function valueLabel(record, value, digits) {
  const text = formatNumber(value, digits);
  return text.length * MONO_ADVANCE * record.valueMin > record.valueWidth ? formatNumber(value, digits - 1) : text;
}

const TEXT_FLOOR = 9; // px: the smallest text of the diagram, at any size
const LABEL_FLOOR = 11; // px: the smallest label beside a circle (player.css)
const LABEL_GAP = 8; // px between a label on an edge and a circle: clear of the ring a lit neuron wears, and a little more
// circles of this radius and larger carry the text a page asks for (in presenter mode 20 px: a digit may
// touch the rim); at FLOOR_RADIUS and smaller, a symbol and a value fit one above the other at TEXT_FLOOR
const FULL_TEXT_RADIUS = 23;
const FLOOR_RADIUS = 14;

/**
 * The smallest text a diagram of circles of `radius` px shows, when `asked` is what the page asks for:
 * all of it on large circles, down to the floor on a phone's or a narrow window's, in proportion between.
 * Presenter mode's 20 px on small circles ran symbols, values and δ labels over one another.
 */
export function textFloor(asked, radius) {
  if (asked <= TEXT_FLOOR || radius >= FULL_TEXT_RADIUS) return Math.max(asked, TEXT_FLOOR);
  const share = Math.max(0, radius - FLOOR_RADIUS) / (FULL_TEXT_RADIUS - FLOOR_RADIUS);
  return TEXT_FLOOR + share * (asked - TEXT_FLOOR);
}

/** Move every element of the built diagram `d` to its place for a `width` × `height` layout. */
export function layoutDiagram(d, { width, height }) {
  const style = getComputedStyle(d.svg);
  const maxRadius = parseFloat(style.getPropertyValue("--diagram-max-radius")) || 30;
  // presenter mode asks for text that reads from the back of a room (textFloor)
  const askedMin = parseFloat(style.getPropertyValue("--diagram-min-font")) || TEXT_FLOOR;
  const headerLine = parseFloat(style.getPropertyValue("--diagram-header-line")) || 15;
  const layoutFor = (min) => computeLayout(d.info.sizes, width, height, maxRadius, headerLine, Math.max(26, min * 2));
  let layout = layoutFor(askedMin);
  const minFont = textFloor(askedMin, layout.radius);
  // smaller labels need less room under a circle: laid out again, a tall column's circles grow a little
  if (minFont < askedMin) layout = layoutFor(minFont);
  d.layout = layout;
  const r = layout.radius;
  // presenter mode's labels (player.css): a δ under its circle as large as the circle's text; a weight's
  // number on its edge and the target beside the output as large as the room between columns allows (a
  // number of six characters in three quarters of it, and between two circles' rims)
  const room = Math.min(0.75 * layout.gap, layout.gap - 2 * r);
  const labelFont = Math.max(LABEL_FLOOR, Math.min(askedMin, room / monoWidth(6, 1)));
  layout.labelFont = labelFont; // the size player.css gives the labels, for placing them (diagram-paint.js)
  layout.labelReach = r + LABEL_GAP;
  layout.deltaFont = Math.max(LABEL_FLOOR, minFont); // player.css: .delta-text
  layout.deltaMiddle = r + 8 + Math.max(10, minFont * 0.6); // where a δ label's middle is, below its circle's centre
  d.svg.style.setProperty("--diagram-text-min", `${minFont.toFixed(1)}px`);
  d.svg.style.setProperty("--diagram-label-text", `${labelFont.toFixed(1)}px`);
  d.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  d.pulses.invalidate();
  d.svg.classList.toggle("compact", layout.compact);
  const symbolSize = Math.max(minFont, Math.min(22, r * 0.5));
  const valueSize = Math.max(minFont, Math.min(24, r * 0.55));
  // sizes are set as styles: a page's own stylesheet (a lesson's .node-value) must not override them
  d.headers.forEach((header, l) => {
    const x = layout.columns[l];
    header.title.setAttribute("x", x);
    header.title.setAttribute("y", headerLine + 1);
    header.sub.setAttribute("x", x);
    header.sub.setAttribute("y", 2 * headerLine + 1);
    header.health.setAttribute("x", x);
    header.health.setAttribute("y", 3 * headerLine + 1);
  });
  d.lossHeader.title.setAttribute("x", layout.loss.x);
  d.lossHeader.title.setAttribute("y", headerLine + 1);
  d.lossHeader.sub.setAttribute("x", layout.loss.x);
  d.lossHeader.sub.setAttribute("y", 2 * headerLine + 1);
  for (const node of d.nodeList) {
    const { x, y } = layout.nodes[node.layer][node.index];
    node.x = x;
    node.y = y;
    node.sx = x.toFixed(1);
    node.sy = y.toFixed(1);
    node.g.setAttribute("transform", `translate(${node.sx} ${node.sy})`);
    node.circle.setAttribute("r", r);
    node.ring.setAttribute("r", r + 4);
    node.sym.setAttribute("y", layout.compact ? 0 : -r * 0.18);
    node.sym.style.fontSize = `${symbolSize.toFixed(1)}px`;
    node.val.setAttribute("y", r * 0.5);
    Object.assign(node, { valueSize, valueMin: minFont, valueWidth: r * 1.6 });
    fitValueLabel(node);
    node.bar.setAttribute("y", r + 3);
    node.deltaText.setAttribute("y", layout.deltaMiddle);
    node.barHalf = Math.max(r * 1.3, 16);
    node.barKey = null;
  }
  const loss = d.lossNode;
  const side = r * 2;
  loss.x = layout.loss.x;
  loss.y = layout.loss.y;
  loss.sx = loss.x.toFixed(1);
  loss.sy = loss.y.toFixed(1);
  loss.g.setAttribute("transform", `translate(${loss.sx} ${loss.sy})`);
  for (const [rect, pad] of [
    [loss.circle, 0],
    [loss.ring, 4],
  ]) {
    rect.setAttribute("x", -side / 2 - pad);
    rect.setAttribute("y", -side / 2 - pad);
    rect.setAttribute("width", side + 2 * pad);
    rect.setAttribute("height", side + 2 * pad);
    rect.setAttribute("rx", 6 + pad);
  }
  loss.sym.setAttribute("y", layout.compact ? 0 : -r * 0.18);
  loss.sym.style.fontSize = `${symbolSize.toFixed(1)}px`;
  loss.val.setAttribute("y", r * 0.5);
  Object.assign(loss, { valueSize, valueMin: minFont, valueWidth: side * 0.85 });
  fitValueLabel(loss);
  for (const edge of d.edgeList) {
    const source = edge.loss
      ? d.nodes.get(nodeId(edge.layer, edge.to))
      : d.nodes.get(nodeId(edge.layer - 1, edge.from));
    const target = edge.loss ? loss : d.nodes.get(nodeId(edge.layer, edge.to));
    edge.x1 = source.x;
    edge.y1 = source.y;
    edge.x2 = target.x;
    edge.y2 = target.y;
    edge.source = source;
    edge.target = target;
    if (!edge.line) continue; // being built: diagram-build.js writes its line with these ends
    for (const line of edge.hit ? [edge.line, edge.hit] : [edge.line]) {
      line.setAttribute("x1", source.sx);
      line.setAttribute("y1", source.sy);
      line.setAttribute("x2", target.sx);
      line.setAttribute("y2", target.sy);
    }
  }
  for (const label of d.targetLabels) label.placedFor = null; // placed again for their text (diagram-paint.js)
  for (const copy of d.copies) copy.id = null; // their ends moved with the edges
}
