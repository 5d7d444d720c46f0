/**
 * Split-conformal intervals with normalized scores (SCIENCE.md, Uncertainty): on a calibration
 * set s_i = |y_i − ŷ_i| / σ̂_i, q = the ⌈(n+1)(1−α)⌉-th smallest s; interval ŷ ± q·σ̂ has
 * marginal coverage ≥ 1 − α for exchangeable data. Built on the transformed (log1p) scale and
 * back-transformed through a monotone map, so coverage carries over to g/kg.
 */

/** s_i = |y − ŷ| / σ̂ for rows where all three are finite and σ̂ > 0. */
export function normalizedScores(observed: ArrayLike<number>, predicted: ArrayLike<number>, sigma: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    const y = observed[i]!;
    const p = predicted[i]!;
    const s = sigma[i]!;
    if (Number.isFinite(y) && Number.isFinite(p) && Number.isFinite(s) && s > 0) out.push(Math.abs(y - p) / s);
  }
  return Float64Array.from(out);
}

/**
 * The conformal quantile: the ⌈(n+1)·level⌉-th smallest score (level = 1 − α). Infinity when
 * the calibration set is too small for the level (n < 1/α − 1): the interval is unbounded.
 */
export function conformalQuantile(scores: ArrayLike<number>, level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`pi_level must be in (0, 1) (got ${level})`);
  const n = scores.length;
  const k = Math.ceil((n + 1) * level);
  if (n === 0 || k > n) return Infinity;
  const sorted = Float64Array.from(scores).sort();
  return sorted[k - 1]!;
}

export interface Intervals {
  low: Float64Array;
  high: Float64Array;
}

/**
 * ŷ ± q·σ̂ on the transformed scale, mapped back by `inverse` (monotone increasing) and
 * clipped to [lower, upper] physical bounds (clipping keeps coverage: the truth lies inside).
 */
export function conformalIntervals(
  predicted: ArrayLike<number>,
  sigma: ArrayLike<number>,
  q: number,
  inverse: (t: number) => number = (t) => t,
  bounds: { lower?: number; upper?: number } = {},
): Intervals {
  const n = predicted.length;
  const low = new Float64Array(n);
  const high = new Float64Array(n);
  const lo = bounds.lower ?? -Infinity;
  const hi = bounds.upper ?? Infinity;
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    const w = q * sigma[i]!;
    if (!Number.isFinite(p) || Number.isNaN(w)) {
      low[i] = NaN;
      high[i] = NaN;
      continue;
    }
    low[i] = Math.min(hi, Math.max(lo, inverse(p - w)));
    high[i] = Math.min(hi, Math.max(lo, inverse(p + w)));
  }
  return { low, high };
}
