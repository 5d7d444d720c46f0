/**
 * Column means and the p x p covariance of a tall n x p matrix, accumulated in Float64 over
 * blocks of rows (transposed into a feature-major buffer so the inner loop is a contiguous
 * dot product of length `blockSize`): memory O(p² + p·blockSize), never O(n·p) beyond the input.
 * At 57,000 x 850 this is ~2·10¹⁰ multiply-adds — the reason PCA goes through XᵀX, not an n x p SVD.
 */
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface MatrixCovarianceOptions extends MatrixShape {
  /** Rows to use (indices); default all rows. */
  subset?: ArrayLike<number>;
  /** Rows per accumulation block. Default 256. */
  blockSize?: number;
  /** Precomputed column means (skips the first pass). */
  mean?: Float64Array;
}

export interface CovarianceResult {
  /** Number of rows used. */
  n: number;
  mean: Float64Array;
  /** Full symmetric p x p, divided by n − 1. */
  covariance: Float64Array;
}

export function matrixColumnMean(values: NumArray, options: MatrixShape & { subset?: ArrayLike<number> }): Float64Array {
  checkShape(values, options, "matrixColumnMean");
  const { rows, cols } = options;
  const n = options.subset ? options.subset.length : rows;
  if (n < 1) throw new RangeError("matrixColumnMean: no rows");
  const mean = new Float64Array(cols);
  for (let r = 0; r < n; r++) {
    const i = options.subset ? options.subset[r]! : r;
    const off = i * cols;
    for (let j = 0; j < cols; j++) mean[j]! += values[off + j]!;
  }
  for (let j = 0; j < cols; j++) mean[j]! /= n;
  return mean;
}

export function matrixCovariance(values: NumArray, options: MatrixCovarianceOptions): CovarianceResult {
  checkShape(values, options, "matrixCovariance");
  const { cols: p } = options;
  const subset = options.subset;
  const n = subset ? subset.length : options.rows;
  if (n < 2) throw new RangeError(`matrixCovariance: need at least 2 rows, got ${n}`);
  const B = options.blockSize ?? 256;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`matrixCovariance: blockSize must be a positive integer, got ${B}`);
  const mean = options.mean ?? matrixColumnMean(values, options);
  if (mean.length !== p) throw new RangeError(`matrixCovariance: mean has ${mean.length} values for ${p} cols`);
  const cov = new Float64Array(p * p);
  const buf = new Float64Array(p * B);
  for (let start = 0; start < n; start += B) {
    const m = Math.min(B, n - start);
    if (m < B) buf.fill(0);
    for (let r = 0; r < m; r++) {
      const i = subset ? subset[start + r]! : start + r;
      const off = i * p;
      for (let j = 0; j < p; j++) buf[j * B + r] = values[off + j]! - mean[j]!;
    }
    for (let a = 0; a < p; a++) {
      const oa = a * B;
      let b = a;
      // four dot products at once: the a-row is loaded once per four columns
      for (; b + 3 < p; b += 4) {
        const o0 = b * B;
        const o1 = o0 + B;
        const o2 = o1 + B;
        const o3 = o2 + B;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < m; r++) {
          const x = buf[oa + r]!;
          s0 += x * buf[o0 + r]!;
          s1 += x * buf[o1 + r]!;
          s2 += x * buf[o2 + r]!;
          s3 += x * buf[o3 + r]!;
        }
        const row = a * p;
        cov[row + b]! += s0;
        cov[row + b + 1]! += s1;
        cov[row + b + 2]! += s2;
        cov[row + b + 3]! += s3;
      }
      for (; b < p; b++) {
        const ob = b * B;
        let s = 0;
        for (let r = 0; r < m; r++) s += buf[oa + r]! * buf[ob + r]!;
        cov[a * p + b]! += s;
      }
    }
  }
  const d = n - 1;
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const v = cov[a * p + b]! / d;
      cov[a * p + b] = v;
      cov[b * p + a] = v;
    }
  }
  return { n, mean, covariance: cov };
}
