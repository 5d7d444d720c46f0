/**
 * `cnn.train`: a 1-D CNN (TensorFlow.js) for organic C, OM, or both (multi-task, masked loss),
 * on spectra matched to `samples` by sample_id. An adapter: the model is src/core/cnn (bounded
 * outputs: model.ts; n-dependent defaults: cnnDefaultsForN in config.ts), its training data,
 * standardization and conformal calibration src/core/cnn/training-data.ts, the thread policy
 * thread-policy.ts, the training loop and workers src/runtime/cnn. Here: options in
 * train-options.ts, inputs → data in train-setup.ts, training and calibration in train-fit.ts,
 * tables and metadata in train-outputs.ts.
 *
 * - Split: the same options and assignment as baseline.plsr (src/steps/shared/split-options.ts),
 *   so all models are scored on the same held-out samples. train fits, val drives early
 *   stopping and the LR schedule, cal calibrates the conformal interval, test is scored.
 * - Uncertainty: "nll" = mean–variance head trained with Gaussian NLL; "ensemble" = `members`
 *   independently seeded nets, σ̂ from their spread; "none" = plain MSE, intervals from
 *   absolute log residuals. σ̂ is calibrated by split-conformal normalized scores on cal.
 * - Targets log1p(g/kg), standardized and bounded by construction (src/core/cnn/model.ts):
 *   0 ≤ C ≤ 580, and in the multi-task model C ≤ OM < 1000. Multi-task loss = mean over all
 *   labels in the batch (each C or OM label weighs the same; a per-task mean over-weighted the
 *   ~10 % OM labels and early-stopped C).
 * - Applicability domain: PCA (T² and Q, training 99th percentiles) of the training spectra.
 * - Inputs centred per point and divided by one global SD (keeps relative band intensities).
 *   Demo results (CNN vs PLSR RMSE, coverage) are in bench/RESULTS.md; pipelines/demo.yaml gates them.
 * Outputs: `model` (dir: model.json + weights.bin), `model_meta`, `predictions`, `history`
 * (metrics come from metrics.evaluate, the one writer of the metrics table).
 */
// Only tf-free modules load eagerly: the tfjs-using core is imported inside run() (see loadTfCore),
// so listing/planning pipelines (the CLI registry imports every step) never loads TensorFlow.js.
import type { CnnBundle, UncertaintyMeta } from "../../core/cnn/predict.js";
import { domainScores } from "../../core/stats/domain.js";
import { defineStep } from "../../engine/step.js";
import { loadTfCore } from "./tf-core.js";
import { calibrate, trainWithProgress } from "./train-fit.js";
import { cnnTrainOptions } from "./train-options.js";
import { historyTable, logRun, modelMeta, predictionsTable } from "./train-outputs.js";
import { prepare } from "./train-setup.js";

export const cnnTrainStep = defineStep({
  type: "cnn.train",
  version: 1,
  description: "1-D CNN (TensorFlow.js) for soil C / OM with bounded outputs, conformal intervals and a PCA domain check",
  options: cnnTrainOptions,
  outputs: ["model", "model_meta", "predictions", "history"],
  // The native backends too: installing one changes the numerics, so it reruns training.
  packages: ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"],
  // Under SLURM: two cores (ensemble members or data-parallel replicas side by side) and room for the model.
  resources: { cpus: 2, memMiB: 4096, timeMinutes: 240 },
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const t0 = performance.now();
    const tf = await loadTfCore();
    const d = prepare(await inputs.find("samples").table("samples"), await inputs.find("spectra").spectra("spectra"), o);
    const { sm } = d;
    const p = sm.wavenumbers.length;
    const input = tf.fitInputScaling(sm.values, p, d.data.train);
    const trained = await trainWithProgress(ctx, tf, d, tf.scaleRows(sm.values, p, input), o);
    const bundle: CnnBundle = {
      config: d.config,
      stats: d.stats,
      input,
      members: trained.results.map((r) => ({ weights: r.weights, state: r.state })),
    };
    const { raw, c } = await calibrate(ctx, tf, d, bundle, o);
    const meta: UncertaintyMeta = { level: o.pi_level, q: c.q, domain: c.domain };
    const outs = tf.finishTasks(o.target, raw, meta);
    await ctx.outputs.table("predictions", predictionsTable(d, outs, c.domain ? domainScores(c.domain, sm.values, p).inDomain : null));
    await ctx.outputs.table("history", historyTable(trained.history));
    await tf.saveCnn(await ctx.outputs.dir("model"), bundle);
    const seconds = (performance.now() - t0) / 1000;
    await ctx.outputs.json("model_meta", modelMeta(d, trained, c, o));
    logRun(ctx, d, trained, seconds, o);
  },
});
