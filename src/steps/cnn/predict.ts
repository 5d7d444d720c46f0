/**
 * `cnn.predict`: applies a `cnn.train` model (its `model` dir + `model_meta`) to a `spectra`
 * input, block by block in batches, so memory grows with the data only. Output `predictions`
 * (docs/CONTRACTS.md) with σ̂, conformal intervals (g/kg) and the applicability-domain flag.
 * With a `samples` input, observed values fill `observed` and labelled samples get the split
 * the training run assigned them (same keyed split options, stored in model_meta); otherwise
 * every row is `unlabelled`.
 *
 * Options and model_meta: predict-options.ts; model_meta check, uncertainty settings and the
 * samples lookup: predict-setup.ts; per-block grid check, finite rows and rows: predict-rows.ts.
 */
// tf-free imports only; the tfjs-using core loads inside run() (tf-core.ts).
import { tasksOf } from "../../core/cnn/config.js";
import { blockShape } from "../../core/spectra/block.js";
import type { Table } from "../../core/table.js";
import { defineStep } from "../../engine/step.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";
import { cnnPredictOptions } from "./predict-options.js";
import { finiteRows, pushBlockPredictions, requireModelGrid } from "./predict-rows.js";
import { readModelMeta, sampleLookup, uncertaintyMeta } from "./predict-setup.js";
import { loadTfCore } from "./tf-core.js";

export { cnnPredictOptions, type CnnModelMeta } from "./predict-options.js";

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
    const meta = await readModelMeta(modelInput);
    const bundle = await loadCnn(modelInput.dir("model"));
    // Not while a CNN step of this process trains in-process on the shared engine (`run --jobs 2`);
    // the predictions below are synchronous, so nothing can switch the backend under them.
    const backend = await withTfLock(() => initBackend(o.backend));
    const blocks = await inputs.find("spectra").spectra("spectra");
    const p = meta.grid.length;
    // Optional samples: observed values, source/depth, and the training split of labelled rows.
    const sampleInput = inputs.findAll("samples")[0];
    const samples: Table | null = sampleInput ? await sampleInput.table("samples") : null;
    const lookup = sampleLookup(samples, meta);
    const tasks = tasksOf(bundle.config.target);
    const um = uncertaintyMeta(meta, tasks);

    const predictions = new PredictionsBuilder();
    let total = 0;
    for (const b of blocks) total += b.ids.length;
    const progress = ctx.progress("cnn.predict", total, "spectra");
    for (const b of blocks) {
      const { rows } = blockShape(b);
      requireModelGrid(b, meta.grid);
      // Rows with non-finite values cannot be predicted: skip them (counted in the record).
      const { finite, x } = finiteRows(b, rows, p);
      pushBlockPredictions(predictions, b, finite, predictWithUncertainty(bundle, um, x, o.batch), tasks, lookup);
      progress.tick(rows);
      if (finite.length < rows) ctx.log(`block "${b.source}": ${rows - finite.length} spectra with non-finite values skipped`);
    }
    progress.done();
    await ctx.outputs.table("predictions", predictions.build());
    ctx.record({ backend, predicted: predictions.length / tasks.length });
  },
});
