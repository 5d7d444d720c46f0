/**
 * PLS1 in data space (NIPALS with only Xᵀy deflated, Dayal & MacGregor 1997): a component
 * costs two n×p passes, so small-n fits (local models of memory-based learning, the folds of
 * a nested CV at n ≈ 30–1,000) cost O(n·p·A) instead of the O(n·p²) cross-products of
 * `pls-regression.ts`. Same model as that kernel PLS and sklearn `PLSRegression(scale=False)`:
 * X and y mean-centered, no scaling. Returns every prefix model 1..A at once, because the
 * callers choose or weight the number of components afterwards.
 */

export interface PlsPath {
  p: number;
  /** Components actually extracted (stops when X has no variance left). */
  components: number;
  xMean: Float64Array;
  yMean: number;
  /** Weights in the original X space, components×p row-major: t_a = (x − xMean)·r_a. */
  r: Float64Array;
  /** X loadings, components×p row-major (x̂ = xMean + Σ t_a p_a). */
  loadings: Float64Array;
  /** y loadings q_a. */
  q: Float64Array;
}

/**
 * Fits PLS1 with up to `maxComponents` components on row-major `x` (n×p) and `y`.
 * `rows` (default all) selects the rows used, so folds need no copies. Throws RangeError on
 * bad shapes; non-finite values are the caller's to exclude.
 */
export function plsPath(
  x: Float32Array | Float64Array,
  p: number,
  y: ArrayLike<number>,
  maxComponents: number,
  rows?: ArrayLike<number>,
): PlsPath {
  const idx = rows ?? Int32Array.from({ length: y.length }, (_, i) => i);
  const n = idx.length;
  if (x.length % p !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of p=${p}`);
  if (n < 2) throw new RangeError(`PLS needs at least 2 rows (got ${n})`);
  if (!Number.isInteger(maxComponents) || maxComponents < 1)
    throw new RangeError(`maxComponents must be a positive integer (got ${maxComponents})`);
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    yMean += y[i]!;
    const b = i * p;
    for (let j = 0; j < p; j++) xMean[j]! += x[b + j]!;
  }
  yMean /= n;
  for (let j = 0; j < p; j++) xMean[j]! /= n;
  // centered copy of the used rows: the two passes per component read it
  const xc = new Float64Array(n * p);
  const yc = new Float64Array(n);
  let trace = 0;
  for (let k = 0; k < n; k++) {
    const b = idx[k]! * p;
    for (let j = 0; j < p; j++) {
      const v = x[b + j]! - xMean[j]!;
      xc[k * p + j] = v;
      trace += v * v;
    }
    yc[k] = y[idx[k]!]! - yMean;
  }
  const A = Math.min(maxComponents, n - 1, p);
  const r = new Float64Array(A * p);
  const pl = new Float64Array(A * p);
  const q = new Float64Array(A);
  const v = new Float64Array(p);
  for (let k = 0; k < n; k++) for (let j = 0; j < p; j++) v[j]! += xc[k * p + j]! * yc[k]!;
  const t = new Float64Array(n);
  let a = 0;
  for (; a < A; a++) {
    let norm = 0;
    for (let j = 0; j < p; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    const ra = r.subarray(a * p, (a + 1) * p);
    for (let j = 0; j < p; j++) ra[j] = v[j]! / norm;
    for (let b = 0; b < a; b++) {
      const pb = pl.subarray(b * p, (b + 1) * p);
      let d = 0;
      for (let j = 0; j < p; j++) d += pb[j]! * ra[j]!;
      const rb = r.subarray(b * p, (b + 1) * p);
      for (let j = 0; j < p; j++) ra[j]! -= d * rb[j]!;
    }
    let tt = 0;
    for (let k = 0; k < n; k++) {
      let s = 0;
      const b = k * p;
      for (let j = 0; j < p; j++) s += xc[b + j]! * ra[j]!;
      t[k] = s;
      tt += s * s;
    }
    if (!(tt > 1e-12 * trace)) break;
    const pa = pl.subarray(a * p, (a + 1) * p);
    for (let k = 0; k < n; k++) {
      const tk = t[k]!;
      const b = k * p;
      for (let j = 0; j < p; j++) pa[j]! += xc[b + j]! * tk;
    }
    let rv = 0;
    for (let j = 0; j < p; j++) rv += ra[j]! * v[j]!;
    const qa = rv / tt;
    q[a] = qa;
    for (let j = 0; j < p; j++) {
      pa[j]! /= tt;
      v[j]! -= pa[j]! * qa * tt;
    }
  }
  return { p, components: a, xMean, yMean, r: r.slice(0, a * p), loadings: pl.slice(0, a * p), q: q.slice(0, a) };
}

/**
 * Predictions of rows `rows` (default all) of `x` for 1..model.components components,
 * row-major rows×components: out[i*A + a] uses a+1 components.
 */
export function plsPathPredict(model: PlsPath, x: Float32Array | Float64Array, rows?: ArrayLike<number>): Float64Array {
  const { p, components: A } = model;
  const idx = rows ?? Int32Array.from({ length: x.length / p }, (_, i) => i);
  const out = new Float64Array(idx.length * A);
  const xc = new Float64Array(p);
  for (let k = 0; k < idx.length; k++) {
    const b = idx[k]! * p;
    for (let j = 0; j < p; j++) xc[j] = x[b + j]! - model.xMean[j]!;
    let acc = model.yMean;
    for (let a = 0; a < A; a++) {
      let s = 0;
      const ra = a * p;
      for (let j = 0; j < p; j++) s += xc[j]! * model.r[ra + j]!;
      acc += s * model.q[a]!;
      out[k * A + a] = acc;
    }
  }
  return out;
}

/** Regression vector on centered X with the first `components` components: b = Σ r_a q_a. */
export function plsPathCoefficients(model: PlsPath, components: number): Float64Array {
  if (!Number.isInteger(components) || components < 0 || components > model.components) {
    throw new RangeError(`components ${components} must be in 0..${model.components}`);
  }
  const b = new Float64Array(model.p);
  for (let a = 0; a < components; a++) for (let j = 0; j < model.p; j++) b[j]! += model.r[a * model.p + j]! * model.q[a]!;
  return b;
}
