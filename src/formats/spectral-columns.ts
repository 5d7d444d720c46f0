/**
 * Finds the spectral columns of a wide header (`<prefix><wavenumber><suffix>`) and checks
 * that the wavenumbers parse and run strictly one way, as a SpectraBlock requires.
 */
import { FormatError } from "./errors.js";

/** Wavenumbers a spectral column may name (cm-1), as for OPUS axes. */
export const SPECTRAL_AXIS_RANGE: readonly [number, number] = [100, 15000];

export interface SpectralColumns {
  indices: number[];
  wavenumbers: Float64Array;
}

export function findSpectralColumns(file: string, header: readonly string[], prefix: string, suffix = ""): SpectralColumns {
  const indices: number[] = [];
  const wn: number[] = [];
  header.forEach((name, i) => {
    if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length <= prefix.length + suffix.length) return;
    const core = name.slice(prefix.length, name.length - suffix.length);
    const v = Number(core);
    if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(core) || !Number.isFinite(v)) {
      throw new FormatError(file, `spectral header "${name}" does not end in a wavenumber (expected ${prefix}<cm-1>${suffix})`, {
        line: 1,
        column: `${i + 1} "${name}"`,
      });
    }
    indices.push(i);
    wn.push(v);
  });
  if (indices.length < 2) {
    throw new FormatError(
      file,
      `found ${indices.length} spectral column(s) named "${prefix}<cm-1>${suffix}"; set the spectral prefix/suffix option to match the header (first columns: ${header.slice(0, 5).join(", ")})`,
      { line: 1 },
    );
  }
  // Column names must be wavenumbers (cm-1): an index (wn_0, wn_1, ...) or a wavelength in µm
  // would otherwise become an axis, and resampling would invent a spectrum from it.
  const bad = wn.findIndex((w) => w < SPECTRAL_AXIS_RANGE[0] || w > SPECTRAL_AXIS_RANGE[1]);
  if (bad >= 0) {
    const c = indices[bad]!;
    throw new FormatError(
      file,
      `spectral column "${header[c]}" names ${wn[bad]} cm-1, outside the MIR/NIR range ${SPECTRAL_AXIS_RANGE[0]}-${SPECTRAL_AXIS_RANGE[1]} cm-1: spectral columns must be named by wavenumber in cm-1 (not an index or a wavelength); rename them or convert the axis`,
      { line: 1, column: `${c + 1} "${header[c]}"` },
    );
  }
  const dir = Math.sign(wn[1]! - wn[0]!);
  for (let k = 1; k < wn.length; k++) {
    if (dir === 0 || Math.sign(wn[k]! - wn[k - 1]!) !== dir) {
      const c = indices[k]!;
      throw new FormatError(
        file,
        `spectral columns are not strictly ${dir >= 0 ? "increasing" : "decreasing"}: ${wn[k - 1]} then ${wn[k]} cm-1; remove the duplicated or misplaced column`,
        { line: 1, column: `${c + 1} "${header[c]}"` },
      );
    }
  }
  return { indices, wavenumbers: Float64Array.from(wn) };
}

/**
 * Linear interpolation of NaN cells inside each row from their nearest valid neighbours
 * (edges copy the nearest valid value). Rows with no valid value are left NaN and listed.
 */
export function interpolateMissing(values: Float32Array, cols: number): { filled: number; emptyRows: number[] } {
  const rows = cols === 0 ? 0 : values.length / cols;
  let filled = 0;
  const emptyRows: number[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let prev = -1;
    let anyGap = false;
    for (let j = 0; j < cols; j++) {
      if (Number.isNaN(values[o + j]!)) {
        anyGap = true;
        continue;
      }
      if (j - prev > 1) {
        const left = prev < 0 ? values[o + j]! : values[o + prev]!;
        const right = values[o + j]!;
        for (let k = prev + 1; k < j; k++) {
          const t = prev < 0 ? 0 : (k - prev) / (j - prev);
          values[o + k] = left + t * (right - left);
          filled++;
        }
      }
      prev = j;
    }
    if (prev < 0) {
      if (anyGap || cols > 0) emptyRows.push(r);
      continue;
    }
    for (let k = prev + 1; k < cols; k++) {
      values[o + k] = values[o + prev]!;
      filled++;
    }
  }
  return { filled, emptyRows };
}

