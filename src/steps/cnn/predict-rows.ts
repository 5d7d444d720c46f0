/**
 * One spectra block through `cnn.predict` (tf-free): the model-grid check, the rows with
 * finite values (the only ones the model can take), and the prediction rows they give, with
 * observed values, source, depth and split from the samples lookup where a sample matches.
 */
import { TARGET_COLUMN } from "../shared/target-column.js";
import type { TaskName } from "../../core/cnn/config.js";
import type { TaskOutput } from "../../core/cnn/predict.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { StepInputError } from "../../engine/step.js";
import type { PredictionsBuilder } from "../../contracts/predictions.js";
import type { SampleLookup } from "./predict-setup.js";

/** Refuses a block whose wavenumbers are not the model's grid (to 1e-6 cm-1). */
export function requireModelGrid(b: SpectraBlock, grid: readonly number[]): void {
  const p = grid.length;
  const same = b.wavenumbers.length === p && b.wavenumbers.every((w, j) => Math.abs(w - grid[j]!) < 1e-6);
  if (!same) {
    throw new StepInputError(
      `spectra block "${b.source}" (${b.wavenumbers.length} points) is not on the model's grid (${p} points, ` +
        `${grid[0]}–${grid[p - 1]} cm-1): preprocess it with the same spectra.preprocess options as the training data`,
    );
  }
}

/** The block's rows without non-finite values and their spectra (the block's own array when all are). */
export function finiteRows(b: SpectraBlock, rows: number, p: number): { finite: number[]; x: Float32Array } {
  const finite: number[] = [];
  for (let r = 0; r < rows; r++) if (b.values.subarray(r * p, (r + 1) * p).every(Number.isFinite)) finite.push(r);
  const x = finite.length === rows ? b.values : new Float32Array(finite.length * p);
  if (x !== b.values) finite.forEach((r, k) => x.set(b.values.subarray(r * p, (r + 1) * p), k * p));
  return { finite, x };
}

/** The core's result for the block's finite rows. */
export interface BlockResult {
  tasks: TaskOutput[];
  inDomain: boolean[] | null;
}

/**
 * Pushes one prediction row per task and finite row. A row is labelled with its training
 * split only when its sample has a finite observed value; the rest are `unlabelled`.
 */
export function pushBlockPredictions(
  predictions: PredictionsBuilder,
  b: SpectraBlock,
  finite: readonly number[],
  res: BlockResult,
  tasks: readonly TaskName[],
  { samples, rowOf, splitOf }: SampleLookup,
): void {
  res.tasks.forEach((out, k) => {
    const col = samples?.[TARGET_COLUMN[out.task]];
    finite.forEach((r, j) => {
      const id = b.ids[r]!;
      const i = rowOf.get(id);
      const obs = i !== undefined && col instanceof Float64Array ? col[i]! : NaN;
      const src = i !== undefined && samples?.source ? ((samples.source as (string | null)[])[i] ?? null) : b.source;
      const dcol = samples?.depth_top_cm;
      predictions.push({
        sample_id: id,
        target: tasks[k]!,
        split: Number.isFinite(obs) && splitOf && i !== undefined ? splitOf[i]! : "unlabelled",
        source: src,
        depth_top_cm: i !== undefined && dcol instanceof Float64Array ? dcol[i]! : NaN,
        observed: obs,
        predicted: out.predicted[j]!,
        sd: out.sd[j]!,
        pi_low: out.piLow[j]!,
        pi_high: out.piHigh[j]!,
        in_domain: res.inDomain ? res.inDomain[j]! : null,
      });
    });
  });
}
