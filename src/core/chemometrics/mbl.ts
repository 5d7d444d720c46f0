/**
 * Memory-based learning (MBL): no global model; each target spectrum is predicted by a PLS
 * model fitted on its k most similar library spectra only (Ramirez-Lopez et al. 2013,
 * Geoderma 195:268; the R package `resemble`, whose v3 defaults this follows where stated).
 *
 * - Dissimilarity: Euclidean distance between PCA scores, each score standardised by its SD,
 *   divided by √m (resemble `diss_pca`, "ac" vignette). PCA is fitted on the library only
 *   (mean-centred, not scaled); m by resemble's "opc" rule: the m ≤ `maxPcs` that minimises
 *   the RMSD between each library sample's y and its nearest neighbour's y.
 * - Local model: weighted-average PLS (resemble `fit_wapls(3, 15)`): PLS models with
 *   j = minComponents..maxComponents components, each weighted by 1 / (RMS of the target
 *   spectrum's reconstruction residual with j components × RMS of the j-component regression
 *   vector), weights normalised to sum 1. Neighbourhoods smaller than maxComponents + 1 use
 *   what they can extract.
 * - k: chosen from a grid by nearest-neighbour validation (NNv, resemble's default
 *   validation): for each pseudo-target (up to `nnvTargets` library samples, evenly spaced,
 *   each removed from the library first), the local model on its k nearest neighbours minus
 *   the nearest one predicts that nearest neighbour; the k with the smallest RMSE wins. Uses
 *   library labels only, so k is fixed at fit time and needs no labels of the targets.
 * - Predictions are clipped to the neighbours' y range (resemble `range_prediction_limits`).
 * - Out of domain: the target's dissimilarity to its nearest library spectrum above the
 *   `domainQuantile` quantile of the library's own leave-one-out nearest-neighbour
 *   dissimilarities, or its residual off the m-component PCA space (Q = ‖x − x̂‖²) above the
 *   same quantile of the library's Q — score distances alone miss spectra orthogonal to the
 *   library's components.
 * Costs: O(n²·m) for opc and the domain limit (n ≤ 2,000 library rows sampled for opc),
 * O(k·p·A) per local fit. Pure: typed arrays in and out.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { plsPath } from "./pls-nipals.js";

export interface MblOptions {
  /** Neighbourhood sizes tried; default [50, 100, 150, 200, 300] within [8, 0.8·n], completed by round(0.4n, 0.6n, 0.8n) when fewer than 3 remain. */
  k?: readonly number[];
  /** Largest number of PCA components for the dissimilarity (opc search). Default 40. */
  maxPcs?: number;
  /** WAPLS component range. Default 3..15. */
  minComponents?: number;
  maxComponents?: number;
  /** Library samples used as NNv pseudo-targets to choose k. Default 80. */
  nnvTargets?: number;
  /** Quantile of the library's nearest-neighbour dissimilarities that bounds the domain. Default 0.99. */
  domainQuantile?: number;
}

export interface MblModel {
  p: number;
  /** Library spectra (row-major n×p) and labels, kept: MBL predicts from them. */
  x: Float32Array | Float64Array;
  y: Float64Array;
  xMean: Float64Array;
  /** p×m row-major loadings divided by each score's SD: standardised score = (x − xMean)·L. */
  scaledLoadings: Float64Array;
  /** SD of each score (to undo the standardisation for Q). */
  scoreSd: Float64Array;
  /** Components of the dissimilarity (opc). */
  m: number;
  /** Standardised library scores, n×m. */
  scores: Float64Array;
  k: number;
  nnv: { k: number[]; rmse: number[] };
  opc: { m: number[]; rmsd: number[] };
  domainLimit: number;
  /** Limit on the squared residual off the PCA space (same quantile). */
  qLimit: number;
  minComponents: number;
  maxComponents: number;
}

