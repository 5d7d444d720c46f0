/**
 * Applicability domain (SCIENCE.md, Uncertainty/Outliers): PCA of the training spectra
 * (mean-centred, k components), Hotelling T² = Σ t_i²/λ_i (Mahalanobis distance in score
 * space) and Q = ‖x − x̂‖². A sample whose T² or Q exceeds the training set's 99th percentile
 * is out of domain. Components come from randomized subspace iteration on X itself (cost
 * O(n·p·k) per sweep), not the p×p covariance (1,701² entries × n rows would take minutes in
 * JS); at most `maxRows` evenly spaced training rows fit the PCA, all rows set the limits.
 */
import { createRng, type Rng } from "../random.js";

export interface DomainModel {
  mean: number[];
  /** k loading vectors of length p, orthonormal, row-major. */
  loadings: number[][];
  /** Score variances (eigenvalues of the covariance). */
  eigenvalues: number[];
  t2Limit: number;
  qLimit: number;
  quantile: number;
}

export interface DomainOptions {
  components: number;
  /** Percentile of the training scores that bounds the domain (0.99). */
  quantile: number;
  maxRows: number;
  seed: number;
}

export const DEFAULT_DOMAIN: DomainOptions = { components: 5, quantile: 0.99, maxRows: 4000, seed: 1 };

/**
 * Modified Gram–Schmidt, twice for stability. A vector left with almost nothing after the
 * projections (relative norm < 1e-8: the data's rank is below the subspace size, so the
 * covariance maps it into the span of the others) is replaced by a fresh random vector and
 * projected again; normalising its rounding residue instead would put a second copy of a
 * direction into the basis, and the Rayleigh–Ritz step would return loadings longer than 1
 * and eigenvalues multiplied.
 */
function orthonormalize(cols: Float64Array[], rng: Rng): void {
  const sq = (v: Float64Array) => v.reduce((a, x) => a + x * x, 0);
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < cols.length; j++) {
      const v = cols[j]!;
      for (let attempt = 0; ; attempt++) {
        const before = Math.sqrt(sq(v));
        for (let i = 0; i < j; i++) {
          const u = cols[i]!;
          let d = 0;
          for (let r = 0; r < v.length; r++) d += u[r]! * v[r]!;
          for (let r = 0; r < v.length; r++) v[r]! -= d * u[r]!;
        }
        const norm = Math.sqrt(sq(v));
        if (norm > 1e-8 * before || attempt === 3) {
          const n = norm || 1;
          for (let r = 0; r < v.length; r++) v[r]! /= n;
          break;
        }
        for (let r = 0; r < v.length; r++) v[r] = rng.normal();
      }
    }
  }
}

/** Symmetric eigen-decomposition of a small matrix by cyclic Jacobi; eigenpairs sorted descending. */
function jacobiEig(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i]![j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k]![p]!;
          const mkq = m[k]![q]!;
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p]![k]!;
          const mqk = m[q]![k]!;
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j]![j]! - m[i]![i]!);
  return { values: order.map((i) => m[i]![i]!), vectors: order.map((i) => v.map((row) => row[i]!)) };
}

