/**
 * PCA of a tall matrix through the eigen-decomposition of its p x p covariance
 * (matrixCovariance, blocked Float64 accumulation) — never an n x p SVD, so 57,000 x 850
 * costs one pass over the data plus one 850 x 850 symmetric eigenproblem. For p > 300 only the
 * leading eigenpairs are computed (subspace iteration with Rayleigh–Ritz on the covariance,
 * k + 10 vectors, until every wanted Ritz residual is ≤ 1e-8·λ1 or 300 iterations: leading
 * eigenvalues come out to ~1e-12 relative, noise-level ones whose neighbours are nearly equal to
 * ~1e-4) — a full dense EVD of 850 x 850 takes
 * 5–15 s in JS, the subspace iteration well under one; the residual eigenvalue sums the
 * Jackson–Mudholkar limit needs come from traces of C, C², C³ (`residualTheta`).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { matrixCovariance } from "./matrix-covariance.js";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface MatrixPcaOptions extends MatrixShape {
  /** Components kept (≤ min(n − 1, p)). Default: chosen by `varianceExplained`. */
  components?: number;
  /** When `components` is not given: smallest k whose cumulative explained variance reaches this. Default 0.99. */
  varianceExplained?: number;
  /** Cap on k when chosen by variance. Default 20. */
  maxComponents?: number;
  /** Rows used for the fit; default all. */
  subset?: ArrayLike<number>;
}

export interface PcaModel {
  /** Rows used for the fit. */
  n: number;
  /** The p x p covariance of the fit (for residualTheta). */
  covariance: Float64Array;
  /** trace(C): the total variance. */
  totalVariance: number;
  p: number;
  k: number;
  mean: Float64Array;
  /** p x k, row-major: loadings[j * k + c]; columns orthonormal. */
  loadings: Float64Array;
  /** Leading eigenvalues of the covariance (all p when p ≤ 300, else at least k + 10), descending, clipped at 0. */
  eigenvalues: Float64Array;
  /** Cumulative explained variance of the first k. */
  explained: number;
}

export function matrixPca(values: NumArray, options: MatrixPcaOptions): PcaModel {
  checkShape(values, options, "matrixPca");
  const p = options.cols;
  const { n, mean, covariance } = matrixCovariance(values, options);
  const maxK = Math.min(n - 1, p);
  if (options.components !== undefined) {
    const k0 = options.components;
    if (!Number.isInteger(k0) || k0 < 1 || k0 > maxK) {
      throw new RangeError(`matrixPca: components must be an integer in [1, ${maxK}] (n=${n}, p=${p}), got ${k0}`);
    }
  }
  const cap = Math.min(options.maxComponents ?? 20, maxK);
  const want = Math.min(p, options.components ?? cap);
  let total = 0;
  for (let j = 0; j < p; j++) total += covariance[j * p + j]!;
  const { eigenvalues, vectors } = p <= 300 ? fullEigen(covariance, p) : topEigen(covariance, p, want, Math.min(p, want + 8));
  let k: number;
  if (options.components !== undefined) k = options.components;
  else {
    const target = options.varianceExplained ?? 0.99;
    if (!(target > 0 && target <= 1)) throw new RangeError(`matrixPca: varianceExplained must be in (0, 1], got ${target}`);
    k = 1;
    let cum = eigenvalues[0]!;
    while (k < cap && cum < target * total) cum += eigenvalues[k++]!;
  }
  const m = vectors.length / p;
  const loadings = new Float64Array(p * k);
  for (let c = 0; c < k; c++) {
    // sign convention: largest-magnitude loading positive (deterministic across runs)
    let big = 0;
    for (let j = 0; j < p; j++) {
      const v = vectors[j * m + c]!;
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    const s = big < 0 ? -1 : 1;
    for (let j = 0; j < p; j++) loadings[j * k + c] = s * vectors[j * m + c]!;
  }
  let cumK = 0;
  for (let c = 0; c < k; c++) cumK += eigenvalues[c]!;
  return { n, p, k, mean, loadings, eigenvalues, covariance, totalVariance: total, explained: total > 0 ? cumK / total : 1 };
}

/**
 * θ1, θ2, θ3 = Σ_{j>k} λ_j^i computed directly from the residual covariance
 * R = (I − PPᵀ) C (I − PPᵀ): θ1 = tr R, θ2 = ‖R‖²_F, θ3 = tr R³ (no cancellation against the
 * large leading eigenvalues). Costs ~3 p³ flops (2–3 s at p = 851): only the
 * Jackson–Mudholkar limit needs it.
 */
export function residualTheta(model: PcaModel): [number, number, number] {
  const { p, k, loadings: P, covariance: C } = model;
  // M = C − P(PᵀC) − (CP)Pᵀ + P(PᵀCP)Pᵀ
  const cp = new Float64Array(p * k);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      const a = C[i * p + j]!;
      for (let c = 0; c < k; c++) cp[i * k + c]! += a * P[j * k + c]!;
    }
  const ptcp = new Float64Array(k * k);
  for (let j = 0; j < p; j++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) ptcp[a * k + b]! += P[j * k + a]! * cp[j * k + b]!;
  const r = new Float64Array(p * p);
  const pm = new Float64Array(k);
  for (let i = 0; i < p; i++) {
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += P[i * k + b]! * ptcp[b * k + a]!;
      pm[a] = s;
    }
    for (let j = 0; j < p; j++) {
      let v = C[i * p + j]!;
      for (let c = 0; c < k; c++) v += -P[i * k + c]! * cp[j * k + c]! - cp[i * k + c]! * P[j * k + c]! + pm[c]! * P[j * k + c]!;
      r[i * p + j] = v;
    }
  }
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  const row = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    t1 += r[i * p + i]!;
    row.fill(0);
    for (let l = 0; l < p; l++) {
      const a = r[i * p + l]!;
      t2 += a * a;
      const o = l * p;
      for (let j = 0; j < p; j++) row[j]! += a * r[o + j]!;
    }
    for (let j = 0; j < p; j++) t3 += row[j]! * r[i * p + j]!;
  }
  return [Math.max(t1, 0), Math.max(t2, 0), Math.max(t3, 0)];
}

