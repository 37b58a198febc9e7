// The decision-boundary view: a canvas painted from the grid of values the server computed, with the data
// points drawn on top in SVG (train filled, test hollow; class shown by shape as well as colour), axis
// ticks, and a colour bar with numbers. The grid is drawn as sent: this module does no network maths.

import { clear, el, setAttr, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { classColour, divergingScale, rgb } from "./palette.js";

const TICKS = [-1, -0.5, 0, 0.5, 1];

/** The SVG shape of a point: class 0 a circle, 1 a square, 2 a triangle, then a diamond. */
export function pointShape(x, y, label, r) {
  const shape = label == null ? 0 : label % 4;
  if (shape === 0) return svg("circle", { cx: x, cy: y, r });
  if (shape === 1) return svg("rect", { x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8 });
  if (shape === 2) {
    const h = r * 1.25;
    return svg("polygon", { points: `${x},${y - h} ${x + h},${y + h * 0.8} ${x - h},${y + h * 0.8}` });
  }
  return svg("polygon", { points: `${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}` });
}

// One off-screen canvas, one pixel per grid value, that every painting shares: a new canvas and context
// for each picture cost more than the painting itself.
let scratch = null;

/**
 * Paint grid values (rows follow y upwards, columns follow x) onto a canvas the size of its box.
 * `scale` is a domain [low, middle, high] for the diverging palette, or a function value → [r, g, b].
 * `box` ({width, height} in CSS pixels) saves measuring the canvas, which after any change to the page
 * makes the browser lay it out there and then.
 */
export function paintGrid(canvas, values, scale, box = null) {
  const rect = box ?? canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(rect.width * ratio));
  const height = Math.max(1, Math.round(rect.height * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, width, height);
  if (!values?.length || !values[0]?.length) return;
  const rows = values.length;
  const cols = values[0].length;
  if (!scratch) {
    const offscreen = document.createElement("canvas");
    scratch = { canvas: offscreen, context: offscreen.getContext("2d") };
  }
  const small = scratch;
  if (scratch.image?.width !== cols || scratch.image?.height !== rows)
    scratch.image = small.context.createImageData(cols, rows);
  const { image } = scratch;
  const { data } = image;
  const colour = typeof scale === "function" ? scale : divergingScale(scale);
  for (let r = 0; r < rows; r++) {
    const row = values[rows - 1 - r];
    for (let c = 0; c < cols; c++) {
      const shade = colour(row[c]); // indexed, not destructured: this loop runs for every pixel of every picture
      const i = (r * cols + c) * 4;
      data[i] = shade[0];
      data[i + 1] = shade[1];
      data[i + 2] = shade[2];
      data[i + 3] = 255;
    }
  }
  if (small.canvas.width !== cols || small.canvas.height !== rows) {
    small.canvas.width = cols;
    small.canvas.height = rows;
  }
  small.context.putImageData(image, 0, 0);
  // The samples sit on the grid lines xs[0] … xs[n−1]: widen the image by half a cell on each side so
  // each pixel's centre lands on its sample.
  const cellW = cols > 1 ? width / (cols - 1) : width;
  const cellH = rows > 1 ? height / (rows - 1) : height;
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(small.canvas, -cellW / 2, -cellH / 2, width + cellW, height + cellH);
}

/** A horizontal colour bar with numbers at both ends and the middle, or one block per class. */
export function createColourBar(root) {
  const canvas = el("canvas", { class: "colourbar-canvas", "aria-hidden": "true" });
  const labels = el("div", { class: "colourbar-labels mono" });
  root.append(canvas, labels);
  let shown = ""; // what the bar shows: every picture of a run asks again, and mostly for the same bar
  const unchanged = (...what) => {
    const { lang, dataset } = document.documentElement;
    const key = JSON.stringify([...what, lang, dataset.theme, dataset.presenter]);
    if (key === shown) return true;
    shown = key;
    return false;
  };
  return {
    draw([low, middle, high]) {
      if (unchanged(low, middle, high)) return;
      const steps = 64;
      const row = Array.from({ length: steps }, (_, i) => low + ((high - low) * i) / (steps - 1));
      requestAnimationFrame(() => paintGrid(canvas, [row, row], [low, middle, high]));
      root.dataset.low = String(low);
      root.dataset.high = String(high);
      labels.classList.remove("is-classes");
      clear(labels).append(
        el("span", { text: formatNumber(low, 3) }),
        el("span", { text: formatNumber(middle, 3) }),
        el("span", { text: formatNumber(high, 3) }),
      );
    },
    drawClasses(count, scale) {
      if (unchanged(count)) return;
      // Repeat each class so smoothing keeps the blocks flat but for a thin blend at the seams.
      const row = Array.from({ length: count * 8 }, (_, i) => Math.floor(i / 8));
      requestAnimationFrame(() => paintGrid(canvas, [row, row], scale));
      root.dataset.low = "0";
      root.dataset.high = String(count - 1);
      labels.classList.add("is-classes");
      clear(labels).append(...Array.from({ length: count }, (_, k) => el("span", { text: String(k) })));
    },
  };
}

/**
 * root: an element holding .plot-area; options.onPlanePointer({x, y, shift}) for clicks in data space,
 * options.onHover({x, y, value} | null).
 */
export function createHeatMap(root, { onPlanePointer, onHover } = {}) {
  const area = el("div", { class: "plot-area" });
  const canvas = el("canvas", { class: "heat-canvas", "aria-hidden": "true" });
  const overlay = svg("svg", { class: "heat-overlay", "data-testid": "heatmap-points" });
  area.append(canvas, overlay);
  root.append(area);
  let current = null;

  function extent() {
    const { xs, ys } = current?.grid || {};
    if (xs?.length && ys?.length) return { x0: xs[0], x1: xs.at(-1), y0: ys[0], y1: ys.at(-1) };
    return { x0: -1, x1: 1, y0: -1, y1: 1 };
  }

  function toData(event) {
    const rect = overlay.getBoundingClientRect();
    const { x0, x1, y0, y1 } = extent();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
    return { x: x0 + fx * (x1 - x0), y: y1 - fy * (y1 - y0) };
  }

  function valueAt(point) {
    const grid = current?.grid;
    if (!grid?.values?.length) return null;
    const { xs, ys, values } = grid;
    const col = Math.round(((point.x - xs[0]) / (xs.at(-1) - xs[0])) * (xs.length - 1));
    const row = Math.round(((point.y - ys[0]) / (ys.at(-1) - ys[0])) * (ys.length - 1));
    return values[Math.max(0, Math.min(ys.length - 1, row))]?.[Math.max(0, Math.min(xs.length - 1, col))];
  }

  overlay.addEventListener("click", (event) => {
    const point = toData(event);
    if (point && onPlanePointer) onPlanePointer({ ...point, shift: event.shiftKey });
  });
  overlay.addEventListener("pointermove", (event) => {
    const point = toData(event);
    if (onHover) onHover(point ? { ...point, value: valueAt(point) } : null);
  });
  overlay.addEventListener("pointerleave", () => onHover?.(null));

  function drawPoints(width, height) {
    const { x0, x1, y0, y1 } = extent();
    const sx = (x) => ((x - x0) / (x1 - x0)) * width;
    const sy = (y) => height - ((y - y0) / (y1 - y0)) * height;
    const points = current.points || [];
    const r = Math.max(2.5, Math.min(points.length < 60 ? 6.5 : 5, width / 90));
    const valueColour = current.pointScale ? divergingScale(current.pointScale) : null;
    const train = svg("g", { class: "points-train" });
    const test = svg("g", { class: "points-test" });
    const inside = (p) => p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1;
    for (const point of points) {
      if ((point.test && !current.showTest) || !inside(point)) continue;
      const shape = pointShape(sx(point.x), sy(point.y), point.label, r);
      const colour = point.label == null ? rgb(valueColour(point.target)) : classColour(point.label);
      const kind = point.label == null ? " point-value" : "";
      shape.setAttribute("class", `${point.test ? "point point-test" : "point point-train"}${kind}`);
      shape.style.setProperty("--point", colour);
      (point.test ? test : train).append(shape);
    }
    const ticks = svg("g", { class: "ticks", "aria-hidden": "true" });
    for (const tick of TICKS) {
      if (tick >= x0 && tick <= x1) {
        ticks.append(svg("line", { x1: sx(tick), x2: sx(tick), y1: height, y2: height + 4 }));
        ticks.append(svg("text", { x: sx(tick), y: height + 15, "text-anchor": "middle", text: formatNumber(tick) }));
      }
      if (tick >= y0 && tick <= y1) {
        ticks.append(svg("line", { x1: -4, x2: 0, y1: sy(tick), y2: sy(tick) }));
        ticks.append(svg("text", { x: -7, y: sy(tick) + 4, "text-anchor": "end", text: formatNumber(tick) }));
      }
    }
    clear(overlay).append(ticks, train, test);
    overlay.dataset.count = String(points.length);
    overlay.dataset.train = String(points.filter((p) => !p.test).length);
    overlay.dataset.test = String(points.filter((p) => p.test).length);
  }

  let size = null; // the plot's box, measured when it resizes rather than at every picture (a forced layout)
  let pointsKey = null; // what the points were drawn from: a new picture alone leaves them in place

  function redraw() {
    if (!current) return;
    size ??= area.getBoundingClientRect();
    setAttr(overlay, "viewBox", `0 0 ${size.width} ${size.height}`);
    paintGrid(canvas, current.grid?.values, current.scale, size); // the canvas fills the plot area
    const { x0, x1, y0, y1 } = extent();
    const { theme, presenter } = document.documentElement.dataset; // the points' colours follow the theme
    const key = [current.points, current.showTest, String(current.pointScale), x0, x1, y0, y1, size, theme, presenter];
    if (pointsKey && key.every((value, i) => value === pointsKey[i])) return;
    pointsKey = key;
    drawPoints(size.width, size.height);
  }

  new ResizeObserver(() => {
    size = area.getBoundingClientRect();
    redraw();
  }).observe(area);

  return {
    /** view: {grid: {xs, ys, values}, scale: domain or value → rgb, points, showTest, pointScale?} */
    draw(view) {
      current = view;
      redraw();
    },
    redraw,
    element: area,
  };
}