function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return Infinity;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Fits the domain model on row-major x (n × p), rows `rows` (default all). */
export function fitDomain(
  x: Float32Array | Float64Array,
  p: number,
  rows?: ArrayLike<number>,
  options: Partial<DomainOptions> = {},
): DomainModel {
  const o = { ...DEFAULT_DOMAIN, ...options };
  const all = rows ? Array.from(rows) : Array.from({ length: x.length / p }, (_, i) => i);
  if (all.length < 3) throw new RangeError(`applicability domain needs at least 3 training spectra (got ${all.length})`);
  const step = Math.max(1, all.length / o.maxRows);
  const fitRows: number[] = [];
  for (let f = 0; Math.floor(f) < all.length && fitRows.length < o.maxRows; f += step) fitRows.push(all[Math.floor(f)]!);
  const n = fitRows.length;
  const k = Math.max(1, Math.min(o.components, n - 1, p));
  const mean = new Float64Array(p);
  for (const r of fitRows) for (let j = 0; j < p; j++) mean[j]! += x[r * p + j]!;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  // Centred copy of the fit rows (n × p, ≤ 4000 × 1701 doubles ≈ 54 MB worst case).
  const xc = new Float64Array(n * p);
  fitRows.forEach((r, i) => {
    for (let j = 0; j < p; j++) xc[i * p + j] = x[r * p + j]! - mean[j]!;
  });
  // Randomized subspace iteration with oversampling: V ← orth(Xᵀ X V).
  const m = Math.min(p, k + 5);
  const rng = createRng(o.seed);
  const basis = Array.from({ length: m }, () => Float64Array.from({ length: p }, () => rng.normal()));
  orthonormalize(basis, rng);
  const xv = new Float64Array(n);
  const cov = (v: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < n; i++) {
      let d = 0;
      const off = i * p;
      for (let j = 0; j < p; j++) d += xc[off + j]! * v[j]!;
      xv[i] = d;
    }
    for (let i = 0; i < n; i++) {
      const d = xv[i]!;
      const off = i * p;
      for (let j = 0; j < p; j++) out[j]! += xc[off + j]! * d;
    }
    for (let j = 0; j < p; j++) out[j]! /= n - 1;
  };
  for (let it = 0; it < 8; it++) {
    const next = basis.map(() => new Float64Array(p));
    basis.forEach((v, c) => cov(v, next[c]!));
    next.forEach((v, c) => basis[c]!.set(v));
    orthonormalize(basis, rng);
  }
  // Rayleigh–Ritz: eigen-decompose Vᵀ C V (m × m) to rotate the basis onto the components.
  const cv = basis.map(() => new Float64Array(p));
  basis.forEach((v, c) => cov(v, cv[c]!));
  const small = basis.map((vi) => cv.map((cj) => vi.reduce((a, val, j) => a + val * cj[j]!, 0)));
  const eig = jacobiEig(small);
  const loadings: number[][] = [];
  const eigenvalues: number[] = [];
  for (let c = 0; c < k; c++) {
    const w = eig.vectors[c]!;
    const l = new Array<number>(p).fill(0);
    for (let b = 0; b < m; b++) for (let j = 0; j < p; j++) l[j]! += w[b]! * basis[b]![j]!;
    loadings.push(l);
    eigenvalues.push(Math.max(eig.values[c]!, 1e-12));
  }
  const model: DomainModel = { mean: Array.from(mean), loadings, eigenvalues, t2Limit: Infinity, qLimit: Infinity, quantile: o.quantile };
  const s = domainScores(model, x, p, all);
  model.t2Limit = percentile(s.t2, o.quantile);
  model.qLimit = percentile(s.q, o.quantile);
  return model;
}

export interface DomainScores {
  t2: Float64Array;
  q: Float64Array;
  inDomain: boolean[];
}

/** T², Q and the in-domain flag of rows `rows` (default all) of x (n × p). */
export function domainScores(model: DomainModel, x: Float32Array | Float64Array, p: number, rows?: ArrayLike<number>): DomainScores {
  if (model.mean.length !== p) throw new RangeError(`domain model has ${model.mean.length} points, spectra have ${p}`);
  const idx = rows ? Array.from(rows) : Array.from({ length: x.length / p }, (_, i) => i);
  const t2 = new Float64Array(idx.length);
  const q = new Float64Array(idx.length);
  const inDomain: boolean[] = [];
  const xc = new Float64Array(p);
  idx.forEach((r, i) => {
    let ss = 0;
    for (let j = 0; j < p; j++) {
      xc[j] = x[r * p + j]! - model.mean[j]!;
      ss += xc[j]! * xc[j]!;
    }
    let t2v = 0;
    let explained = 0;
    model.loadings.forEach((l, c) => {
      let t = 0;
      for (let j = 0; j < p; j++) t += xc[j]! * l[j]!;
      t2v += (t * t) / model.eigenvalues[c]!;
      explained += t * t;
    });
    t2[i] = t2v;
    q[i] = Math.max(0, ss - explained); // orthonormal loadings: ‖x − x̂‖² = ‖x‖² − ‖t‖²
    inDomain.push(t2v <= model.t2Limit && q[i]! <= model.qLimit);
  });
  return { t2, q, inDomain };
}
