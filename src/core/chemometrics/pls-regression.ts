/**
 * PLS1 regression with the number of components chosen by k-fold cross-validation.
 *
 * - X is mean-centered (no scaling), y mean-centered; the caller transforms y (the PLSR
 *   baseline fits log1p targets).
 * - All folds come from one pass of cross-products per fold (`matrixGroupProducts`,
 *   O(n·p²) once); fold k trains on the sum of the other folds' products, so CV and the final
 *   fit cost only p×p work per component (kernel PLS, `plsKernel1`). Nothing is O(n²).
 * - RMSECV(a) = √(Σ_folds SSE_a / n) for a = 1..maxComponents; its standard error is the SD
 *   of the per-fold RMSEs / √k. Rule "min": a with the smallest RMSECV. Rule "one_se"
 *   (default; Hastie, Tibshirani & Friedman 2009, §7.10): the fewest components whose RMSECV is
 *   within one standard error of the minimum — guards against over-fitting a flat curve.
 */
import { kFolds } from "../stats/split.js";
import { centeredProducts, matrixGroupProducts, sumGroupProducts, type GroupProducts } from "./pls-cross-products.js";
import { plsCoefficients, plsKernel1 } from "./pls-kernel.js";

export type ComponentRule = "min" | "one_se";

export interface PlsCvOptions {
  /** Largest number of components tried; default 20 (capped by p and the fold sizes). */
  maxComponents?: number;
  /** Number of CV folds; default 5. */
  folds?: number;
  /** Seed of the fold assignment; default 1. */
  seed?: number;
  /** How the number of components is chosen; default "one_se". */
  rule?: ComponentRule;
}

export interface PlsModel {
  components: number;
  /** Mean of the training X (length p). */
  xMean: Float64Array;
  yMean: number;
  /** Regression vector on centered X (length p): ŷ = yMean + (x − xMean)·coefficients. */
  coefficients: Float64Array;
}

export interface PlsCvCurve {
  components: number[];
  rmsecv: number[];
  se: number[];
}

export interface PlsCvResult {
  model: PlsModel;
  cv: PlsCvCurve;
  rule: ComponentRule;
  folds: number;
  /** Components of the RMSECV minimum (equal to model.components under rule "min"). */
  minComponents: number;
}

/** Out-of-fold predictions of fold `k` rows for 1..A components, row-major rows×A. */
function foldPredictions(
  x: Float64Array | Float32Array,
  p: number,
  rows: readonly number[],
  xMean: Float64Array,
  yMean: number,
  r: Float64Array,
  q: Float64Array,
  A: number,
): Float64Array {
  const out = new Float64Array(rows.length * A);
  const xc = new Float64Array(p);
  rows.forEach((i, idx) => {
    for (let j = 0; j < p; j++) xc[j] = x[i * p + j]! - xMean[j]!;
    let acc = yMean;
    for (let a = 0; a < A; a++) {
      let t = 0;
      const ra = a * p;
      for (let j = 0; j < p; j++) t += xc[j]! * r[ra + j]!;
      acc += t * q[a]!;
      out[idx * A + a] = acc;
    }
  });
  return out;
}

/** Column means of x (n × p, row-major) and the mean of y: the shift that keeps the cross-products well conditioned. */
function means(x: Float64Array | Float32Array, p: number, y: Float64Array): { shiftX: Float64Array; shiftY: number } {
  const n = y.length;
  const shiftX = new Float64Array(p);
  let shiftY = 0;
  for (let i = 0; i < n; i++) {
    shiftY += y[i]!;
    for (let j = 0; j < p; j++) shiftX[j]! += x[i * p + j]!;
  }
  for (let j = 0; j < p; j++) shiftX[j]! /= n;
  return { shiftX, shiftY: shiftY / n };
}

/**
 * Fits PLS1 on row-major `x` (n×p) and `y` (length n, finite), choosing the number of
 * components by k-fold CV. Throws RangeError on non-finite input or too few rows.
 */
