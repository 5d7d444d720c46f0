/**
 * One preprocessing variant of absorbance spectra, for model selection: the same operations
 * and order as `spectra.preprocess` (resample → Savitzky–Golay → exclude regions → normalize),
 * applied to a matrix on its native grid. Every operation acts on one spectrum at a time and
 * fits nothing, so a variant can be computed once for all samples without leaking anything
 * across CV folds.
 */
import { commonGrid, gridKeepIndices } from "../spectra/common-grid.js";
import { xNormalize, type NormalizeMethod } from "../spectra/x-normalize.js";
import { resamplePlan, xResample } from "../spectra/x-resample.js";
import { savitzkyGolayFilter } from "../spectra/x-savitzky-golay.js";

export interface SpectraVariant {
  /** "native" keeps the measured grid; a number resamples to that step (cm-1) over `range`. Default "native". */
  resolution?: "native" | number;
  /** [lo, hi] cm-1 kept; default the whole native range. */
  range?: readonly [number, number] | null;
  /** Regions removed after smoothing, [lo, hi] cm-1. Default none. */
  exclude?: readonly (readonly [number, number])[];
  /** Savitzky–Golay on the variant's grid; null/absent = off. */
  savgol?: { window: number; polyorder: number; deriv: number } | null;
  /** Per-spectrum normalization after exclusion. Default "none". */
  normalize?: NormalizeMethod;
}

export interface VariantMatrix {
  /** Row-major rows×p. */
  x: Float32Array;
  p: number;
  /** Ascending wavenumbers of the columns. */
  wavenumbers: Float64Array;
  /** Rows whose normalization failed (flat spectrum): set to NaN. */
  failed: number;
}

/** Applies `v` to row-major absorbance `x` (rows × wavenumbers.length, any grid order). */
export function spectraVariant(x: Float32Array | Float64Array, wavenumbers: ArrayLike<number>, v: SpectraVariant): VariantMatrix {
  const m = wavenumbers.length;
  if (m < 2 || x.length % m !== 0) throw new RangeError(`spectra have ${x.length} values, not a multiple of ${m} wavenumbers`);
  const rows = x.length / m;
  const asc = Float64Array.from(wavenumbers).sort();
  const lo = Math.max(asc[0]!, v.range ? Math.min(v.range[0], v.range[1]) : -Infinity);
  const hi = Math.min(asc[m - 1]!, v.range ? Math.max(v.range[0], v.range[1]) : Infinity);
  if (!(hi > lo)) throw new RangeError(`range ${JSON.stringify(v.range)} does not overlap the spectra (${asc[0]}–${asc[m - 1]} cm-1)`);
  const res = v.resolution ?? "native";
  let grid: Float64Array;
  if (res === "native") grid = asc.filter((w) => w >= lo - 1e-9 && w <= hi + 1e-9);
  else {
    if (!(res > 0)) throw new RangeError(`resolution must be "native" or a positive step in cm-1 (got ${res})`);
    grid = commonGrid({ from: Math.ceil(lo), to: Math.floor(hi), step: res });
  }
  if (grid.length < 5) throw new RangeError(`the variant's grid has ${grid.length} points (range ${lo}–${hi}, resolution ${res})`);
  const plan = resamplePlan(wavenumbers, grid);
  const keep = gridKeepIndices(grid, v.exclude ?? []);
  if (keep.length < 5) throw new RangeError(`exclude leaves ${keep.length} points`);
  // mean spacing: the derivative's unit (per cm-1) on a native grid that is only nearly even
  const delta = (grid[grid.length - 1]! - grid[0]!) / (grid.length - 1);
  const sg = v.savgol
    ? savitzkyGolayFilter(grid.length, {
        windowSize: v.savgol.window,
        polynomial: v.savgol.polyorder,
        derivative: v.savgol.deriv,
        deltaX: delta,
      })
    : null;
  const p = keep.length;
  const out = new Float32Array(rows * p);
  const buf = new Float64Array(grid.length);
  const row = new Float64Array(p);
  let failed = 0;
  for (let i = 0; i < rows; i++) {
    xResample(x.subarray(i * m, (i + 1) * m), plan, buf);
    const s = sg ? sg(buf) : buf;
    for (let j = 0; j < p; j++) row[j] = s[keep[j]!]!;
    if (!xNormalize(row, { method: v.normalize ?? "none" })) {
      row.fill(NaN);
      failed++;
    }
    out.set(row, i * p);
  }
  return { x: out, p, wavenumbers: Float64Array.from(keep, (j) => grid[j]!), failed };
}
