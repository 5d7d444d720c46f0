/**
 * PLS1 from cross-products only: the improved kernel algorithm of Dayal & MacGregor (1997,
 * J. Chemometrics 11:73–85, algorithm 1 for a single response). Only XᵀX (p×p) and Xᵀy are
 * used and only Xᵀy is deflated, so a component costs one p×p matrix–vector product.
 * Equivalent to NIPALS PLS1 on mean-centered X and y (no scaling; sklearn
 * `PLSRegression(scale=False)`).
 */

export interface PlsKernelResult {
  /** Number of X variables. */
  p: number;
  /** Components actually extracted (stops early when X is exhausted). */
  components: number;
  /** Weights r_a in the original X space, row-major components×p: t_a = X·r_a. */
  r: Float64Array;
  /** y loadings q_a. */
  q: Float64Array;
}

/**
 * `xtx`: centered XᵀX (p×p row-major, symmetric), `xty`: centered Xᵀy, `maxComponents` ≥ 1.
 * Extraction stops before a component whose score variance tᵀt falls below
 * `tol`·trace(XᵀX) (default 1e-12), i.e. when X has no variance left.
 */
export function plsKernel1(xtx: Float64Array, xty: Float64Array, maxComponents: number, tol = 1e-12): PlsKernelResult {
  const p = xty.length;
  if (xtx.length !== p * p) throw new RangeError(`xtx has ${xtx.length} values, expected ${p}×${p}`);
  if (!Number.isInteger(maxComponents) || maxComponents < 1) {
    throw new RangeError(`maxComponents must be a positive integer (got ${maxComponents})`);
  }
  const A = Math.min(maxComponents, p);
  let trace = 0;
  for (let j = 0; j < p; j++) trace += xtx[j * p + j]!;
  const r = new Float64Array(A * p);
  const pl = new Float64Array(A * p);
  const q = new Float64Array(A);
  const v = Float64Array.from(xty);
  const w = new Float64Array(p);
  const u = new Float64Array(p);
  let a = 0;
  for (; a < A; a++) {
    let norm = 0;
    for (let j = 0; j < p; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    for (let j = 0; j < p; j++) w[j] = v[j]! / norm;
    const ra = r.subarray(a * p, (a + 1) * p);
    ra.set(w);
    for (let b = 0; b < a; b++) {
      const pb = pl.subarray(b * p, (b + 1) * p);
      let d = 0;
      for (let j = 0; j < p; j++) d += pb[j]! * w[j]!;
      const rb = r.subarray(b * p, (b + 1) * p);
      for (let j = 0; j < p; j++) ra[j]! -= d * rb[j]!;
    }
    let tt = 0;
    for (let j = 0; j < p; j++) {
      let s = 0;
      const row = j * p;
      for (let k = 0; k < p; k++) s += xtx[row + k]! * ra[k]!;
      u[j] = s;
      tt += ra[j]! * s;
    }
    if (!(tt > tol * trace)) break;
    let rv = 0;
    for (let j = 0; j < p; j++) rv += ra[j]! * v[j]!;
    const qa = rv / tt;
    q[a] = qa;
    const pa = pl.subarray(a * p, (a + 1) * p);
    for (let j = 0; j < p; j++) {
      pa[j] = u[j]! / tt;
      v[j]! -= pa[j]! * qa * tt;
    }
  }
  return { p, components: a, r: r.slice(0, a * p), q: q.slice(0, a) };
}

/** Regression vector with the first `components` components: b = Σ_{a<components} r_a q_a. */
export function plsCoefficients(k: PlsKernelResult, components: number): Float64Array {
  const p = k.p;
  if (!Number.isInteger(components) || components < 0 || components > k.components) {
    throw new RangeError(`components ${components} must be in 0..${k.components}`);
  }
  const b = new Float64Array(p);
  for (let a = 0; a < components; a++) {
    const qa = k.q[a]!;
    for (let j = 0; j < p; j++) b[j]! += k.r[a * p + j]! * qa;
  }
  return b;
}