export interface MblPrediction {
  predicted: Float64Array;
  /** Dissimilarity to the nearest library spectrum. */
  nearest: Float64Array;
  /** Squared residual off the library's PCA space. */
  q: Float64Array;
  /** Mean dissimilarity to the k neighbours. */
  meanDissimilarity: Float64Array;
  outOfDomain: Uint8Array;
}

/** The default k grid for a library of n spectra. */
export function mblKGrid(n: number): number[] {
  const hi = Math.floor(0.8 * n);
  const grid = [50, 100, 150, 200, 300].filter((k) => k >= 8 && k <= hi);
  if (grid.length < 3) for (const f of [0.4, 0.6, 0.8]) grid.push(Math.max(8, Math.round(f * n)));
  return [...new Set(grid.filter((k) => k <= n - 2))].sort((a, b) => a - b);
}

/** Centred PCA of a short-wide matrix through its n×n Gram matrix; returns up to `want` components. */
function gramPca(x: Float32Array | Float64Array, p: number, n: number, want: number) {
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j]! += x[i * p + j]!;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  const xc = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xc[i * p + j] = x[i * p + j]! - mean[j]!;
  const g = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += xc[i * p + j]! * xc[k * p + j]!;
      g.set(i, k, s);
      g.set(k, i, s);
    }
  }
  const evd = new EigenvalueDecomposition(g, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[b]! - vals[a]!);
  const top = order.filter((i) => vals[i]! > 1e-10 * Math.max(vals[order[0]!]!, 1e-300)).slice(0, want);
  const m = top.length;
  // loadings P = Xcᵀ u / √λ; standardised score = t / sd with sd = √(λ/(n−1)), t = xc·P
  const scaled = new Float64Array(p * m);
  const scores = new Float64Array(n * m);
  const sds = new Float64Array(m);
  top.forEach((e, c) => {
    const lam = vals[e]!;
    const sd = Math.sqrt(lam / (n - 1));
    sds[c] = sd;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xc[i * p + j]! * vecs.get(i, e);
      scaled[j * m + c] = s / Math.sqrt(lam) / sd;
    }
    for (let i = 0; i < n; i++) scores[i * m + c] = (vecs.get(i, e) * Math.sqrt(lam)) / sd;
  });
  return { mean, scaled, scores, m, sds };
}

/** Nearest-neighbour index of each row (not itself) using the first `m` of `cols` score columns. */
function nearestNeighbours(scores: Float64Array, cols: number, rows: readonly number[], m: number) {
  const nn = new Int32Array(rows.length);
  const dist = new Float64Array(rows.length);
  rows.forEach((i, a) => {
    let best = Infinity;
    let arg = -1;
    for (const j of rows) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < m; c++) {
        const d = scores[i * cols + c]! - scores[j * cols + c]!;
        s += d * d;
      }
      if (s < best) {
        best = s;
        arg = j;
      }
    }
    nn[a] = arg;
    dist[a] = Math.sqrt(best / m);
  });
  return { nn, dist };
}

function evenRows(n: number, cap: number): number[] {
  if (n <= cap) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: cap }, (_, i) => Math.floor(((i + 0.5) * n) / cap));
}

function quantileType7(v: Float64Array, q: number): number {
  const s = Float64Array.from(v).sort();
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

/** Standardised scores of a spectrum (into `out`, length m); returns its Q residual off the PCA space. */
function project(
  model: Pick<MblModel, "p" | "xMean" | "scaledLoadings" | "m" | "scoreSd">,
  x: ArrayLike<number>,
  off: number,
  out: Float64Array,
): number {
  const { p, m } = model;
  out.fill(0);
  let ss = 0;
  for (let j = 0; j < p; j++) {
    const v = x[off + j]! - model.xMean[j]!;
    ss += v * v;
    const row = j * m;
    for (let c = 0; c < m; c++) out[c]! += v * model.scaledLoadings[row + c]!;
  }
  for (let c = 0; c < m; c++) ss -= (out[c]! * model.scoreSd[c]!) ** 2;
  return Math.max(0, ss);
}

/** Library rows ordered by dissimilarity to score vector `s` (excluding `skip`), with distances. */
function ranked(model: Pick<MblModel, "scores" | "m">, n: number, s: Float64Array, skip = -1) {
  const { m } = model;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let c = 0; c < m; c++) {
      const e = model.scores[i * m + c]! - s[c]!;
      acc += e * e;
    }
    d[i] = i === skip ? Infinity : Math.sqrt(acc / m);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]! || a - b);
  if (skip >= 0) order.pop();
  return { order, d };
}

