// The running loss chart: train and test loss against steps, in SVG, with numbered axes, a legend and a
// log-scale option. It plots the losses the server recorded; the latest values sit in data attributes.

import { clear, svg } from "../core/dom.js";
import { formatNumber } from "../core/format.js";
import { t } from "../core/i18n.js";

const MARGIN = { top: 10, right: 14, bottom: 34, left: 52 };

/** About `count` round numbers covering [low, high]. */
export function niceTicks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(low, high) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
    const v = 10 ** e;
    if (v >= low * 0.999 && v <= high * 1.001) ticks.push(v);
  }
  if (ticks.length >= 2) return ticks;
  return [low, Math.sqrt(low * high), high];
}

export function createLossChart(root) {
  const chart = svg("svg", { class: "loss-chart", "data-testid": "loss-chart", role: "img" });
  root.append(chart);
  let history = [];
  let logScale = false;
  let size = null; // the chart's box, measured when it resizes: measuring on every draw forces a layout
  let shown = []; // the history drawn and its length and latest record, to skip redrawing the same chart

  function yScale(values, height) {
    const finite = values.filter((v) => Number.isFinite(v) && (!logScale || v > 0));
    let low = finite.length ? Math.min(...finite) : 0;
    let high = finite.length ? Math.max(...finite) : 1;
    if (logScale) {
      low = low > 0 ? low : 1e-3;
      high = Math.max(high, low * 10);
      const [a, b] = [Math.log10(low), Math.log10(high)];
      return {
        ticks: logTicks(10 ** Math.floor(a), 10 ** Math.ceil(b)),
        low: 10 ** Math.floor(a),
        high: 10 ** Math.ceil(b),
        at: (v) => height - ((Math.log10(v) - Math.floor(a)) / (Math.ceil(b) - Math.floor(a) || 1)) * height,
      };
    }
    low = 0;
    if (!(high > low)) high = 1;
    const ticks = niceTicks(low, high, 4);
    const top = Math.max(high, ticks.at(-1));
    return { ticks, low, high: top, at: (v) => height - ((v - low) / (top - low)) * height };
  }

  function line(key, x, y, className) {
    const parts = [];
    let pen = "M";
    for (const record of history) {
      const v = record[key];
      if (!Number.isFinite(v) || (logScale && v <= 0)) {
        pen = "M";
        continue;
      }
      parts.push(`${pen}${x(record.step).toFixed(1)},${y.at(v).toFixed(1)}`);
      pen = "L";
    }
    return svg("path", { class: className, d: parts.join(" ") });
  }

  function draw() {
    size ??= chart.getBoundingClientRect();
    const width = Math.max(120, size.width);
    const height = Math.max(100, size.height);
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const w = width - MARGIN.left - MARGIN.right;
    const h = height - MARGIN.top - MARGIN.bottom;
    const lastStep = history.length ? history.at(-1).step : 0;
    const xTicks = niceTicks(0, Math.max(lastStep, 10), Math.max(2, Math.floor(w / 80)));
    const xMax = Math.max(lastStep, xTicks.at(-1), 1);
    const x = (step) => (step / xMax) * w;
    const y = yScale(
      history.flatMap((r) => [r.train, r.test]),
      h,
    );

    const plot = svg("g", { transform: `translate(${MARGIN.left},${MARGIN.top})` });
    const grid = svg("g", { class: "chart-grid" });
    const axes = svg("g", { class: "chart-axis" });
    for (const tick of y.ticks) {
      const py = y.at(tick);
      if (!(py >= -0.5 && py <= h + 0.5)) continue;
      grid.append(svg("line", { x1: 0, x2: w, y1: py, y2: py }));
      axes.append(svg("text", { x: -6, y: py + 4, "text-anchor": "end", text: formatNumber(tick, 3) }));
    }
    for (const tick of xTicks) {
      if (tick > xMax) continue;
      axes.append(svg("line", { x1: x(tick), x2: x(tick), y1: h, y2: h + 4 }));
      axes.append(svg("text", { x: x(tick), y: h + 16, "text-anchor": "middle", text: formatNumber(tick, 6) }));
    }
    axes.append(svg("line", { x1: 0, x2: w, y1: h, y2: h }), svg("line", { x1: 0, x2: 0, y1: 0, y2: h }));
    axes.append(
      svg("text", { class: "axis-title", x: w, y: h + 30, "text-anchor": "end", text: t("train.chart.steps") }),
    );
    const lines = svg(
      "g",
      { class: "chart-lines" },
      line("train", x, y, "line-train"),
      line("test", x, y, "line-test"),
    );
    plot.append(grid, axes, lines);
    clear(chart).append(svg("title", { text: t("train.chart.title") }), plot);

    const last = history.at(-1);
    chart.dataset.points = String(history.length);
    chart.dataset.lastStep = String(last?.step ?? 0);
    chart.dataset.trainLoss = last && Number.isFinite(last.train) ? String(last.train) : "";
    chart.dataset.testLoss = last && Number.isFinite(last.test) ? String(last.test) : "";
    chart.dataset.firstTestLoss = history.length && Number.isFinite(history[0].test) ? String(history[0].test) : "";
    chart.dataset.scale = logScale ? "log" : "linear";
  }

  new ResizeObserver(() => {
    size = chart.getBoundingClientRect();
    draw();
  }).observe(chart);
  document.addEventListener("langchange", () => draw());

  return {
    /** records: [{step, train, test}] */
    set(records) {
      const last = records.at(-1);
      const next = [records, records.length, last?.step, last?.train, last?.test];
      if (next.every((value, i) => Object.is(value, shown[i]))) return;
      shown = next;
      history = records;
      draw();
    },
    setLogScale(on) {
      logScale = on;
      draw();
    },
    draw,
  };
}