/** Counts that a reader reports about reflectance values (R > 100 % is kept, R <= 0 flagged). */
export function reflectanceChecks(
  values: Float32Array,
  cols: number,
  unit: "absorbance" | "reflectance" | "reflectance_percent",
): { spectraAboveFull: number; valuesAboveFull: number; valuesNonPositive: number } {
  const full = unit === "reflectance_percent" ? 100 : unit === "reflectance" ? 1 : Infinity;
  let spectraAboveFull = 0;
  let valuesAboveFull = 0;
  let valuesNonPositive = 0;
  if (unit === "absorbance") return { spectraAboveFull, valuesAboveFull, valuesNonPositive };
  for (let o = 0; o < values.length; o += cols) {
    let above = 0;
    for (let j = 0; j < cols; j++) {
      const v = values[o + j]!;
      if (v > full) above++;
      else if (v <= 0) valuesNonPositive++;
    }
    if (above > 0) spectraAboveFull++;
    valuesAboveFull += above;
  }
  return { spectraAboveFull, valuesAboveFull, valuesNonPositive };
}

/** Thresholds of the unit plausibility check (see unitProblem). */
export const UNIT_LIMITS = {
  /** Absorbance: a median above this is not absorbance (10^-5 of the light left). */
  absorbanceMedianMax: 5,
  /** Absorbance: values above this (10^-10 of the light) may be at most 1 % of all. */
  absorbanceValueMax: 10,
  /** Reflectance as a fraction: a median above this is a percentage. */
  reflectanceMedianMax: 1.5,
  /** Reflectance in %: every value at or below this looks like a fraction. */
  percentAllBelow: 1.5,
  /** Reflectance in %: a median above this is not a percentage. */
  percentMedianMax: 150,
} as const;

const UNIT_CHOICES = "the unit the values are in (absorbance, reflectance as 0-1, or reflectance_percent) after checking the file";

/** Up to ~100k finite values taken at a fixed stride (deterministic), sorted. */
function sampleSorted(values: Float32Array): Float64Array {
  const stride = Math.max(1, Math.floor(values.length / 100_000));
  const out: number[] = [];
  for (let i = 0; i < values.length; i += stride) if (Number.isFinite(values[i]!)) out.push(values[i]!);
  return Float64Array.from(out).sort();
}

/**
 * Whether spectra declared in `unit` look like that unit; null when plausible, else what they
 * look like and the unit to set. Reflectance in % declared absorbance is the classic silent
 * mistake: its log is taken twice or never, and every model trains on nonsense.
 */
export function unitProblem(
  values: Float32Array,
  unit: "absorbance" | "reflectance" | "reflectance_percent",
): { problem: string; suggest: string } | null {
  const v = sampleSorted(values);
  if (v.length === 0) return null;
  const median = v[v.length >> 1]!;
  const max = v[v.length - 1]!;
  const fmt = (x: number) => Number(x.toPrecision(4));
  const L = UNIT_LIMITS;
  if (unit === "absorbance") {
    let above = 0;
    for (const x of v) if (x > L.absorbanceValueMax) above++;
    if (median > L.absorbanceMedianMax || above > 0.01 * v.length) {
      const suggest = max <= 100 * 1.5 ? "reflectance_percent" : UNIT_CHOICES;
      return {
        problem: `median ${fmt(median)}, max ${fmt(max)} is not absorbance (median must stay <= ${L.absorbanceMedianMax}, values <= ${L.absorbanceValueMax}); they look like reflectance in %`,
        suggest,
      };
    }
  } else if (unit === "reflectance") {
    if (median > L.reflectanceMedianMax) {
      return {
        problem: `median ${fmt(median)} is not reflectance as a fraction (0-1; median must stay <= ${L.reflectanceMedianMax}); the values look like reflectance in %`,
        suggest: "reflectance_percent",
      };
    }
  } else if (max <= L.percentAllBelow) {
    return { problem: `every value is <= ${fmt(max)}: that is reflectance as a fraction (0-1), not in %`, suggest: "reflectance" };
  } else if (median > L.percentMedianMax) {
    return { problem: `median ${fmt(median)} is not reflectance in % (median must stay <= ${L.percentMedianMax})`, suggest: UNIT_CHOICES };
  }
  return null;
}