interface Eigen {
  eigenvalues: Float64Array;
  /** p x m row-major, columns = eigenvectors, descending eigenvalues. */
  vectors: Float64Array;
}

function fullEigen(c: Float64Array, p: number): Eigen {
  const rows: number[][] = new Array(p);
  for (let i = 0; i < p; i++) rows[i] = Array.from(c.subarray(i * p, (i + 1) * p));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((a, b) => raw[b]! - raw[a]!);
  const vectors = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let c2 = 0; c2 < p; c2++) vectors[j * p + c2] = evd.eigenvectorMatrix.get(j, order[c2]!);
  return { eigenvalues: Float64Array.from(order, (i) => Math.max(0, raw[i]!)), vectors };
}

/** Modified Gram–Schmidt on the m columns of a p x m row-major matrix, in place. */
function orthonormalize(q: Float64Array, p: number, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let d = 0; d < c; d++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += q[j * m + c]! * q[j * m + d]!;
      for (let j = 0; j < p; j++) q[j * m + c]! -= s * q[j * m + d]!;
    }
    let nn = 0;
    for (let j = 0; j < p; j++) nn += q[j * m + c]! ** 2;
    nn = Math.sqrt(nn);
    if (nn < 1e-300) {
      // a deflated direction: restart it from a unit vector
      for (let j = 0; j < p; j++) q[j * m + c] = j === c ? 1 : 0;
      c--;
      continue;
    }
    for (let j = 0; j < p; j++) q[j * m + c]! /= nn;
  }
}

function multiply(c: Float64Array, q: Float64Array, p: number, m: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < p; i++) {
    const oi = i * m;
    for (let j = 0; j < p; j++) {
      const a = c[i * p + j]!;
      if (a === 0) continue;
      const oj = j * m;
      for (let k = 0; k < m; k++) out[oi + k]! += a * q[oj + k]!;
    }
  }
}

