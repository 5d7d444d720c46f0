/**
 * Robust PCA outlier statistics (Hotelling T² and Q residual with limits) in three fits:
 * 1. classical PCA on all rows → k (given, or by variance explained);
 * 2. refit on the (1 − trimFraction) rows with the smallest Q (a trimmed start that defective
 *    scans cannot pull; trimming on Q only keeps the genuine tails of soil variation, which are
 *    extreme in T² but well modelled, in the fit);
 * 3. reweighting: refit on every row whose Q is within median + 5·1.4826·MAD of the pool's Q
 *    under fit 2 (a robust cut far in the tail of a clean χ²-like Q, so the clean rows are all
 *    kept and the limits are not biased low by the trimming); the final limits (Box moments or
 *    Jackson–Mudholkar eigenvalues, T² with n = that set's size) come from the same robust cut
 *    under fit 3.
 * Rows listed in `exclude` (e.g. known scan defects, non-finite) never enter a fit but are scored.
 */
import { matrixPca, pcaProject, residualTheta, type PcaModel } from "./matrix-pca.js";
import { hotellingT2Limit, qLimitBox, qLimitJacksonMudholkar } from "./pca-limits.js";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface RobustPcaOutlierOptions extends MatrixShape {
  /** Fixed number of components; default chosen by `varianceExplained` on fit 1. */
  components?: number;
  /** Default 0.99. */
  varianceExplained?: number;
  /** Default 10. */
  maxComponents?: number;
  /** Fraction of rows trimmed for fit 2. Default 0.1. */
  trimFraction?: number;
  /** Significance level of both limits. Default 0.001. */
  alpha?: number;
  /** Q limit formula. Default "box". */
  qLimit?: "box" | "jackson-mudholkar";
  /** Fits 1–2 (the robust start) use at most this many rows, evenly strided. Default 10,000. */
  maxFitRows?: number;
  /** Rows kept out of every fit. */
  exclude?: ArrayLike<number>;
}

export interface RobustPcaOutlierResult {
  model: PcaModel;
  scores: Float64Array;
  t2: Float64Array;
  q: Float64Array;
  t2Limit: number;
  qLimit: number;
  /** Rows of the final fit. */
  fitRows: Int32Array;
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

export function robustPcaOutliers(values: NumArray, options: RobustPcaOutlierOptions): RobustPcaOutlierResult {
  checkShape(values, options, "robustPcaOutliers");
  const { rows: n, cols: p } = options;
  const alpha = options.alpha ?? 0.001;
  const trim = options.trimFraction ?? 0.1;
  if (!(trim >= 0 && trim < 0.5)) throw new RangeError(`robustPcaOutliers: trimFraction must be in [0, 0.5), got ${trim}`);
  const excluded = new Uint8Array(n);
  if (options.exclude) for (let i = 0; i < options.exclude.length; i++) excluded[options.exclude[i]!] = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(values[i * p + j]!)) {
        excluded[i] = 1;
        break;
      }
    }
  }
  const pool = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !excluded[i]);
  const minRows = Math.max(10, (options.components ?? 2) + 5);
  if (pool.length < minRows) {
    throw new RangeError(`robustPcaOutliers: ${pool.length} usable rows, need at least ${minRows}`);
  }
  const shape = { rows: n, cols: p };
  const maxFit = options.maxFitRows ?? 10_000;
  const stride = Math.max(1, pool.length / maxFit);
  const start = pool.length > maxFit ? Int32Array.from({ length: maxFit }, (_, r) => pool[Math.floor(r * stride)]!) : pool;
  const m1 = matrixPca(values, {
    ...shape,
    subset: start,
    components: options.components,
    varianceExplained: options.varianceExplained ?? 0.99,
    maxComponents: options.maxComponents ?? 10,
  });
  const k = Math.min(m1.k, Math.floor(start.length * (1 - trim)) - 2);
  const p1 = pcaProject(values, shape, m1);
  const score = Array.from(start, (i) => p1.q[i]!);
  const order = Array.from(start.keys()).sort((a, b) => score[a]! - score[b]!);
  const keepN = Math.max(k + 3, Math.ceil(start.length * (1 - trim)));
  const trimmed = Int32Array.from(order.slice(0, keepN), (r) => start[r]!).sort();
  let model = matrixPca(values, { ...shape, subset: trimmed, components: k });
  let proj = pcaProject(values, shape, model);
  let fit: Int32Array = trimmed;
  const limits = (rows: Int32Array, m: PcaModel, q: Float64Array) => ({
    t2: hotellingT2Limit(rows.length, m.k, alpha),
    q:
      options.qLimit === "jackson-mudholkar"
        ? qLimitJacksonMudholkar(residualTheta(m), alpha)
        : qLimitBox(
            Array.from(rows, (i) => q[i]!),
            alpha,
          ),
  });
  const robustSet = (q: Float64Array): Int32Array => {
    const v = Float64Array.from(pool, (i) => q[i]!);
    const med = median(v);
    const mad = median(v.map((x) => Math.abs(x - med)));
    const cut = med + 5 * 1.4826 * mad;
    return pool.filter((i) => q[i]! <= cut);
  };
  const reweighted = robustSet(proj.q);
  if (reweighted.length >= k + 3) {
    model = matrixPca(values, { ...shape, subset: reweighted, components: k });
    proj = pcaProject(values, shape, model);
    const finalSet = robustSet(proj.q);
    if (finalSet.length >= k + 3) fit = finalSet;
  }
  const lim = limits(fit, model, proj.q);
  return { model, scores: proj.scores, t2: proj.t2, q: proj.q, t2Limit: lim.t2, qLimit: lim.q, fitRows: fit };
}
