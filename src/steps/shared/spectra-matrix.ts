/**
 * Matches spectra rows to samples by `sample_id` (never by position) and stacks them into
 * one row-major matrix on the common grid. Used by the PLSR baseline.
 */
import type { SpectraBlock } from "../../core/spectra/block.js";
import { blockShape } from "../../core/spectra/block.js";
import { StepInputError } from "../../engine/step.js";

export interface SpectraMatrix {
  /** Grid shared by every block. */
  wavenumbers: Float64Array;
  /** Row-major rows×p; row k belongs to sample index `sampleRow[k]`. */
  values: Float32Array;
  sampleRow: Int32Array;
  /** For each sample: its matrix row, or −1 (no spectrum, or a non-finite value). */
  rowOfSample: Int32Array;
  missing: number;
  nonFinite: number;
  /** Spectra ids seen more than once (the first one is used). */
  duplicates: number;
}

export function spectraMatrix(blocks: readonly SpectraBlock[], sampleIds: readonly (string | null)[]): SpectraMatrix {
  if (blocks.length === 0) throw new StepInputError("input spectra has no blocks");
  const grid = blocks[0]!.wavenumbers;
  for (const b of blocks) {
    const same = b.wavenumbers.length === grid.length && b.wavenumbers.every((w, j) => Math.abs(w - grid[j]!) < 1e-6);
    if (!same) {
      throw new StepInputError(
        `spectra block "${b.source}" is not on the common grid of block "${blocks[0]!.source}" ` +
          `(${b.wavenumbers.length} vs ${grid.length} wavenumbers): run spectra.preprocess before this step`,
      );
    }
    blockShape(b);
  }
  const p = grid.length;
  const where = new Map<string, { block: SpectraBlock; row: number }>();
  let duplicates = 0;
  for (const b of blocks) {
    b.ids.forEach((id, row) => {
      if (where.has(id)) duplicates++;
      else where.set(id, { block: b, row });
    });
  }
  const rowOfSample = new Int32Array(sampleIds.length).fill(-1);
  const rows: number[] = [];
  let missing = 0;
  let nonFinite = 0;
  sampleIds.forEach((id, i) => {
    const hit = id === null ? undefined : where.get(id);
    if (!hit) {
      missing++;
      return;
    }
    const v = hit.block.values.subarray(hit.row * p, (hit.row + 1) * p);
    if (!v.every(Number.isFinite)) {
      nonFinite++;
      return;
    }
    rowOfSample[i] = rows.length;
    rows.push(i);
  });
  const values = new Float32Array(rows.length * p);
  rows.forEach((i, k) => {
    const hit = where.get(sampleIds[i]!)!;
    values.set(hit.block.values.subarray(hit.row * p, (hit.row + 1) * p), k * p);
  });
  return { wavenumbers: grid, values, sampleRow: Int32Array.from(rows), rowOfSample, missing, nonFinite, duplicates };
}
