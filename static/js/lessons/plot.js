// SVG plotting for the lesson figures: scales, axes, curves, heat maps, contour lines and arrows.
// It only draws numbers the server sent; it computes positions, never values of the functions.

import { svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";

/** A linear map from a data interval to a pixel interval, with `invert` for clicks. */
export function linear([d0, d1], [r0, r1]) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  const scale = (v) => r0 + (v - d0) * k;
  scale.invert = (p) => d0 + (p - r0) / k;
  scale.domain = [d0, d1];
  scale.range = [r0, r1];
  return scale;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s <= count + 0.5) ?? 10 * magnitude;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** [min, max] of the finite values, widened by `pad` of the span (or ±1 when flat). */
export function extent(values, pad = 0.05) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v == null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [-1, 1];
  if (hi - lo < 1e-9) return [lo - 1, hi + 1];
  const margin = (hi - lo) * pad;
  return [lo - margin, hi + margin];
}

let clipCounter = 0;

const TICK = 0.92; // a tick label's size, in the plot's text size (.tick-label in lessons.css)
const DIGIT = 0.56; // the advance of a digit or sign, in its text size

/**
 * The plot's text size in its own units: `--plot-text` (CSS pixels) divided by the scale the SVG is drawn
 * at, so its labels read at the same size on a phone, a laptop and a projector (a viewBox drawn at 340 px
 * would shrink 16-unit text to 11 px). While the SVG is not laid out (hidden), `--plot-text` as it is.
 */
export function textUnits(svgEl) {
  const [, , width, height] = svgEl.getAttribute("viewBox").split(/\s+/).map(Number);
  const px = parseFloat(getComputedStyle(svgEl).getPropertyValue("--plot-text")) || 13;
  const box = svgEl.getBoundingClientRect();
  if (!box.width || !box.height) return px;
  return px / Math.min(box.width / width, box.height / height); // the viewBox is fitted whole ("meet")
}

/** How many characters the widest tick label of [lo, hi] has. */
function tickChars(lo, hi, count) {
  return Math.max(...niceTicks(lo, hi, count).map((v) => formatNumber(v, 3).length));
}

/**
 * Clear `svgEl` and lay out a plot area. Returns the scales, three layers (back, data, front; `data` is
 * clipped to the plot area) and `em`, the text size in the plot's units: margins are in ems (the left one
 * grows to the widest y tick label), so labels keep their room whatever size they are drawn at.
 */
export function frame(svgEl, { x, y, margin = {}, equal = false }) {
  const [, , width, height] = svgEl.getAttribute("viewBox").split(/\s+/).map(Number);
  const em = textUnits(svgEl);
  svgEl.style.fontSize = `${em}px`;
  svgEl.dataset.em = String(em);
  const ems = { top: 1.75, right: 1, bottom: 3.05, ...margin }; // the y label stands above the plot area
  const left = (margin.left ?? tickChars(...y, 6) * DIGIT * TICK + 1.1) * em;
  const inner = { left, right: width - ems.right * em, top: ems.top * em, bottom: height - ems.bottom * em };
  let xDomain = x;
  let yDomain = y;
  if (equal) {
    // one unit is as long across as it is up, so circles look round and arrows keep their angles
    const px = (inner.right - inner.left) / (x[1] - x[0]);
    const py = (inner.bottom - inner.top) / (y[1] - y[0]);
    if (px < py) {
      const mid = (y[0] + y[1]) / 2;
      const half = (inner.bottom - inner.top) / px / 2;
      yDomain = [mid - half, mid + half];
    } else {
      const mid = (x[0] + x[1]) / 2;
      const half = (inner.right - inner.left) / py / 2;
      xDomain = [mid - half, mid + half];
    }
  }
  const xs = linear(xDomain, [inner.left, inner.right]);
  const ys = linear(yDomain, [inner.bottom, inner.top]);
  const clipId = `plot-clip-${++clipCounter}`;
  svgEl.replaceChildren(
    svg(
      "defs",
      {},
      svg(
        "clipPath",
        { id: clipId },
        svg("rect", { x: inner.left, y: inner.top, width: inner.right - inner.left, height: inner.bottom - inner.top }),
      ),
    ),
  );
  const back = svg("g", { class: "plot-back" });
  const data = svg("g", { class: "plot-data", "clip-path": `url(#${clipId})` });
  const front = svg("g", { class: "plot-front" });
  svgEl.append(back, data, front);
  return { xs, ys, inner, back, data, front, width, height, em };
}

/** At most `count` ticks over `domain`, fewer where their labels, `size()` units each, would not fit `room`. */
function fittedTicks(domain, count, room, size) {
  let ticks = niceTicks(...domain, count);
  for (let n = count - 1; n >= 2 && ticks.length * size() > room; n--) ticks = niceTicks(...domain, n);
  return ticks;
}

