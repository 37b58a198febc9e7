// How numbers become colour, width and length. Colours are CSS color-mix() of the theme's
// diverging palette (--neg blue, --pos orange), so a theme switch recolours without re-rendering.
// The legend reads the same scales, so every encoding is tied to a printed number.

export const EDGE_WIDTH = { min: 0.75, max: 7 };
export const NODE_MIX_MAX = 88; // % of the sign colour at |value| = scale
const STEPS = 20; // colours are quantised to 5 % so equal-looking values share one style string

/** A round number ≥ |value| for a scale's end: 1, 2, 2.5, 5 × 10ⁿ. */
export function niceMax(value) {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const exponent = 10 ** Math.floor(Math.log10(value));
  const mantissa = value / exponent;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 2.5 ? 2.5 : mantissa <= 5 ? 5 : 10;
  // Past 1e308 the round number overflows to ∞, which would flatten every encoding: keep the value.
  return Number.isFinite(nice * exponent) ? nice * exponent : value;
}

export function maxAbs(values) {
  let max = 0;
  for (const v of values) if (v != null && Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  return max;
}

function share(value, scale) {
  if (value == null || !Number.isFinite(value)) return 1;
  return Math.min(1, Math.abs(value) / scale);
}

const quantise = (fraction) => Math.round(fraction * STEPS) / STEPS;

/**
 * Fill of a neuron holding `value`: from the surface colour (0) to the sign's colour (|value| ≥ scale),
 * on a square-root ramp so that small activations still show. The legend draws the same function.
 */
export function nodeFill(value, scale) {
  if (value == null || !Number.isFinite(value)) return "var(--surface-2)";
  const pct = Math.round(Math.sqrt(quantise(share(value, scale))) * NODE_MIX_MAX);
  const sign = value < 0 ? "var(--neg)" : "var(--pos)";
  return `color-mix(in srgb, ${sign} ${pct}%, var(--surface))`;
}

/** Stroke colour of an edge of weight `value`: grey near 0, the sign's colour at |value| ≥ scale. */
export function edgeStroke(value, scale) {
  if (value == null || !Number.isFinite(value)) return "var(--text-muted)";
  const pct = 35 + Math.round(quantise(share(value, scale)) * 65);
  const sign = value < 0 ? "var(--neg)" : "var(--pos)";
  return `color-mix(in srgb, ${sign} ${pct}%, var(--zero))`;
}

/** Stroke width (px) of an edge of weight `value`: linear in |value| up to the scale. */
export function edgeWidth(value, scale) {
  const fraction = value == null || !Number.isFinite(value) ? 1 : quantise(share(value, scale));
  return Math.round((EDGE_WIDTH.min + fraction * (EDGE_WIDTH.max - EDGE_WIDTH.min)) * 100) / 100;
}

/** Negative weights are dashed so sign never rests on colour alone. */
export function edgeDash(value) {
  return value != null && value < 0 ? "6 4" : "none";
}

/** Signed share of a bar's full length: −1 … 1. */
export function signedShare(value, scale) {
  if (value == null || !Number.isFinite(value)) return 0;
  return Math.max(-1, Math.min(1, value / scale));
}

/** Ticks of a symmetric scale: −s, −s/2, 0, s/2, s. */
export function symmetricTicks(scale) {
  return [-scale, -scale / 2, 0, scale / 2, scale];
}

/**
 * The quantised look of `value` on `scale` as a class-name-safe key: its sign ("n" below zero, else "p")
 * and its step of 5 % of the scale (0…20), or "x" when it is not finite. Every value with the same key
 * gets the same nodeFill, edgeStroke, edgeWidth and edgeDash, so the diagram styles elements by class
 * (classes share computed styles; a thousand inline styles each cost a style recalculation).
 */
export function lookKey(value, scale) {
  const sign = value < 0 ? "n" : "p";
  if (value == null || !Number.isFinite(value)) return `${sign}x`;
  return `${sign}${Math.round(share(value, scale) * STEPS)}`;
}

/** A value of scale 1 with the look `key` (see lookKey). */
function sampleOf(key) {
  const negative = key[0] === "n";
  if (key.endsWith("x")) return negative ? Number.NEGATIVE_INFINITY : Number.NaN;
  const step = Number(key.slice(1));
  if (step === 0) return negative ? -1e-12 : 0;
  return ((negative ? -1 : 1) * step) / STEPS;
}

/** Every key lookKey can return. */
export const LOOK_KEYS = ["n", "p"].flatMap((sign) => [
  ...Array.from({ length: STEPS + 1 }, (_, i) => `${sign}${i}`),
  `${sign}x`,
]);

let lookSheet = null;

/**
 * Adopt, once per document, the rules behind the look classes: `w-<key>` gives an edge the stroke,
 * width and dash of edgeStroke / edgeWidth / edgeDash, `f-<key>` gives a neuron the fill of nodeFill.
 * The rules are written by those same functions; their colours are theme variables.
 */
export function adoptLookClasses() {
  if (lookSheet) return;
  const rules = LOOK_KEYS.map((key) => {
    const v = sampleOf(key);
    return (
      `.diagram .w-${key} { stroke: ${edgeStroke(v, 1)}; stroke-width: ${edgeWidth(v, 1)}px; stroke-dasharray: ${edgeDash(v)}; }\n` +
      `.diagram .node-circle.f-${key} { fill: ${nodeFill(v, 1)}; }`
    );
  });
  lookSheet = new CSSStyleSheet();
  lookSheet.replaceSync(rules.join("\n"));
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, lookSheet];
}
