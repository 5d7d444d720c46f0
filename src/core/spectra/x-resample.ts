/**
 * Linear interpolation of spectra from a source grid (ascending or descending, as the
 * instrument wrote it) onto a target grid. Refuses to extrapolate: every target point must
 * lie within the source range (a relative tolerance of 1e-6 of the step absorbs rounding).
 * The weights are computed once per source grid and applied to every row.
 */
import type { NumArray } from "../chemometrics/types.js";

export interface ResamplePlan {
  /** Left neighbour index in the source grid for each target point. */
  index: Int32Array;
  /** Weight of the right neighbour (index + 1); the left gets 1 − weight. */
  weight: Float64Array;
}

export function resamplePlan(from: ArrayLike<number>, to: ArrayLike<number>): ResamplePlan {
  const m = from.length;
  if (m < 2) throw new RangeError(`resamplePlan: source grid needs at least 2 points, got ${m}`);
  const descending = from[0]! > from[m - 1]!;
  // ascending copy of the source positions; index mapping back to the original order
  const xs = new Float64Array(m);
  for (let i = 0; i < m; i++) xs[i] = descending ? from[m - 1 - i]! : from[i]!;
  for (let i = 1; i < m; i++) {
    if (!(xs[i]! > xs[i - 1]!)) {
      throw new RangeError(`resamplePlan: source grid is not strictly monotonic near position ${descending ? m - 1 - i : i}`);
    }
  }
  const lo = xs[0]!;
  const hi = xs[m - 1]!;
  const tol = 1e-6 * ((hi - lo) / (m - 1));
  if (to.length > 0) {
    let tlo = Infinity;
    let thi = -Infinity;
    for (let t = 0; t < to.length; t++) [tlo, thi] = [Math.min(tlo, to[t]!), Math.max(thi, to[t]!)];
    if (!(thi >= lo - tol && tlo <= hi + tol)) {
      throw new RangeError(
        `resamplePlan: the source axis ${lo}–${hi} cm-1 does not overlap the target grid ${tlo}–${thi} cm-1 at all (no extrapolation)`,
      );
    }
  }
  const index = new Int32Array(to.length);
  const weight = new Float64Array(to.length);
  let k = 0;
  for (let t = 0; t < to.length; t++) {
    let x = to[t]!;
    if (x < lo - tol || x > hi + tol) {
      throw new RangeError(`resamplePlan: target ${x} cm-1 lies outside the source range ${lo}–${hi} cm-1 (no extrapolation)`);
    }
    x = Math.min(Math.max(x, lo), hi);
    if (t > 0 && x < to[t - 1]!) k = 0;
    while (k < m - 2 && xs[k + 1]! < x) k++;
    const w = (x - xs[k]!) / (xs[k + 1]! - xs[k]!);
    // back to the original (possibly descending) indexing: value at xs[k] is from[orig(k)]
    if (descending) {
      index[t] = m - 1 - (k + 1);
      weight[t] = 1 - w; // left (in original order) is xs[k+1]
    } else {
      index[t] = k;
      weight[t] = w;
    }
  }
  return { index, weight };
}

/** One spectrum (length of the source grid) resampled with `plan`. */
export function xResample(y: NumArray, plan: ResamplePlan, out = new Float64Array(plan.index.length)): Float64Array {
  const { index, weight } = plan;
  for (let t = 0; t < index.length; t++) {
    const i = index[t]!;
    const w = weight[t]!;
    out[t] = w === 0 ? y[i]! : (1 - w) * y[i]! + w * y[i + 1]!;
  }
  return out;
}