/** Grid lines, tick labels and the x = 0 / y = 0 axes. */
export function axes(plot, { xLabel = "x", yLabel = "y", xTicks = 6, yTicks = 5 } = {}) {
  const { xs, ys, inner, back, em } = plot;
  const xWidth = () => (tickChars(...xs.domain, xTicks) * DIGIT * TICK + 1.2) * em; // a label and a gap
  for (const v of fittedTicks(xs.domain, xTicks, inner.right - inner.left, xWidth)) {
    const px = xs(v);
    back.append(svg("line", { class: "grid-line", x1: px, x2: px, y1: inner.top, y2: inner.bottom }));
    back.append(
      svg("text", {
        class: "tick-label",
        x: px,
        y: inner.bottom + 1.2 * em,
        "text-anchor": "middle",
        text: formatNumber(v, 3),
      }),
    );
  }
  for (const v of fittedTicks(ys.domain, yTicks, inner.bottom - inner.top, () => 1.9 * em)) {
    const py = ys(v);
    back.append(svg("line", { class: "grid-line", x1: inner.left, x2: inner.right, y1: py, y2: py }));
    back.append(
      svg("text", {
        class: "tick-label",
        x: inner.left - 0.45 * em,
        y: py + 0.33 * em,
        "text-anchor": "end",
        text: formatNumber(v, 3),
      }),
    );
  }
  const [x0, x1] = xs.domain;
  const [y0, y1] = ys.domain;
  if (y0 <= 0 && y1 >= 0)
    back.append(svg("line", { class: "axis-line", x1: inner.left, x2: inner.right, y1: ys(0), y2: ys(0) }));
  if (x0 <= 0 && x1 >= 0)
    back.append(svg("line", { class: "axis-line", x1: xs(0), x2: xs(0), y1: inner.top, y2: inner.bottom }));
  back.append(
    svg("text", {
      class: "axis-label",
      x: inner.right,
      y: inner.bottom + 2.7 * em, // under the ticks, clear of a CJK font's tall line box
      "text-anchor": "end",
      text: xLabel,
    }),
  );
  // above the plot area, in the margin: a map's shading would hide a label inside it
  back.append(svg("text", { class: "axis-label", x: inner.left, y: inner.top - 0.45 * em, text: yLabel }));
}

/** An SVG path through [x, y] points; null or non-finite points break the line. */
export function pathData(points, xs, ys) {
  const limit = 1e6;
  let d = "";
  let pen = false;
  for (const [x, y] of points) {
    if (x == null || y == null || !Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    const px = Math.max(-limit, Math.min(limit, xs(x)));
    const py = Math.max(-limit, Math.min(limit, ys(y)));
    d += `${pen ? "L" : "M"}${px.toFixed(2)},${py.toFixed(2)}`;
    pen = true;
  }
  return d;
}

/** The line y = y0 + slope·(x − x0) across the whole x-domain (slope and point as the server sent them). */
export function lineThrough(x0, y0, slope, xs) {
  const [a, b] = xs.domain;
  return [
    [a, y0 + slope * (a - x0)],
    [b, y0 + slope * (b - x0)],
  ];
}

export const HEAT_LEVELS = 9;
const HEAT_IMAGE_SIDE = 400; // pixels of the shading image across; the grid (64 a side) is interpolated
const heatImages = new WeakMap(); // grid -> { key, url }: a map redrawn at every step reuses its image

/** The heat ramp of the current theme: HEAT_LEVELS colours [r, g, b] from the --heat-k properties. */
function heatColours(element) {
  const style = getComputedStyle(element);
  return Array.from({ length: HEAT_LEVELS }, (_, k) => {
    const match = /^#([0-9a-f]{6})$/i.exec(style.getPropertyValue(`--heat-${k}`).trim());
    const n = match ? parseInt(match[1], 16) : 0x808080;
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  });
}

/** z at the fractional grid position (fi, fj), bilinear between the four samples around it. */
function bilinear(z, fi, fj) {
  const i = Math.min(Math.floor(fi), z[0].length - 2);
  const j = Math.min(Math.floor(fj), z.length - 2);
  const s = fi - i;
  const t = fj - j;
  const top = z[j + 1][i] * (1 - s) + z[j + 1][i + 1] * s;
  const bottom = z[j][i] * (1 - s) + z[j][i + 1] * s;
  return bottom * (1 - t) + top * t;
}

/** A PNG data URL of the grid's values, smoothly interpolated and coloured along `colours`. */
function heatImageUrl(grid, colours, [lo, hi], columns, rows) {
  const { x, y, z } = grid;
  const canvas = document.createElement("canvas");
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext("2d");
  const image = context.createImageData(columns, rows);
  const span = hi - lo || 1;
  const last = colours.length - 1;
  // the image spans from the first sample's cell edge to the last one's, as the cells did
  const fx = (i) => Math.max(0, Math.min(x.length - 1, ((i + 0.5) / columns) * x.length - 0.5));
  const fy = (j) => Math.max(0, Math.min(y.length - 1, ((rows - j - 0.5) / rows) * y.length - 0.5));
  for (let j = 0; j < rows; j++) {
    const gj = fy(j);
    for (let i = 0; i < columns; i++) {
      const v = bilinear(z, fx(i), gj);
      if (!Number.isFinite(v)) continue; // a gap stays transparent
      const position = Math.max(0, Math.min(1, (v - lo) / span)) * last;
      const k = Math.min(Math.floor(position), last - 1);
      const f = position - k;
      const offset = 4 * (j * columns + i);
      for (let c = 0; c < 3; c++) image.data[offset + c] = Math.round(colours[k][c] * (1 - f) + colours[k + 1][c] * f);
      image.data[offset + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

/**
 * Shade a grid of values: grid = { x: [nx], y: [ny], z: [ny][nx] } (z[j][i] at x[i], y[j]), sampled
 * evenly. The shading is an image of the values interpolated between the samples, coloured along the
 * theme's ramp (--heat-0 … --heat-8, lighter is lower); a lesson calls it again when the theme changes.
 */
export function heat(group, grid, xs, ys, range = extent(grid.z.flat(), 0)) {
  const { x, y } = grid;
  if (x.length < 2 || y.length < 2) return;
  const halfX = (x[1] - x[0]) / 2;
  const halfY = (y[1] - y[0]) / 2;
  const left = xs(x[0] - halfX);
  const right = xs(x[x.length - 1] + halfX);
  const top = ys(y[y.length - 1] + halfY);
  const bottom = ys(y[0] - halfY);
  const colours = heatColours(group);
  const columns = HEAT_IMAGE_SIDE;
  const rows = Math.max(2, Math.round((HEAT_IMAGE_SIDE * (bottom - top)) / (right - left)));
  const key = JSON.stringify([colours, range, columns, rows]);
  let cached = heatImages.get(grid);
  if (!cached || cached.key !== key) {
    cached = { key, url: heatImageUrl(grid, colours, range, columns, rows) };
    heatImages.set(grid, cached);
  }
  group.append(
    svg("image", {
      class: "heat-image",
      href: cached.url,
      x: left.toFixed(2),
      y: top.toFixed(2),
      width: (right - left).toFixed(2),
      height: (bottom - top).toFixed(2),
      preserveAspectRatio: "none",
    }),
  );
}

/**
 * Call `redraw` when a plot is drawn at a size its text was not sized for (a resized window, presenter mode
 * on or off): see textUnits. Plots not drawn yet are left to their first drawing.
 */
export function redrawOnResize(plots, redraw) {
  let pending = 0;
  const stale = (svgEl) => {
    const drawn = Number(svgEl.dataset.em);
    return drawn > 0 && Math.abs(textUnits(svgEl) - drawn) > drawn * 0.02;
  };
  const check = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      if (plots.some(stale)) redraw();
    });
  };
  const observer = new ResizeObserver(check);
  for (const svgEl of plots) observer.observe(svgEl);
  document.addEventListener("presenterchange", check);
}

/** Call `render` when the theme (light, dark, presenter) changes the colours a figure reads. */
export function onTheme(render) {
  new MutationObserver(() => render()).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme", "data-presenter"],
  });
}

