/**
 * One source block through `spectra.preprocess`'s chain, composed of src/core/spectra/: scan
 * defects on the native grid (scan-defects.ts) → NaN repair (x-repair-nan.ts) → resample
 * (x-resample.ts) → absorbance (x-absorbance.ts) → Savitzky–Golay → exclusion → normalization
 * (x-normalize.ts), each spectrum's status and notes going to the log.
 */
import { blockShape, type SpectraBlock } from "../../core/spectra/block.js";
import { matrixScanDefects } from "../../core/spectra/scan-defects.js";
import { xAbsorbance } from "../../core/spectra/x-absorbance.js";
import { xNormalize } from "../../core/spectra/x-normalize.js";
import { xRepairNaN } from "../../core/spectra/x-repair-nan.js";
import { resamplePlan, xResample, type ResamplePlan } from "../../core/spectra/x-resample.js";
import { StepInputError } from "../../engine/step.js";
import type { PreprocessOptions } from "./preprocess-options.js";
import type { PreprocessLog } from "./preprocess-outputs.js";
import type { GridSetup } from "./preprocess-setup.js";

/** The native points inside the grid's range, and which of them the spike check ignores. */
function scannedPoints(
  wavenumbers: ArrayLike<number>,
  grid: Float64Array,
  o: PreprocessOptions,
): { inRange: number[]; ignore: Uint8Array } {
  const inRange: number[] = [];
  const ignoreList: number[] = [];
  for (let j = 0; j < wavenumbers.length; j++) {
    const w = wavenumbers[j]!;
    if (w < grid[0]! - 1e-6 || w > grid[grid.length - 1]! + 1e-6) continue;
    // excluded regions widened by 20 cm-1 are not scored for spikes: the CO2 band's edges
    // (~2401 cm-1 in the NRW and H LimeSoDa spectra) are atmospheric lines, not scan defects
    if (o.exclude.some(([x, y]) => w >= Math.min(x, y) - 20 && w <= Math.max(x, y) + 20)) ignoreList.push(inRange.length);
    inRange.push(j);
  }
  const ignore = new Uint8Array(inRange.length);
  for (const j of ignoreList) ignore[j] = 1;
  return { inRange, ignore };
}

/** Per row: all NaN, how many NaN were repaired, and the scan defects on the native points inside the grid's range. */
function nativeScan(b: SpectraBlock, grid: Float64Array, o: PreprocessOptions) {
  const { rows, cols } = blockShape(b);
  const { inRange, ignore } = scannedPoints(b.wavenumbers, grid, o);
  const p = inRange.length;
  const native = new Float64Array(rows * p);
  for (let i = 0; i < rows; i++) for (let c = 0; c < p; c++) native[i * p + c] = b.values[i * cols + inRange[c]!]!;
  const allNaN = new Array<boolean>(rows).fill(false);
  const row = new Float64Array(cols);
  const repaired = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    row.set(b.values.subarray(i * cols, (i + 1) * cols));
    const r = xRepairNaN(row);
    if (r < 0) allNaN[i] = true;
    else repaired[i] = r;
    if (r > 0) for (let c = 0; c < p; c++) native[i * p + c] = row[inRange[c]!]!;
  }
  if (allNaN.every(Boolean)) {
    throw new StepInputError(`source "${b.source}": every spectrum is entirely NaN — check the ingest of this source (unit "${b.unit}")`);
  }
  // Scan checks in absorbance, the scale every later step sees: a reflectance spike is
  // compressed where R is high (a ±1 absorbance spike in a reflectance_percent source scored
  // z 74 as measured, 213 in absorbance, clean scans ≤ 13 and ≤ 5).
  const nativeAbs = xAbsorbance(native, { unit: b.unit }).values;
  if (b.unit !== "absorbance") for (let i = 0; i < rows; i++) xRepairNaN(nativeAbs.subarray(i * p, (i + 1) * p));
  const scan = p >= 5 ? matrixScanDefects(nativeAbs, { rows, cols: p, ignore }) : null;
  return { allNaN, repaired, defects: (i: number): string[] => (allNaN[i] ? [] : (scan?.defects[i] ?? [])) };
}

/** One spectrum (NaN already repaired) through resample → absorbance → SG → exclusion → normalization. */
function chain(row: Float64Array, plan: ResamplePlan, unit: SpectraBlock["unit"], s: GridSetup, o: PreprocessOptions) {
  const notes: string[] = [];
  const resampled = xResample(row, plan);
  const abs = xAbsorbance(resampled, { unit });
  if (abs.nonpositive > 0) {
    notes.push(`${abs.nonpositive} nonpositive reflectance`);
    xRepairNaN(abs.values);
  }
  if (abs.aboveOne > 0) notes.push(`${abs.aboveOne} reflectance above 100 % (negative absorbance kept)`);
  const smoothed = s.sg ? s.sg(abs.values) : abs.values;
  const y = Float64Array.from(s.keep, (j) => smoothed[j]!);
  if (!xNormalize(y, { method: o.normalize as never })) notes.push(`degenerate for ${o.normalize} (left unnormalized)`);
  return { resampled, y, notes, nonpositive: abs.nonpositive };
}

/** The block preprocessed onto the output grid, and its spectra resampled only (for the raw means). */
export function preprocessBlock(
  b: SpectraBlock,
  s: GridSetup,
  o: PreprocessOptions,
  log: PreprocessLog,
): { block: SpectraBlock; raw: SpectraBlock } {
  const { rows, cols } = blockShape(b);
  if (cols < 2) throw new StepInputError(`source "${b.source}": grid has ${cols} wavenumber(s)`);
  let plan: ResamplePlan;
  try {
    plan = resamplePlan(b.wavenumbers, s.grid);
  } catch (e) {
    throw new StepInputError(`source "${b.source}": ${(e as Error).message}`);
  }
  const scan = nativeScan(b, s.grid, o);
  const q = s.outGrid.length;
  const ids: string[] = [];
  const vals: Float64Array[] = [];
  const rawRows: Float64Array[] = [];
  const row = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const defects = scan.defects(i);
    log.start(b.ids[i]!, b.source, defects);
    if (scan.allNaN[i]) {
      log.finish("dropped", ["all values NaN"]);
      continue;
    }
    row.set(b.values.subarray(i * cols, (i + 1) * cols));
    xRepairNaN(row);
    const r = chain(row, plan, b.unit, s, o);
    rawRows.push(r.resampled);
    const repaired = scan.repaired[i]!;
    const notes = [...(repaired > 0 ? [`${repaired} NaN repaired`] : []), ...r.notes];
    if (defects.length) notes.push(`scan defect: ${defects.join(", ")}`);
    const drop = defects.length > 0 && o.on_defect === "drop";
    log.finish(drop ? "dropped" : defects.length || r.nonpositive ? "flagged" : repaired > 0 ? "repaired" : "ok", notes);
    if (drop) continue;
    ids.push(b.ids[i]!);
    vals.push(r.y);
  }
  const values = new Float32Array(ids.length * q);
  vals.forEach((v, i) => values.set(v, i * q));
  const rawVals = new Float32Array(rawRows.length * s.grid.length);
  rawRows.forEach((v, i) => rawVals.set(v, i * s.grid.length));
  return {
    block: { source: b.source, instrument: b.instrument, unit: "absorbance", wavenumbers: s.outGrid, ids, values },
    raw: { ...b, wavenumbers: s.grid, ids: rawRows.map((_, i) => String(i)), values: rawVals },
  };
}
