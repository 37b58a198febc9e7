// Display formatting only: the server computes every number; this decides how many digits to show.

export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  const text = abs >= 1e5 || abs < 1e-4 ? value.toExponential(2) : String(Number(value.toPrecision(digits)));
  return text.replaceAll("-", "−");
}
