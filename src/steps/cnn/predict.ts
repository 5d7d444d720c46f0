/**
 * `cnn.predict`: applies a `cnn.train` model (its `model` dir + `model_meta`) to a `spectra`
 * input, block by block in batches, so memory grows with the data only. Output `predictions`
 * (docs/CONTRACTS.md) with σ̂, conformal intervals (g/kg) and the applicability-domain flag.
 * With a `samples` input, observed values fill `observed` and labelled samples get the split
 * the training run assigned them (same keyed split options, stored in model_meta); otherwise
 * every row is `unlabelled`.
 */
import { z } from "zod";
// tf-free imports only; the tfjs-using core loads inside run() (tf-core.ts).
import { BACKEND_CHOICES, tasksOf, type TaskName } from "../../core/cnn/config.js";
import type { UncertaintyMeta } from "../../core/cnn/predict.js";
import type { DomainModel } from "../../core/stats/domain.js";
import { blockShape } from "../../core/spectra/block.js";
import { textColumn, type Table } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { splitSamples, type StepSplit } from "../shared/split-options.js";
import { loadTfCore } from "./tf-core.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";

export const cnnPredictOptions = z.strictObject({
  /** Rows per forward pass. */
  batch: z.number().int().min(1).max(65536).default(512),
  backend: z.enum(BACKEND_CHOICES).default("auto"),
});

/** The parts of model_meta cnn.predict reads (written by cnn.train). */
export interface CnnModelMeta {
  format: string;
  targets: TaskName[];
  grid: number[];
  pi_level: number;
  conformal: { quantile: Partial<Record<TaskName, number | null>> };
  domain: DomainModel | null;
  /** Models written before scheme location have no cellDeg. */
  split: Omit<StepSplit, "cellDeg"> & { cellDeg?: number };
}

const COLUMN: Record<TaskName, string> = { c: "c_gkg", om: "om_gkg" };

export const cnnPredictStep = defineStep({
  type: "cnn.predict",
  version: 1,
  description: "Predict C / OM with a trained CNN: σ̂, conformal intervals, applicability domain",
  options: cnnPredictOptions,
  outputs: ["predictions"],
  // The native backends too: installing one changes the numerics, so it reruns training.
  packages: ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const { initBackend, loadCnn, predictWithUncertainty, withTfLock } = await loadTfCore();
    const modelInput = inputs.find("model");
    const meta = await modelInput.json<CnnModelMeta>("model_meta");
    if (meta.format !== "somflow-cnn/1") {
      throw new StepInputError(`input "${modelInput.step}" model_meta is not a cnn.train model (format ${meta.format})`);
    }
    const bundle = await loadCnn(modelInput.dir("model"));
    // Not while a CNN step of this process trains in-process on the shared engine (`run --jobs 2`);
    // the predictions below are synchronous, so nothing can switch the backend under them.
    const backend = await withTfLock(() => initBackend(o.backend));
    const blocks = await inputs.find("spectra").spectra("spectra");
    const p = meta.grid.length;
    // Optional samples: observed values, source/depth, and the training split of labelled rows.
    const sampleInput = inputs.findAll("samples")[0];
    const samples: Table | null = sampleInput ? await sampleInput.table("samples") : null;
    const rowOf = new Map<string, number>();
    let splitOf: string[] | null = null;
    if (samples) {
      const ids = textColumn(samples, "sample_id");
      ids.forEach((id, i) => id !== null && !rowOf.has(id) && rowOf.set(id, i));
      splitOf = splitSamples(samples, { cellDeg: 1, ...meta.split });
    }
    const tasks = tasksOf(bundle.config.target);
    const q: UncertaintyMeta["q"] = {};
    for (const t of tasks) {
      const v = meta.conformal.quantile[t];
      if (v !== undefined && v !== null) q[t] = v;
    }
    // JSON has no Infinity: an unbounded interval was stored as null → keep it unbounded.
    for (const t of tasks) if (meta.conformal.quantile[t] === null) q[t] = Infinity;
    const um: UncertaintyMeta = { level: meta.pi_level, q, domain: meta.domain };

    const predictions = new PredictionsBuilder();
    let total = 0;
    for (const b of blocks) total += b.ids.length;
    const progress = ctx.progress("cnn.predict", total, "spectra");
    for (const b of blocks) {
      const { rows } = blockShape(b);
      const same = b.wavenumbers.length === p && b.wavenumbers.every((w, j) => Math.abs(w - meta.grid[j]!) < 1e-6);
      if (!same) {
        throw new StepInputError(
          `spectra block "${b.source}" (${b.wavenumbers.length} points) is not on the model's grid (${p} points, ` +
            `${meta.grid[0]}–${meta.grid[p - 1]} cm-1): preprocess it with the same spectra.preprocess options as the training data`,
        );
      }
      // Rows with non-finite values cannot be predicted: skip them (counted in the record).
      const finite: number[] = [];
      for (let r = 0; r < rows; r++) if (b.values.subarray(r * p, (r + 1) * p).every(Number.isFinite)) finite.push(r);
      const x = finite.length === rows ? b.values : new Float32Array(finite.length * p);
      if (x !== b.values) finite.forEach((r, k) => x.set(b.values.subarray(r * p, (r + 1) * p), k * p));
      const res = predictWithUncertainty(bundle, um, x, o.batch);
      res.tasks.forEach((out, k) => {
        const col = samples?.[COLUMN[out.task]];
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
      progress.tick(rows);
      if (finite.length < rows) ctx.log(`block "${b.source}": ${rows - finite.length} spectra with non-finite values skipped`);
    }
    progress.done();
    await ctx.outputs.table("predictions", predictions.build());
    ctx.record({ backend, predicted: predictions.length / tasks.length });
  },
});
