// The 1-D regression view: the data points (x, y) and the curve the network computes along x, as the
// server sampled it. Train points filled, test points hollow; axes with numbered ticks.

import { clear, el, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { niceTicks } from "./losschart.js";

const MARGIN = { top: 10, right: 10, bottom: 26, left: 40 };

/**
 * The y range drawn: the data's (at least [−1, 1]), widened for the curve by at most the data's own span on
 * each side, so a network that blew up (outputs of 1e30, or not finite) cannot squash the data into a line.
 */
/** Round ticks whose first and last enclose [low, high], so that no data point is pinned to an edge. */
function coveringTicks(low, high, count) {
  const ticks = niceTicks(low, high, count);
  if (ticks.length < 2) return ticks;
  const step = ticks[1] - ticks[0];
  if (ticks[0] > low) ticks.unshift(Number((ticks[0] - step).toPrecision(12)));
  if (ticks.at(-1) < high) ticks.push(Number((ticks.at(-1) + step).toPrecision(12)));
  return ticks;
}

export function yExtent(points, values) {
  const targets = points.map((p) => p.target).filter(Number.isFinite);
  const dataLow = Math.min(-1, ...targets);
  const dataHigh = Math.max(1, ...targets);
  const span = dataHigh - dataLow;
  const curve = values.filter(Number.isFinite).map((v) => Math.max(dataLow - span, Math.min(dataHigh + span, v)));
  return [Math.min(dataLow, ...curve), Math.max(dataHigh, ...curve)];
}

export function createCurvePlot(root) {
  const area = el("div", { class: "plot-area curve-area" });
  const chart = svg("svg", { class: "curve-plot", "data-testid": "curve-plot" });
  area.append(chart);
  root.append(area);
  let current = null;

  function draw() {
    if (!current) return;
    const rect = area.getBoundingClientRect();
    const width = Math.max(120, rect.width);
    const height = Math.max(120, rect.height);
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const w = width - MARGIN.left - MARGIN.right;
    const h = height - MARGIN.top - MARGIN.bottom;
    const { curve, points = [], showTest } = current;
    const xs = curve?.xs || [];
    const [x0, x1] = curve?.x_range || [xs[0] ?? -1, xs.at(-1) ?? 1];
    const [low, high] = yExtent(points, curve?.values || []);
    const margin = 0.05 * (high - low);
    const yTicks = coveringTicks(low - margin, high + margin, 4);
    const [y0, y1] = [yTicks[0], yTicks.at(-1)];
    const sx = (x) => ((x - x0) / (x1 - x0 || 1)) * w;
    const sy = (y) => h - ((Math.max(y0, Math.min(y1, y)) - y0) / (y1 - y0 || 1)) * h;

    const plot = svg("g", { transform: `translate(${MARGIN.left},${MARGIN.top})` });
    const axes = svg("g", { class: "chart-axis" });
    const grid = svg("g", { class: "chart-grid" });
    for (const tick of yTicks) {
      grid.append(svg("line", { x1: 0, x2: w, y1: sy(tick), y2: sy(tick) }));
      axes.append(svg("text", { x: -6, y: sy(tick) + 4, "text-anchor": "end", text: formatNumber(tick, 3) }));
    }
    for (const tick of niceTicks(x0, x1, Math.max(2, Math.floor(w / 70)))) {
      axes.append(svg("line", { x1: sx(tick), x2: sx(tick), y1: h, y2: h + 4 }));
      axes.append(svg("text", { x: sx(tick), y: h + 16, "text-anchor": "middle", text: formatNumber(tick, 3) }));
    }
    axes.append(svg("line", { x1: 0, x2: w, y1: h, y2: h }), svg("line", { x1: 0, x2: 0, y1: 0, y2: h }));

    const dots = svg("g", { class: "curve-points" });
    for (const point of points) {
      if (point.test && !showTest) continue;
      dots.append(
        svg("circle", {
          cx: sx(point.x),
          cy: sy(point.target),
          r: 3.5,
          class: point.test ? "point point-test curve-point" : "point point-train curve-point",
        }),
      );
    }
    const d = (curve?.values || [])
      .map((v, i) => (Number.isFinite(v) ? `${i ? "L" : "M"}${sx(xs[i]).toFixed(1)},${sy(v).toFixed(1)}` : ""))
      .join(" ");
    const line = svg("path", { class: `fitted-curve${current.neuron ? " is-neuron" : ""}`, d });
    plot.append(grid, axes, dots, line);
    clear(chart).append(plot);
    chart.dataset.count = String(points.length);
    chart.dataset.samples = String(curve?.values?.length || 0);
  }

  new ResizeObserver(() => draw()).observe(area);

  return {
    /** view: {curve: {x_range, xs, values}, points: [{x, target, test}], showTest, neuron?} */
    draw(view) {
      current = view;
      draw();
    },
    redraw: draw,
    element: area,
  };
}
