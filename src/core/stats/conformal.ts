/**
 * Split-conformal intervals with normalized scores (SCIENCE.md, Uncertainty): on a calibration
 * set s_i = |y_i − ŷ_i| / σ̂_i, q = the ⌈(n+1)(1−α)⌉-th smallest s; interval ŷ ± q·σ̂ has
 * marginal coverage ≥ 1 − α for exchangeable data. Built on the transformed (log1p) scale and
 * back-transformed through a monotone map, so coverage carries over to g/kg.
 */
import type { Rng } from "../random.js";
import { xQuantileType7 } from "./quantile.js";

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

export interface ResplitCoverage {
  repeats: number;
  /** Mean test coverage over the re-partitions: the procedure's expected coverage. */
  mean: number;
  /** 5th and 95th percentiles: the spread one random cal/test split of these sizes gives. */
  p05: number;
  p95: number;
}

/**
 * How much a split-conformal coverage measured on few test rows says: pools the cal and test
 * scores (the model stays fixed; neither set was used to fit it), draws `repeats` random
 * partitions of the same sizes, calibrates q on each cal part and scores its test part.
 * With ~50 cal and ~50 test rows a perfectly calibrated procedure gives test coverages
 * from ~0.81 to ~0.98 (90 % of partitions), so one split's coverage cannot be read to ±0.02;
 * the mean over partitions is the coverage the procedure delivers on these data.
 */
export function resplitCoverage(
  calScores: ArrayLike<number>,
  testScores: ArrayLike<number>,
  level: number,
  rng: Rng,
  repeats = 1000,
): ResplitCoverage | null {
  const nCal = calScores.length;
  const nTest = testScores.length;
  if (nCal === 0 || nTest === 0 || repeats < 1) return null;
  const pool = Float64Array.from([...Array.from(calScores), ...Array.from(testScores)]);
  const cov = new Float64Array(repeats);
  for (let r = 0; r < repeats; r++) {
    // Partial Fisher–Yates: the first nCal slots become a uniform random cal part.
    for (let i = 0; i < nCal; i++) {
      const j = i + Math.floor(rng.next() * (pool.length - i));
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    const q = conformalQuantile(pool.subarray(0, nCal), level);
    let c = 0;
    for (let i = nCal; i < pool.length; i++) if (pool[i]! <= q) c++;
    cov[r] = c / nTest;
  }
  let sum = 0;
  for (const v of cov) sum += v;
  return { repeats, mean: sum / repeats, p05: xQuantileType7(cov, 0.05), p95: xQuantileType7(cov, 0.95) };
}
