/**
 * The common wavenumber grid every source is resampled to: ascending, `from`, `from + step`, …,
 * up to `to` (included when (to − from)/step is whole). Default 600–4000 cm-1 every 4 → 851 points.
 */
export interface CommonGridOptions {
  /** Lowest wavenumber, cm-1. Default 600. */
  from?: number;
  /** Highest wavenumber, cm-1. Default 4000. */
  to?: number;
  /** Spacing, cm-1. Default 4. */
  step?: number;
}

export function commonGrid(options: CommonGridOptions = {}): Float64Array {
  const { from = 600, to = 4000, step = 4 } = options;
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(to > from)) {
    throw new RangeError(`commonGrid: need finite from < to, got from=${from}, to=${to}`);
  }
  if (!(step > 0) || step > to - from) throw new RangeError(`commonGrid: step must be in (0, to − from], got ${step}`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Float64Array.from({ length: count }, (_, i) => Math.round((from + i * step) * 1e9) / 1e9);
}

/** Indices of `wavenumbers` outside every [lo, hi] region of `exclude` (e.g. CO2 [[2300, 2400]]). */
export function gridKeepIndices(wavenumbers: ArrayLike<number>, exclude: readonly (readonly [number, number])[]): Int32Array {
  for (const r of exclude) {
    if (r.length !== 2 || !(Number.isFinite(r[0]) && Number.isFinite(r[1]))) {
      throw new RangeError(`gridKeepIndices: each region must be [lo, hi] numbers, got ${JSON.stringify(r)}`);
    }
  }
  const keep: number[] = [];
  for (let j = 0; j < wavenumbers.length; j++) {
    const w = wavenumbers[j]!;
    if (!exclude.some(([a, b]) => w >= Math.min(a, b) && w <= Math.max(a, b))) keep.push(j);
  }
  return Int32Array.from(keep);
}
