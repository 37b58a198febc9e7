// Colours for values, read from the theme's CSS custom properties so the heat maps follow light, dark
// and presenter themes. Negative values are blue, positive orange (a colour-blind-safe diverging pair).

const cache = new Map();

// The theme's properties, read once per theme: reading a computed style after the page changed forces the
// browser to recompute styles there and then, which per pixel or per neuron cost more than the painting.
// They depend only on the root's theme and presenter attributes (static/css), so those key the cache.
let themeKey = null;
const themeValues = new Map();

function themeValue(name) {
  const root = document.documentElement;
  const key = `${root.dataset.theme}|${root.dataset.presenter}`;
  if (key !== themeKey) {
    themeKey = key;
    themeValues.clear();
  }
  if (themeValues.has(name)) return themeValues.get(name);
  const value = getComputedStyle(root).getPropertyValue(name);
  if (value) themeValues.set(name, value); // an empty value may be a sheet still loading: ask again next time
  return value;
}

function parseColour(text) {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = "#000";
  probe.fillStyle = text.trim() || "#000";
  const value = probe.fillStyle;
  if (value.startsWith("#")) {
    return [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));
  }
  const parts = value.match(/[\d.]+/g) || ["0", "0", "0"];
  return parts.slice(0, 3).map(Number);
}

/** An [r, g, b] triple for a CSS custom property of the root element. */
export function cssColour(name) {
  const text = themeValue(name);
  const key = `${name}|${text}`;
  if (!cache.has(key)) cache.set(key, parseColour(text));
  return cache.get(key);
}

export function cssVar(name) {
  return themeValue(name).trim();
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

// A scale answers from a table of this many shades per side: a heat map asks for thousands of colours
// a picture, many times a second, and mixing each one anew (an array per pixel) cost more than the painting.
const SHADES = 256;
const ramps = new Map();

/** The SHADES + 1 colours from `from` to `to` (mixed once per theme). */
function ramp(from, to) {
  const key = `${from}|${to}`;
  if (!ramps.has(key)) {
    if (ramps.size > 32) ramps.clear(); // themes come and go: keep a handful
    ramps.set(
      key,
      Array.from({ length: SHADES + 1 }, (_, i) => mix(from, to, i / SHADES)),
    );
  }
  return ramps.get(key);
}

/**
 * A diverging scale: `domain` = [low, middle, high]; values below the middle fade from the middle colour
 * to blue, values above it to orange. Returns value → [r, g, b] (shared triples: read them, never write).
 */
export function divergingScale([low, middle, high]) {
  const mid = cssColour("--heat-mid");
  const up = ramp(mid, cssColour("--heat-pos"));
  const down = ramp(mid, cssColour("--heat-neg"));
  const missing = cssColour("--heat-missing");
  const upward = high > middle ? SHADES / (high - middle) : 0;
  const downward = middle > low ? SHADES / (middle - low) : 0;
  return (value) => {
    if (value == null || !Number.isFinite(value)) return missing;
    if (value >= middle) return up[upward ? Math.min(SHADES, Math.round((value - middle) * upward)) : SHADES];
    return down[downward ? Math.min(SHADES, Math.round((middle - value) * downward)) : SHADES];
  };
}

/** CSS colour of a class: 0 blue, 1 orange, 2 purple, then the rest of the Okabe–Ito set. */
export function classColour(label) {
  return cssVar(`--class-${Math.max(0, Math.min(5, label))}`) || "#555";
}

export const rgb = ([r, g, b]) => `rgb(${r} ${g} ${b})`;

function largestMagnitude(values) {
  let m = 0;
  for (const row of values || []) {
    for (const v of Array.isArray(row) ? row : [row]) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  }
  return m;
}

/**
 * The colour domain [low, middle, high] for values of a neuron with this activation: sigmoid outputs are
 * probabilities around ½, tanh lies in [−1, 1], anything unbounded is scaled to its largest magnitude.
 */
export function domainFor(activation, values, atLeast = 0) {
  if (activation === "sigmoid") return [0, 0.5, 1];
  if (activation === "tanh") return [-1, 0, 1];
  const m = Math.max(largestMagnitude(values), atLeast) || 1;
  const rounded = Number(m.toPrecision(2)) >= m ? Number(m.toPrecision(2)) : m;
  return [-rounded, 0, rounded];
}

/** Class k's colour faded toward the background, for painting predicted classes. */
export function categoricalScale(strength = 0.55) {
  const mid = cssColour("--heat-mid");
  const missing = cssColour("--heat-missing");
  const shades = [0, 1, 2, 3, 4, 5].map((k) => mix(mid, cssColour(`--class-${k}`), strength));
  return (value) => {
    if (value == null || !Number.isFinite(value)) return missing;
    return shades[Math.max(0, Math.min(5, Math.round(value)))];
  };
}