export function plsRegressionCv(x: Float64Array | Float32Array, p: number, y: Float64Array, options: PlsCvOptions = {}): PlsCvResult {
  const { maxComponents = 20, folds = 5, seed = 1, rule = "one_se" } = options;
  const n = y.length;
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`p must be a positive integer (got ${p})`);
  if (x.length !== n * p) throw new RangeError(`x has ${x.length} values, expected ${n}×${p}`);
  if (!Number.isInteger(maxComponents) || maxComponents < 1) {
    throw new RangeError(`maxComponents must be a positive integer (got ${maxComponents})`);
  }
  if (n < folds + 1) throw new RangeError(`PLS CV needs more rows than folds (n=${n}, folds=${folds})`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(y[i]!)) throw new RangeError(`y[${i}] is not finite`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`x row ${Math.floor(i / p)} has a non-finite value`);
  }

  const { shiftX, shiftY } = means(x, p, y);

  const foldOf = kFolds(n, folds, seed);
  const parts: GroupProducts[] = matrixGroupProducts(x, p, y, foldOf, folds, shiftX, shiftY);
  const smallestTrain = n - Math.max(...parts.map((g) => g.n));
  const A = Math.min(maxComponents, p, smallestTrain - 1);
  if (A < 1) throw new RangeError(`too few rows for PLS (n=${n})`);

  const sse = new Float64Array(folds * A);
  const extracted: number[] = [];
  for (let k = 0; k < folds; k++) {
    const c = centeredProducts(sumGroupProducts(parts, k), shiftX, shiftY);
    const ker = plsKernel1(c.xtx, c.xty, A);
    extracted.push(ker.components);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (foldOf[i] === k) rows.push(i);
    const pred = foldPredictions(x, p, rows, c.xMean, c.yMean, ker.r, ker.q, ker.components);
    rows.forEach((i, idx) => {
      for (let a = 0; a < A; a++) {
        // beyond the extracted components the prediction stays at the last one
        const e = pred[idx * ker.components + Math.min(a, ker.components - 1)]! - y[i]!;
        sse[k * A + a]! += ker.components > 0 ? e * e : (c.yMean - y[i]!) ** 2;
      }
    });
  }
  const usable = Math.max(1, Math.min(A, ...extracted));
  const curve: PlsCvCurve = { components: [], rmsecv: [], se: [] };
  for (let a = 0; a < usable; a++) {
    let tot = 0;
    const foldRmse: number[] = [];
    for (let k = 0; k < folds; k++) {
      tot += sse[k * A + a]!;
      foldRmse.push(Math.sqrt(sse[k * A + a]! / parts[k]!.n));
    }
    const mean = foldRmse.reduce((s, v) => s + v, 0) / folds;
    const sd = Math.sqrt(foldRmse.reduce((s, v) => s + (v - mean) ** 2, 0) / (folds - 1));
    curve.components.push(a + 1);
    curve.rmsecv.push(Math.sqrt(tot / n));
    curve.se.push(sd / Math.sqrt(folds));
  }
  let best = 0;
  for (let a = 1; a < usable; a++) if (curve.rmsecv[a]! < curve.rmsecv[best]!) best = a;
  let chosen = best;
  if (rule === "one_se") {
    const limit = curve.rmsecv[best]! + curve.se[best]!;
    chosen = curve.rmsecv.findIndex((v) => v <= limit);
  }
  const components = chosen + 1;

  const all = centeredProducts(sumGroupProducts(parts), shiftX, shiftY);
  const ker = plsKernel1(all.xtx, all.xty, components);
  return {
    model: {
      components: ker.components,
      xMean: all.xMean,
      yMean: all.yMean,
      coefficients: plsCoefficients(ker, ker.components),
    },
    cv: curve,
    rule,
    folds,
    minComponents: best + 1,
  };
}

/** Fits PLS1 with a fixed number of components (no CV). */
export function plsRegressionFit(x: Float64Array | Float32Array, p: number, y: Float64Array, components: number): PlsModel {
  const n = y.length;
  if (x.length !== n * p) throw new RangeError(`x has ${x.length} values, expected ${n}×${p}`);
  if (n < 2) throw new RangeError(`PLS needs at least 2 rows (n=${n})`);
  const { shiftX, shiftY } = means(x, p, y);
  const parts = matrixGroupProducts(x, p, y, new Int32Array(n), 1, shiftX, shiftY);
  const c = centeredProducts(parts[0]!, shiftX, shiftY);
  const ker = plsKernel1(c.xtx, c.xty, Math.min(components, n - 1));
  return { components: ker.components, xMean: c.xMean, yMean: c.yMean, coefficients: plsCoefficients(ker, ker.components) };
}

/** Predictions of row-major `x` (rows×p); rows with a non-finite value predict NaN. */
export function plsPredict(model: PlsModel, x: Float64Array | Float32Array, out?: Float64Array): Float64Array {
  const p = model.xMean.length;
  if (x.length % p !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of p=${p}`);
  const rows = x.length / p;
  const res = out ?? new Float64Array(rows);
  if (res.length !== rows) throw new RangeError(`out has ${res.length} entries, expected ${rows}`);
  for (let i = 0; i < rows; i++) {
    let s = model.yMean;
    for (let j = 0; j < p; j++) s += (x[i * p + j]! - model.xMean[j]!) * model.coefficients[j]!;
    res[i] = Number.isFinite(s) ? s : NaN;
  }
  return res;
}
