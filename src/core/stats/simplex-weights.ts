/**
 * Stacking weights (Breiman 1996, "Stacked regressions", Mach. Learn. 24:49): the convex
 * combination of base predictions closest to the truth in least squares, w ≥ 0 and Σw = 1.
 * The constraint keeps the stack inside the range of its bases (an unconstrained fit on ~100
 * out-of-fold rows happily takes weights like 2.3 and −1.3 for two correlated bases).
 *
 * Exact, by the active-set enumeration that a handful of bases allows: every non-empty subset
 * S of the bases, the equality-constrained least squares on S (KKT system
 * [G 1; 1ᵀ 0][w; λ] = [Aᵀs; 1], G = AᵀA), kept when every w ≥ 0; the smallest residual wins.
 * The optimum of a convex quadratic over the simplex is the constrained optimum on its support,
 * so it is among them. A subset whose system is singular (two identical bases) is skipped: the
 * same predictions are reached from a smaller subset.
 */

/** Largest number of bases: 2^m − 1 subsets are solved. */
export const MAX_STACK_BASES = 8;

/**
 * Weights w (length m) minimizing Σᵢ (sᵢ − Σⱼ wⱼ·bⱼ[rows[i]])² over the simplex, for base
 * predictions `bases` (each indexed by row) and truth `s` (indexed by row), over `rows`.
 */
export function simplexWeights(bases: readonly ArrayLike<number>[], s: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  const m = bases.length;
  if (m === 0) throw new RangeError("stacking needs at least one base model");
  if (m > MAX_STACK_BASES) throw new RangeError(`stacking takes at most ${MAX_STACK_BASES} base models (got ${m})`);
  if (rows.length === 0) throw new RangeError("stacking weights need at least one row");
  const G = new Float64Array(m * m);
  const b = new Float64Array(m);
  let ss = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const t = s[r]!;
    if (!Number.isFinite(t)) throw new RangeError(`stacking: the truth at row ${r} is not finite (${t})`);
    ss += t * t;
    for (let i = 0; i < m; i++) {
      const bi = bases[i]![r]!;
      if (!Number.isFinite(bi)) throw new RangeError(`stacking: base ${i}'s prediction at row ${r} is not finite (${bi})`);
      b[i]! += bi * t;
      for (let j = 0; j <= i; j++) G[i * m + j]! += bi * bases[j]![r]!;
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) G[j * m + i] = G[i * m + j]!;
  let best: Float64Array | null = null;
  let bestLoss = Infinity;
  for (let mask = 1; mask < 1 << m; mask++) {
    const support = Array.from({ length: m }, (_, i) => i).filter((i) => mask & (1 << i));
    const w = constrainedSolve(G, b, m, support);
    if (!w || w.some((v) => v < 0)) continue;
    // ‖s − Aw‖² = sᵀs − 2 wᵀb + wᵀGw
    let loss = ss;
    for (let i = 0; i < m; i++) {
      loss -= 2 * w[i]! * b[i]!;
      for (let j = 0; j < m; j++) loss += w[i]! * G[i * m + j]! * w[j]!;
    }
    // ties (identical bases): the first subset in mask order, i.e. the lower-indexed bases
    if (best === null || loss < bestLoss - 1e-12 * Math.max(1, Math.abs(bestLoss))) {
      bestLoss = loss;
      best = w;
    }
  }
  // a singleton's system is never singular, so some subset always gives a feasible w
  return best!;
}

/** w on `support` (zero elsewhere) from the KKT system; null when singular. */
function constrainedSolve(G: Float64Array, b: Float64Array, m: number, support: number[]): Float64Array | null {
  const k = support.length;
  const size = k + 1;
  const a = new Float64Array(size * (size + 1));
  const at = (i: number, j: number) => i * (size + 1) + j;
  let scale = 0;
  support.forEach((si, i) => {
    support.forEach((sj, j) => {
      a[at(i, j)] = G[si * m + sj]!;
      scale = Math.max(scale, Math.abs(G[si * m + sj]!));
    });
    a[at(i, k)] = 1;
    a[at(k, i)] = 1;
    a[at(i, size)] = b[si]!;
  });
  a[at(k, size)] = 1;
  const tiny = 1e-12 * Math.max(1, scale);
  for (let c = 0; c < size; c++) {
    let piv = c;
    for (let r = c + 1; r < size; r++) if (Math.abs(a[at(r, c)]!) > Math.abs(a[at(piv, c)]!)) piv = r;
    if (Math.abs(a[at(piv, c)]!) <= tiny) return null;
    if (piv !== c) for (let j = 0; j <= size; j++) [a[at(c, j)], a[at(piv, j)]] = [a[at(piv, j)]!, a[at(c, j)]!];
    for (let r = 0; r < size; r++) {
      if (r === c) continue;
      const f = a[at(r, c)]! / a[at(c, c)]!;
      if (f !== 0) for (let j = c; j <= size; j++) a[at(r, j)]! -= f * a[at(c, j)]!;
    }
  }
  const w = new Float64Array(m);
  support.forEach((si, i) => (w[si] = a[at(i, size)]! / a[at(i, i)]!));
  return w;
}