/** Contour levels spread evenly (in value) across the grid's range. */
export function contourLevels(grid, count = 10) {
  const [lo, hi] = extent(grid.z.flat(), 0);
  return Array.from({ length: count }, (_, k) => lo + ((k + 0.5) * (hi - lo)) / count);
}

/** Contour lines of a grid by marching squares, one path per level. */
export function contours(group, grid, xs, ys, levels) {
  const { x, y, z } = grid;
  const at = (i, j) => z[j][i];
  for (const level of levels) {
    let d = "";
    for (let j = 0; j + 1 < y.length; j++) {
      for (let i = 0; i + 1 < x.length; i++) {
        const corners = [
          [x[i], y[j], at(i, j)],
          [x[i + 1], y[j], at(i + 1, j)],
          [x[i + 1], y[j + 1], at(i + 1, j + 1)],
          [x[i], y[j + 1], at(i, j + 1)],
        ];
        if (corners.some((c) => c[2] == null || !Number.isFinite(c[2]))) continue;
        const crossings = [];
        for (let k = 0; k < 4; k++) {
          const [ax, ay, av] = corners[k];
          const [bx, by, bv] = corners[(k + 1) % 4];
          if (av < level !== bv < level) {
            const s = (level - av) / (bv - av);
            crossings.push([ax + s * (bx - ax), ay + s * (by - ay)]);
          }
        }
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          const [p, q] = [crossings[k], crossings[k + 1]];
          d += `M${xs(p[0]).toFixed(1)},${ys(p[1]).toFixed(1)}L${xs(q[0]).toFixed(1)},${ys(q[1]).toFixed(1)}`;
        }
      }
    }
    if (d) group.append(svg("path", { class: "contour-line", d }));
  }
}

let markerCounter = 0;

/** An arrow from (x1, y1) to (x2, y2) in pixels, with its own arrow-head marker. */
export function arrow(group, x1, y1, x2, y2, cls) {
  const id = `arrow-head-${++markerCounter}`;
  group.append(
    svg(
      "defs",
      {},
      svg(
        "marker",
        { id, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
        svg("path", { d: "M0,0L10,5L0,10z", class: `${cls}-head` }),
      ),
    ),
  );
  group.append(svg("line", { class: cls, x1, y1, x2, y2, "marker-end": `url(#${id})` }));
}