/**
 * WAPLS prediction of spectrum x[off..off+p) from library rows `nb`, clipped to their y range.
 */
export function waplsLocal(
  xLib: Float32Array | Float64Array,
  p: number,
  yLib: ArrayLike<number>,
  nb: ArrayLike<number>,
  x: ArrayLike<number>,
  off: number,
  minComponents: number,
  maxComponents: number,
): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < nb.length; i++) {
    lo = Math.min(lo, yLib[nb[i]!]!);
    hi = Math.max(hi, yLib[nb[i]!]!);
  }
  if (!(hi > lo)) return lo;
  const path = plsPath(xLib, p, yLib, maxComponents, nb);
  const A = path.components;
  if (A === 0) return path.yMean;
  const first = Math.min(minComponents, A);
  const xc = new Float64Array(p);
  for (let j = 0; j < p; j++) xc[j] = x[off + j]! - path.xMean[j]!;
  const resid = Float64Array.from(xc);
  const b = new Float64Array(p);
  let pred = path.yMean;
  let wSum = 0;
  let acc = 0;
  for (let a = 0; a < A; a++) {
    let t = 0;
    for (let j = 0; j < p; j++) t += xc[j]! * path.r[a * p + j]!;
    pred += t * path.q[a]!;
    let rr = 0;
    let bb = 0;
    for (let j = 0; j < p; j++) {
      resid[j]! -= t * path.loadings[a * p + j]!;
      b[j]! += path.r[a * p + j]! * path.q[a]!;
      rr += resid[j]! * resid[j]!;
      bb += b[j]! * b[j]!;
    }
    if (a + 1 < first) continue;
    const w = 1 / (Math.sqrt(rr / p) * Math.sqrt(bb / p) + 1e-300);
    wSum += w;
    acc += w * pred;
  }
  const y = acc / wSum;
  return Math.min(hi, Math.max(lo, y));
}

