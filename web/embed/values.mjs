// How a value of the result reads: a number, or an interval [low, high] when
// the core bounds it without pinning it (a sparse input: "interval" in place
// of "alpha" until the two ends meet). An interval is always shown as an
// interval ("0.912000 – 0.934000"), never as one number. No DOM here: the
// page, the <mdsd-calculator> element and the Node tests share it. It sits in
// embed/ because the element, loaded from other origins, may import only
// from embed/, package/ and generated/.

/**
 * The acceptance of an outcome ({alpha} or {interval: [lo, hi]}) as
 * {low, high, point}: point is true when it is one number (low === high).
 * null when the outcome has neither (an error entry, a missing value).
 */
export function rangeOf(outcome, key = 'alpha') {
  if (!outcome || typeof outcome !== 'object') return null;
  const value = outcome[key];
  if (typeof value === 'number') return { low: value, high: value, point: true };
  const interval = key === 'alpha' ? outcome.interval : undefined;
  if (Array.isArray(interval) && interval.length === 2 && interval.every((end) => typeof end === 'number')) {
    const [low, high] = interval;
    return { low, high, point: low === high };
  }
  if (Array.isArray(value) && value.length === 2 && value.every((end) => typeof end === 'number')) {
    return { low: value[0], high: value[1], point: value[0] === value[1] };
  }
  return null;
}

/** A range mapped end by end through an increasing function (tokens per call, speed-up). */
export function mapRange(range, increasing) {
  if (!range) return null;
  return { low: increasing(range.low), high: increasing(range.high), point: range.point };
}

/** "0.9120000000", or "0.912000 – 0.934000" (an interval gets fewer digits each end). */
export function rangeText(range, digits = 10, intervalDigits = Math.min(digits, 6), suffix = '') {
  if (!range) return '–';
  if (range.point) return `${range.low.toFixed(digits)}${suffix}`;
  return `${range.low.toFixed(intervalDigits)}${suffix} – ${range.high.toFixed(intervalDigits)}${suffix}`;
}

/** The larger of two ranges for "the best": the higher sure (low) end, then the higher high end. */
export function betterRange(a, b) {
  if (!b) return false;
  if (!a) return true;
  return b.low > a.low || (b.low === a.low && b.high > a.high);
}

/** The draft sampling methods of a result, in the core's order (its keys), not a fixed list. */
export function methodsOf(result) {
  return Object.keys(result?.optimal ?? {});
}
