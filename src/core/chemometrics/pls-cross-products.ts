/**
 * Cross-product sums of row groups of a matrix, the only O(n·p²) work of the PLS baseline:
 * per group g, G_g = Σ (x_i − μ)(x_i − μ)ᵀ (p×p, full symmetric), s_g = Σ (x_i − μ),
 * v_g = Σ (x_i − μ)(y_i − ȳ), plus Σ(y_i − ȳ) and the count, where μ and ȳ are a common
 * shift (the overall means) that keeps the later centering numerically tame. Groups add:
 * the centered cross-products of any union of groups follow exactly (see `centeredProducts`).
 * Nothing is O(n²).
 */

export interface GroupProducts {
  /** Row count of the group. */
  n: number;
  /** p×p row-major Σ (x − μ)(x − μ)ᵀ. */
  xtx: Float64Array;
  /** Σ (x − μ), length p. */
  xs: Float64Array;
  /** Σ (x − μ)(y − ȳ), length p. */
  xty: Float64Array;
  /** Σ (y − ȳ). */
  ys: number;
  /** Σ (y − ȳ)². */
  yy: number;
}

/**
 * Cross-products of each group. `x` is row-major n×p (`x[i*p + j]`), `group[i]` in
 * 0..groups−1 (negative: row ignored), `shiftX` (length p) and `shiftY` the common shift.
 */
export function matrixGroupProducts(
  x: Float64Array | Float32Array,
  p: number,
  y: Float64Array,
  group: Int32Array,
  groups: number,
  shiftX: Float64Array,
  shiftY: number,
): GroupProducts[] {
  const n = y.length;
  if (x.length !== n * p) throw new RangeError(`x has ${x.length} values, expected ${n}×${p}`);
  if (group.length !== n) throw new RangeError(`group has ${group.length} entries, expected ${n}`);
  if (shiftX.length !== p) throw new RangeError(`shiftX has ${shiftX.length} entries, expected ${p}`);
  const out: GroupProducts[] = [];
  for (let g = 0; g < groups; g++) {
    let m = 0;
    for (let i = 0; i < n; i++) if (group[i] === g) m++;
    // column-major shifted copy of the group's rows: col j is xc[j*m .. j*m+m)
    const xc = new Float64Array(p * m);
    const yc = new Float64Array(m);
    let r = 0;
    for (let i = 0; i < n; i++) {
      if (group[i] !== g) continue;
      const base = i * p;
      for (let j = 0; j < p; j++) xc[j * m + r] = x[base + j]! - shiftX[j]!;
      yc[r] = y[i]! - shiftY;
      r++;
    }
    const xtx = new Float64Array(p * p);
    const xs = new Float64Array(p);
    const xty = new Float64Array(p);
    let ys = 0;
    let yy = 0;
    for (let i = 0; i < m; i++) {
      ys += yc[i]!;
      yy += yc[i]! * yc[i]!;
    }
    for (let j = 0; j < p; j++) {
      const oj = j * m;
      let sj = 0;
      let sy = 0;
      for (let i = 0; i < m; i++) {
        const a = xc[oj + i]!;
        sj += a;
        sy += a * yc[i]!;
      }
      xs[j] = sj;
      xty[j] = sy;
      // upper triangle, four columns at a time
      let k = j;
      for (; k + 3 < p; k += 4) {
        const o0 = k * m;
        const o1 = o0 + m;
        const o2 = o1 + m;
        const o3 = o2 + m;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let i = 0; i < m; i++) {
          const a = xc[oj + i]!;
          d0 += a * xc[o0 + i]!;
          d1 += a * xc[o1 + i]!;
          d2 += a * xc[o2 + i]!;
          d3 += a * xc[o3 + i]!;
        }
        xtx[j * p + k] = d0;
        xtx[j * p + k + 1] = d1;
        xtx[j * p + k + 2] = d2;
        xtx[j * p + k + 3] = d3;
      }
      for (; k < p; k++) {
        const ok = k * m;
        let d = 0;
        for (let i = 0; i < m; i++) d += xc[oj + i]! * xc[ok + i]!;
        xtx[j * p + k] = d;
      }
    }
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) xtx[k * p + j] = xtx[j * p + k]!;
    out.push({ n: m, xtx, xs, xty, ys, yy });
  }
  return out;
}

/** Sum of groups (all, or all but `leaveOut`). */
export function sumGroupProducts(parts: readonly GroupProducts[], leaveOut = -1): GroupProducts {
  const p = parts[0]?.xs.length ?? 0;
  const acc: GroupProducts = {
    n: 0,
    xtx: new Float64Array(p * p),
    xs: new Float64Array(p),
    xty: new Float64Array(p),
    ys: 0,
    yy: 0,
  };
  parts.forEach((g, idx) => {
    if (idx === leaveOut) return;
    acc.n += g.n;
    acc.ys += g.ys;
    acc.yy += g.yy;
    for (let j = 0; j < p * p; j++) acc.xtx[j]! += g.xtx[j]!;
    for (let j = 0; j < p; j++) {
      acc.xs[j]! += g.xs[j]!;
      acc.xty[j]! += g.xty[j]!;
    }
  });
  return acc;
}

export interface CenteredProducts {
  /** XᵀX of the rows centered on their own means (p×p). */
  xtx: Float64Array;
  /** Xᵀy, both centered on their own means. */
  xty: Float64Array;
  /** Means of x and y of these rows (unshifted). */
  xMean: Float64Array;
  yMean: number;
  n: number;
}

/** Centered cross-products of a summed group: C = S − s sᵀ/n, etc. */
export function centeredProducts(g: GroupProducts, shiftX: Float64Array, shiftY: number): CenteredProducts {
  const p = g.xs.length;
  if (g.n < 1) throw new RangeError("no rows to center");
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const inv = 1 / g.n;
  for (let j = 0; j < p; j++) {
    const sj = g.xs[j]!;
    for (let k = 0; k < p; k++) xtx[j * p + k] = g.xtx[j * p + k]! - sj * g.xs[k]! * inv;
    xty[j] = g.xty[j]! - sj * g.ys * inv;
  }
  const xMean = new Float64Array(p);
  for (let j = 0; j < p; j++) xMean[j] = shiftX[j]! + g.xs[j]! * inv;
  return { xtx, xty, xMean, yMean: shiftY + g.ys * inv, n: g.n };
}
