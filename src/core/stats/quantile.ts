/**
 * Quantiles used by the metrics and the conformal intervals.
 */

/**
 * Sample quantile of type 7 (Hyndman & Fan 1996; the default of R `quantile()` and
 * numpy `percentile(method="linear")`): with the values sorted ascending x[0..n-1] and
 * h = (n − 1)·p, Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 * NaN values are ignored; an empty input gives NaN. `p` must lie in [0, 1].
 */
export function xQuantileType7(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability ${p} must be in [0, 1]`);
  const sorted = finiteSorted(values);
  return sortedQuantileType7(sorted, p);
}

/** Type-7 quantile of an already ascending-sorted array without NaN. */
export function sortedQuantileType7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Non-NaN values, ascending. */
export function finiteSorted(values: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) m++;
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[k++] = values[i]!;
  return out.sort();
}