/** Leading m eigenpairs of the symmetric p x p matrix c: subspace iteration + Rayleigh–Ritz. */
function topEigen(c: Float64Array, p: number, kConv: number, m: number): Eigen {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5;
  let q = Float64Array.from({ length: p * m }, rand);
  orthonormalize(q, p, m);
  const y = new Float64Array(p * m);
  let theta = new Float64Array(m);
  for (let it = 0; it < 300; it++) {
    multiply(c, q, p, m, y);
    // Rayleigh–Ritz: T = Qᵀ C Q
    const t = new Matrix(m, m);
    for (let a = 0; a < m; a++) {
      for (let b = a; b < m; b++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += q[j * m + a]! * y[j * m + b]!;
        t.set(a, b, s);
        t.set(b, a, s);
      }
    }
    const e = new EigenvalueDecomposition(t, { assumeSymmetric: true });
    const raw = e.realEigenvalues;
    const order = raw.map((_, i) => i).sort((a, b) => raw[b]! - raw[a]!);
    theta = Float64Array.from(order, (i) => raw[i]!);
    const vm = new Float64Array(m * m); // vm[a * m + b] = eigenvector b (sorted), component a
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) vm[a * m + b] = e.eigenvectorMatrix.get(a, order[b]!);
    // Ritz vectors X = Q V and C X = Y V
    const x = new Float64Array(p * m);
    const cx = new Float64Array(p * m);
    for (let j = 0; j < p; j++) {
      for (let b = 0; b < m; b++) {
        let s1 = 0;
        let s2 = 0;
        for (let a = 0; a < m; a++) {
          const v = vm[a * m + b]!;
          s1 += q[j * m + a]! * v;
          s2 += y[j * m + a]! * v;
        }
        x[j * m + b] = s1;
        cx[j * m + b] = s2;
      }
    }
    // converged when ‖C x − θ x‖ ≤ 1e-8 · θ1 for the wanted pairs
    let worst = 0;
    for (let b = 0; b < kConv; b++) {
      let r = 0;
      for (let j = 0; j < p; j++) r += (cx[j * m + b]! - theta[b]! * x[j * m + b]!) ** 2;
      worst = Math.max(worst, Math.sqrt(r));
    }
    if (worst <= 1e-8 * Math.max(theta[0]!, 1e-300)) {
      q = x;
      break;
    }
    q = cx;
    orthonormalize(q, p, m);
    if (it === 299) q = x;
  }
  return { eigenvalues: theta.map((l) => Math.max(0, l)), vectors: q };
}

export interface PcaProjection {
  /** n x k scores, row-major. */
  scores: Float64Array;
  /** Hotelling T² = Σ t_c² / λ_c. */
  t2: Float64Array;
  /** Q residual = ‖x − x̂‖². */
  q: Float64Array;
}

/** Scores, T² and Q of every row of `values` (n x p) under `model`. */
export function pcaProject(values: NumArray, shape: MatrixShape, model: PcaModel): PcaProjection {
  checkShape(values, shape, "pcaProject");
  const { rows: n, cols: p } = shape;
  if (p !== model.p) throw new RangeError(`pcaProject: matrix has ${p} cols, PCA model ${model.p}`);
  const k = model.k;
  const P = model.loadings;
  const scores = new Float64Array(n * k);
  const t2 = new Float64Array(n);
  const q = new Float64Array(n);
  const xc = new Float64Array(p);
  const t = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * p;
    t.fill(0);
    for (let j = 0; j < p; j++) {
      const v = values[off + j]! - model.mean[j]!;
      xc[j] = v;
      const pj = j * k;
      for (let c = 0; c < k; c++) t[c]! += v * P[pj + c]!;
    }
    let s2 = 0;
    for (let c = 0; c < k; c++) {
      scores[i * k + c] = t[c]!;
      const lam = model.eigenvalues[c]!;
      s2 += lam > 0 ? (t[c]! * t[c]!) / lam : 0;
    }
    t2[i] = s2;
    let qq = 0;
    for (let j = 0; j < p; j++) {
      let r = xc[j]!;
      const pj = j * k;
      for (let c = 0; c < k; c++) r -= t[c]! * P[pj + c]!;
      qq += r * r;
    }
    q[i] = qq;
  }
  return { scores, t2, q };
}
