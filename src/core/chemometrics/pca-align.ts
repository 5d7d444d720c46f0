/**
 * Reference-free alignment of one source to a reference (CORAL restricted to the reference's
 * PCA space): with P the reference's k loadings, the source's scores Z = (X − μ_s)P are
 * whitened with the source covariance and recoloured with the reference's, Z·A with
 * A = C_s^{-1/2} C_r^{1/2}, while the part of each spectrum outside span(P) is left as it is.
 * `meanShift: "full"` also moves the source mean onto the reference mean (this removes real
 * mean differences in soil composition between sources too — use it only when sources sample
 * similar soils; `none` keeps the source's mean).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { matrixColumnMean } from "./matrix-covariance.js";
import type { PcaModel } from "./matrix-pca.js";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface PcaAlignOptions {
  /** Default "full". */
  meanShift?: "full" | "none";
  /** Recolour the covariance within the k PCs. Default true. */
  recolor?: boolean;
  /** Ridge added to C_s, relative to its mean diagonal. Default 1e-3. */
  shrinkage?: number;
}

export function pcaAlign(values: NumArray, shape: MatrixShape, reference: PcaModel, options: PcaAlignOptions = {}): Float32Array {
  checkShape(values, shape, "pcaAlign");
  const { rows: n, cols: p } = shape;
  if (p !== reference.p) throw new RangeError(`pcaAlign: ${p} cols, reference PCA has ${reference.p}`);
  const { k, loadings: P } = reference;
  const recolor = options.recolor ?? true;
  if (recolor && n < k + 2)
    throw new RangeError(`pcaAlign: ${n} spectra cannot estimate a ${k}-component covariance (need at least ${k + 2})`);
  if (n < 1) throw new RangeError("pcaAlign: no spectra");
  const mu = matrixColumnMean(values, shape);
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const v = values[i * p + j]! - mu[j]!;
      for (let c = 0; c < k; c++) z[i * k + c]! += v * P[j * k + c]!;
    }
  }
  let a = Matrix.eye(k);
  if (recolor) {
    const cs = new Matrix(k, k);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) for (let d = c; d < k; d++) cs.set(c, d, cs.get(c, d) + z[i * k + c]! * z[i * k + d]!);
    let tr = 0;
    for (let c = 0; c < k; c++) {
      for (let d = 0; d < c; d++) cs.set(c, d, cs.get(d, c));
      tr += cs.get(c, c) / (n - 1);
    }
    const shrink = (options.shrinkage ?? 1e-3) * (tr / k);
    for (let c = 0; c < k; c++) for (let d = 0; d < k; d++) cs.set(c, d, cs.get(c, d) / (n - 1) + (c === d ? shrink : 0));
    const e = new EigenvalueDecomposition(cs, { assumeSymmetric: true });
    const v = e.eigenvectorMatrix;
    const dInv = Matrix.diag(e.realEigenvalues.map((l) => 1 / Math.sqrt(Math.max(l, 1e-300))));
    const csInvSqrt = v.mmul(dInv).mmul(v.transpose());
    const crSqrt = Matrix.diag(Array.from(reference.eigenvalues.subarray(0, k), (l) => Math.sqrt(l)));
    a = csInvSqrt.mmul(crSqrt);
  }
  const target = options.meanShift === "none" ? mu : reference.mean;
  const out = new Float32Array(n * p);
  const dz = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < k; d++) s += z[i * k + d]! * a.get(d, c);
      dz[c] = s - z[i * k + c]!;
    }
    for (let j = 0; j < p; j++) {
      let v = values[i * p + j]! - mu[j]! + target[j]!;
      for (let c = 0; c < k; c++) v += dz[c]! * P[j * k + c]!;
      out[i * p + j] = v;
    }
  }
  return out;
}

/** Mahalanobis distance between the centroid of `values` and the reference mean in the reference's PCA space. */
export function pcaCentroidDistance(values: NumArray, shape: MatrixShape, reference: PcaModel): number {
  const mu = matrixColumnMean(values, shape);
  const { k, loadings: P, p } = reference;
  let d2 = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += (mu[j]! - reference.mean[j]!) * P[j * k + c]!;
    const l = reference.eigenvalues[c]!;
    if (l > 0) d2 += (s * s) / l;
  }
  return Math.sqrt(d2);
}

/** Scores of every row in the reference's PCA space divided by √λ (Mahalanobis units), n x k. */
export function whitenedScores(values: NumArray, shape: MatrixShape, reference: PcaModel): Float64Array {
  checkShape(values, shape, "whitenedScores");
  const { rows: n, cols: p } = shape;
  const { k, loadings: P } = reference;
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const v = values[i * p + j]! - reference.mean[j]!;
      for (let c = 0; c < k; c++) z[i * k + c]! += v * P[j * k + c]!;
    }
    for (let c = 0; c < k; c++) {
      const l = reference.eigenvalues[c]!;
      z[i * k + c] = l > 0 ? z[i * k + c]! / Math.sqrt(l) : 0;
    }
  }
  return z;
}

/**
 * For each row of `scores` (n x k) the nearest row of `refScores` (squared Euclidean distance,
 * summing stops once it exceeds the best so far): its index (0 when `refScores` is empty) and
 * squared distance. `self` (scores = refScores) skips each row's own match.
 */
export function nearestRows(
  scores: Float64Array,
  refScores: Float64Array,
  k: number,
  self = false,
): { index: Int32Array; dist2: Float64Array } {
  const n = scores.length / k;
  const nr = refScores.length / k;
  const index = new Int32Array(n);
  const dist2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bj = 0;
    for (let j = 0; j < nr; j++) {
      if (self && i === j) continue;
      let d = 0;
      for (let c = 0; c < k && d < best; c++) d += (scores[i * k + c]! - refScores[j * k + c]!) ** 2;
      if (d < best) {
        best = d;
        bj = j;
      }
    }
    index[i] = bj;
    dist2[i] = best;
  }
  return { index, dist2 };
}

/**
 * Mean over the rows of `scores` of the distance to the nearest row of `refScores` (both n x k):
 * how far a source's spectra lie from any reference spectrum. `self` (scores = refScores) skips
 * each row's own match, giving the reference's typical spacing — the floor for the others.
 */
export function meanNearestDistance(scores: Float64Array, refScores: Float64Array, k: number, self = false): number {
  const n = scores.length / k;
  const nr = refScores.length / k;
  if (n === 0 || nr === 0 || (self && nr < 2)) return NaN;
  let tot = 0;
  for (const d2 of nearestRows(scores, refScores, k, self).dist2) tot += Math.sqrt(d2);
  return tot / n;
}
