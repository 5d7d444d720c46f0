/**
 * Conformal intervals from K-fold models, using every sample for calibration (no cal split):
 *
 * - `cvPlusIntervals`: CV+ for new points (Barber, Candès, Ramdas & Tibshirani 2021, Ann.
 *   Stat. 49:486, "Predictive inference with the jackknife+"). With out-of-fold scores
 *   Rᵢ = |yᵢ − μ̂₋ₖ₍ᵢ₎(xᵢ)| / σ̂₋ₖ₍ᵢ₎(xᵢ), the interval at x is
 *     lower = the ⌊α(n+1)⌋-th smallest of  μ̂₋ₖ₍ᵢ₎(x) − Rᵢ·σ̂₋ₖ₍ᵢ₎(x),
 *     upper = the ⌈(1−α)(n+1)⌉-th smallest of μ̂₋ₖ₍ᵢ₎(x) + Rᵢ·σ̂₋ₖ₍ᵢ₎(x),
 *   (σ̂ ≡ 1: the paper's absolute residuals). Guaranteed coverage ≥ 1 − 2α − a small K/n term;
 *   typically ≈ 1 − α. K = n is the jackknife+.
 * - `crossFoldQuantiles`: the scoring side of a K-fold evaluation, where each sample's own
 *   prediction comes from the one model that did not see it. Row j of fold f gets the
 *   ⌈(1−α)(m+1)⌉-th smallest of the out-of-fold scores of the m samples in the other folds
 *   (a split-conformal quantile whose calibration set is everything outside j's fold): the
 *   scores and the scored model never saw j. Cross-conformal in the sense of Vovk (2015).
 * - `crossConformalLog1p`: those quantiles as intervals on pooled k-fold predictions in g/kg
 *   (metrics.evaluate's pooled rows), with scores on the log1p scale, per target.
 *
 * Order statistics use (n+1), so too few scores for the level give an unbounded side.
 */
import { conformalQuantile } from "./conformal.js";

/** k-th smallest (1-based) of `values`; −∞ for k < 1, +∞ for k > n. */
function orderStatistic(values: Float64Array, k: number): number {
  if (k < 1) return -Infinity;
  if (k > values.length) return Infinity;
  return Float64Array.from(values).sort()[k - 1]!;
}

export interface CvPlusInput {
  /** Out-of-fold scores Rᵢ (already divided by σ̂ when normalized), one per calibration sample. */
  scores: ArrayLike<number>;
  /** Fold k(i) of each calibration sample: 0…K−1. */
  fold: ArrayLike<number>;
  /** predictions[k][j] = μ̂₋ₖ(x_j): fold k's model at new point j. */
  predictions: readonly ArrayLike<number>[];
  /** sigma[k][j] = σ̂₋ₖ(x_j) for normalized scores; omitted = 1 (absolute residuals). */
  sigma?: readonly ArrayLike<number>[];
  /** Nominal coverage 1 − α. */
  level: number;
}

/** CV+ intervals at new points (see the module comment). */
export function cvPlusIntervals(input: CvPlusInput): { low: Float64Array; high: Float64Array } {
  const { scores, fold, predictions, sigma, level } = input;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1) (got ${level})`);
  const n = scores.length;
  if (fold.length !== n) throw new RangeError(`fold has ${fold.length} entries for ${n} scores`);
  const K = predictions.length;
  for (let i = 0; i < n; i++) {
    const f = fold[i]!;
    if (!(Number.isInteger(f) && f >= 0 && f < K)) throw new RangeError(`fold[${i}] = ${f} is not a fold 0…${K - 1}`);
  }
  const m = K ? predictions[0]!.length : 0;
  const alpha = 1 - level;
  const kLow = Math.floor(alpha * (n + 1));
  const kHigh = Math.ceil(level * (n + 1));
  const low = new Float64Array(m);
  const high = new Float64Array(m);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const k = fold[i]!;
      const mu = predictions[k]![j]!;
      const s = sigma ? sigma[k]![j]! : 1;
      lo[i] = mu - scores[i]! * s;
      hi[i] = mu + scores[i]! * s;
    }
    low[j] = orderStatistic(lo, kLow);
    high[j] = orderStatistic(hi, kHigh);
  }
  return { low, high };
}

/**
 * Per fold f, the conformal quantile of the scores outside fold f (NaN scores ignored); see
 * the module comment. Returns q by fold (index = fold id).
 */
export function crossFoldQuantiles(scores: ArrayLike<number>, fold: ArrayLike<number>, folds: number, level: number): Float64Array {
  if (fold.length !== scores.length) throw new RangeError(`fold has ${fold.length} entries for ${scores.length} scores`);
  const q = new Float64Array(folds);
  for (let f = 0; f < folds; f++) {
    const other: number[] = [];
    for (let i = 0; i < scores.length; i++) if (fold[i] !== f && Number.isFinite(scores[i]!)) other.push(scores[i]!);
    q[f] = conformalQuantile(other, level);
  }
  return q;
}

export interface CrossConformalLog1pInput {
  /** Each row's target: quantiles are taken per target. */
  target: readonly (string | null)[];
  /** g/kg. */
  observed: ArrayLike<number>;
  predicted: ArrayLike<number>;
  /** The model's σ̂ in g/kg (NaN = none). */
  sd: ArrayLike<number>;
  /** Fold of each row: 0…folds−1. */
  fold: ArrayLike<number>;
  folds: number;
  level: number;
}

/**
 * Cross-conformal intervals in g/kg: score |log1p y − log1p ŷ| / w with w = σ̂ on the log1p
 * scale (sd / (1 + ŷ), as the CNN reports it) or 1 (PLSR: absolute residuals); each row gets
 * its fold's quantile of the other folds' scores (`crossFoldQuantiles`), per target, back-
 * transformed with the low side floored at 0. Rows without a finite prediction get NaN.
 */
export function crossConformalLog1p(input: CrossConformalLog1pInput): { low: Float64Array; high: Float64Array } {
  const { target, observed: obs, predicted: pred, sd, fold, folds, level } = input;
  const n = fold.length;
  const low = new Float64Array(n).fill(NaN);
  const high = new Float64Array(n).fill(NaN);
  const w = Float64Array.from(pred, (p, i) => {
    const s = sd[i]! / (1 + p);
    return Number.isFinite(s) && s > 0 ? s : 1;
  });
  for (const tg of new Set(target)) {
    const rows = [...Array(n).keys()].filter((i) => target[i] === tg);
    const scores = rows.map((i) => (obs[i]! >= 0 && pred[i]! > -1 ? Math.abs(Math.log1p(obs[i]!) - Math.log1p(pred[i]!)) / w[i]! : NaN));
    const q = crossFoldQuantiles(
      scores,
      rows.map((i) => fold[i]!),
      folds,
      level,
    );
    for (const i of rows) {
      if (!Number.isFinite(pred[i]!)) continue;
      const c = Math.log1p(pred[i]!);
      const qf = q[fold[i]!]!;
      low[i] = Math.max(0, Math.expm1(c - qf * w[i]!));
      high[i] = Math.expm1(c + qf * w[i]!);
    }
  }
  return { low, high };
}
