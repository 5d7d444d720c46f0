/**
 * Spectral space transformation (Du et al. 2011) from transfer samples measured on the
 * master (reference) and the slave instrument: PCA (uncentred, so offsets are carried by the
 * first component, as the correction X + X·F has no intercept) of [X_master X_slave] with k
 * components; the 2p loadings split into P_m and P_s; F = pinv(P_sᵀ)(P_mᵀ − P_sᵀ); a slave
 * spectrum x becomes x + x·F. F (p x p, rank k) is kept factored: x·F = (x·A)·D with
 * A = pinv(P_sᵀ) (p x k) and D = P_mᵀ − P_sᵀ (k x p), so applying it costs 2·n·p·k.
 */
import { EigenvalueDecomposition, Matrix, pseudoInverse } from "ml-matrix";
import { checkShape, type NumArray } from "./types.js";

export interface SstModel {
  p: number;
  k: number;
  /** p x k row-major. */
  a: Float64Array;
  /** k x p row-major. */
  d: Float64Array;
}

export interface SstOptions {
  /** Transfer pairs (rows of master match rows of slave). */
  rows: number;
  cols: number;
  /** Components; default min(5, rows − 1). */
  components?: number;
}

export function matrixSstFit(master: NumArray, slave: NumArray, options: SstOptions): SstModel {
  checkShape(master, options, "matrixSstFit (master)");
  checkShape(slave, options, "matrixSstFit (slave)");
  const { rows: t, cols: p } = options;
  if (t < 3) throw new RangeError(`matrixSstFit: need at least 3 transfer pairs, got ${t}`);
  const k = options.components ?? Math.min(5, t - 1);
  if (!Number.isInteger(k) || k < 1 || k > t - 1)
    throw new RangeError(`matrixSstFit: components must be an integer in [1, ${t - 1}] for ${t} pairs, got ${k}`);
  // Gram matrix of the combined rows (t x t): G = C Cᵀ, C = [Xm Xs]
  const row = (i: number, j: number) => (j < p ? master[i * p + j]! : slave[i * p + j - p]!);
  const g = new Matrix(t, t);
  for (let i = 0; i < t; i++) {
    for (let l = i; l < t; l++) {
      let s = 0;
      for (let j = 0; j < 2 * p; j++) s += row(i, j) * row(l, j);
      g.set(i, l, s);
      g.set(l, i, s);
    }
  }
  const evd = new EigenvalueDecomposition(g, { assumeSymmetric: true });
  const ev = evd.realEigenvalues;
  const order = ev.map((_, i) => i).sort((x, y) => ev[y]! - ev[x]!);
  // loadings P (2p x k): P_c = Cᵀ u_c / σ_c
  const pm = new Matrix(p, k);
  const ps = new Matrix(p, k);
  // Numerical rank through the Gram matrix: its eigenvalues carry rounding of ~eps·λ₁·max(t, 2p),
  // so a singular value below √(that) (×10 for margin) is noise, not a direction of the data.
  const sigmaFloor = 10 * Math.sqrt(Number.EPSILON * Math.max(t, 2 * p) * Math.max(ev[order[0]!]!, 0));
  for (let c = 0; c < k; c++) {
    const e = order[c]!;
    const sigma = Math.sqrt(Math.max(ev[e]!, 0));
    if (!(sigma > sigmaFloor)) {
      throw new RangeError(`matrixSstFit: the transfer set has rank < ${k}; lower components`);
    }
    for (let j = 0; j < 2 * p; j++) {
      let s = 0;
      for (let i = 0; i < t; i++) s += row(i, j) * evd.eigenvectorMatrix.get(i, e);
      if (j < p) pm.set(j, c, s / sigma);
      else ps.set(j - p, c, s / sigma);
    }
  }
  const a = pseudoInverse(ps.transpose()); // p x k
  const d = pm.transpose().sub(ps.transpose()); // k x p
  return { p, k, a: Float64Array.from(a.to1DArray()), d: Float64Array.from(d.to1DArray()) };
}

/** x + x·F for every row. */
export function matrixSstApply(values: NumArray, shape: { rows: number; cols: number }, model: SstModel): Float32Array {
  checkShape(values, shape, "matrixSstApply");
  const { rows: n, cols: p } = shape;
  if (p !== model.p) throw new RangeError(`matrixSstApply: ${p} cols, model has ${model.p}`);
  const { k, a, d } = model;
  const out = new Float32Array(n * p);
  const s = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    s.fill(0);
    for (let j = 0; j < p; j++) {
      const v = values[i * p + j]!;
      for (let c = 0; c < k; c++) s[c]! += v * a[j * k + c]!;
    }
    for (let j = 0; j < p; j++) {
      let v = values[i * p + j]!;
      for (let c = 0; c < k; c++) v += s[c]! * d[c * p + j]!;
      out[i * p + j] = v;
    }
  }
  return out;
}