/** Fits an MBL model (dissimilarity space, k by NNv) on library `x` (n×p row-major) and `y`. */
export function mblFit(x: Float32Array | Float64Array, p: number, y: ArrayLike<number>, options: MblOptions = {}): MblModel {
  const n = y.length;
  if (x.length !== n * p) throw new RangeError(`x has ${x.length} values, expected ${n}×${p}`);
  if (n < 12) throw new RangeError(`memory-based learning needs at least 12 library spectra (got ${n})`);
  const { maxPcs = 40, minComponents = 3, maxComponents = 15, nnvTargets = 80, domainQuantile = 0.99 } = options;
  const kGrid = (options.k ?? mblKGrid(n)).filter((k) => k >= 4 && k <= n - 2);
  if (kGrid.length === 0) throw new RangeError(`no k in [4, n − 2 = ${n - 2}] among ${JSON.stringify(options.k)}`);
  const yy = Float64Array.from(y);
  const pca = gramPca(x, p, n, Math.min(maxPcs, n - 2));
  const M = pca.m;
  // opc: y-RMSD to the nearest neighbour for m = 1..M (on ≤ 2,000 rows)
  const opcRows = evenRows(n, 2000);
  const opc = { m: [] as number[], rmsd: [] as number[] };
  for (let m = 1; m <= M; m++) {
    const { nn } = nearestNeighbours(pca.scores, M, opcRows, m);
    let s = 0;
    opcRows.forEach((i, a) => (s += (yy[i]! - yy[nn[a]!]!) ** 2));
    opc.m.push(m);
    opc.rmsd.push(Math.sqrt(s / opcRows.length));
  }
  let mBest = 0;
  opc.rmsd.forEach((v, i) => {
    if (v < opc.rmsd[mBest]!) mBest = i;
  });
  const m = mBest + 1;
  const scores = new Float64Array(n * m);
  const scaledLoadings = new Float64Array(p * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) scores[i * m + c] = pca.scores[i * M + c]!;
  for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) scaledLoadings[j * m + c] = pca.scaled[j * M + c]!;
  const scoreSd = pca.sds.slice(0, m);
  const base = { p, xMean: pca.mean, scaledLoadings, m, scores, scoreSd };

  const domainLimit = quantileType7(nearestNeighbours(scores, m, opcRows, m).dist, domainQuantile);
  const sTmp = new Float64Array(m);
  const qLimit = quantileType7(
    Float64Array.from(opcRows, (i) => project(base, x, i * p, sTmp)),
    domainQuantile,
  );

  // NNv over pseudo-targets taken from the library
  const targets = evenRows(n, nnvTargets);
  const sse = new Float64Array(kGrid.length);
  const s = new Float64Array(m);
  for (const i of targets) {
    for (let c = 0; c < m; c++) s[c] = scores[i * m + c]!;
    const { order } = ranked(base, n, s, i);
    const nearest = order[0]!;
    kGrid.forEach((k, g) => {
      const nb = order.slice(1, Math.min(k, order.length));
      const pred = waplsLocal(x, p, yy, nb, x, nearest * p, minComponents, maxComponents);
      sse[g]! += (pred - yy[nearest]!) ** 2;
    });
  }
  const nnvRmse = Array.from(sse, (v) => Math.sqrt(v / targets.length));
  let kBest = 0;
  nnvRmse.forEach((v, g) => {
    if (v < nnvRmse[kBest]!) kBest = g;
  });
  return {
    ...base,
    x,
    y: yy,
    k: kGrid[kBest]!,
    nnv: { k: [...kGrid], rmse: nnvRmse },
    opc,
    domainLimit,
    qLimit,
    minComponents,
    maxComponents,
  };
}

/** Predicts row-major spectra `xNew` (rows×p) with a fitted MBL model. */
export function mblPredict(model: MblModel, xNew: Float32Array | Float64Array): MblPrediction {
  const { p, m } = model;
  if (xNew.length % p !== 0) throw new RangeError(`xNew has ${xNew.length} values, not a multiple of p=${p}`);
  const rows = xNew.length / p;
  const n = model.y.length;
  const out: MblPrediction = {
    predicted: new Float64Array(rows),
    nearest: new Float64Array(rows),
    meanDissimilarity: new Float64Array(rows),
    q: new Float64Array(rows),
    outOfDomain: new Uint8Array(rows),
  };
  const s = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    let finite = true;
    for (let j = 0; j < p; j++) if (!Number.isFinite(xNew[r * p + j]!)) finite = false;
    if (!finite) {
      out.predicted[r] = NaN;
      out.nearest[r] = NaN;
      out.meanDissimilarity[r] = NaN;
      out.q[r] = NaN;
      continue;
    }
    out.q[r] = project(model, xNew, r * p, s);
    const { order, d } = ranked(model, n, s);
    const nb = order.slice(0, model.k);
    out.predicted[r] = waplsLocal(model.x, p, model.y, nb, xNew, r * p, model.minComponents, model.maxComponents);
    out.nearest[r] = d[order[0]!]!;
    out.meanDissimilarity[r] = nb.reduce((acc, i) => acc + d[i]!, 0) / nb.length;
    out.outOfDomain[r] = out.nearest[r]! > model.domainLimit || out.q[r]! > model.qLimit ? 1 : 0;
  }
  return out;
}
