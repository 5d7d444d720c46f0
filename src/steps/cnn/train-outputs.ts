/**
 * What `cnn.train` writes from the trained model: `predictions` (the shared contract,
 * src/contracts/predictions.ts), `history`, `model_meta`, and the run's facts and log line.
 */
import { C_MAX_GKG, OM_MAX_GKG } from "../../core/cnn/config.js";
import type { TaskOutput } from "../../core/cnn/predict.js";
import type { Table } from "../../core/table.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";
import type { StepContext } from "../../engine/step.js";
import type { Calibration, Trained } from "./train-fit.js";
import type { CnnTrainOptions } from "./train-options.js";
import { TARGET_COLUMN } from "../shared/target-column.js";
import type { Prepared } from "./train-setup.js";

/** Per epoch of each member. */
export function historyTable(h: Trained["history"]): Table {
  return {
    member: Float64Array.from(h, (e) => e.member),
    epoch: Float64Array.from(h, (e) => e.epoch),
    loss: Float64Array.from(h, (e) => e.loss),
    val_loss: Float64Array.from(h, (e) => e.valLoss),
    lr: Float64Array.from(h, (e) => e.lr),
  };
}

/** Run facts and the log line. Timings are facts of this run (the run record), never part of the artifact. */
export function logRun(ctx: StepContext, d: Prepared, trained: Trained, seconds: number, o: CnnTrainOptions): void {
  const { backend } = trained.results[trained.results.length - 1]!;
  const usedThreads = threadsPerModel(trained);
  const sps = trained.samplesPerS;
  ctx.record({
    backend,
    threads: usedThreads,
    workers: trained.policy.workers,
    seed: o.seed,
    cnn_samples_per_s: Math.round(sps),
    cnn_n_train: d.data.train.length,
    cnn_tier: d.resolved.tier,
    cnn_seconds: Math.round(seconds * 10) / 10,
  });
  ctx.log(
    `cnn ${o.target}: backend ${backend}, ${usedThreads} thread(s), ${Math.round(sps)} samples/s; train ${d.data.train.length}, ` +
      `val ${d.data.val.length}, cal ${d.cal.length}, predicted ${d.sm.sampleRow.length}; best epoch ${trained.results.map((r) => r.bestEpoch).join(",")}`,
  );
}

/** Threads per model (what the numbers depend on); how many workers ran is a run fact. */
const threadsPerModel = (t: Trained) => (t.policy.concurrent ? 1 : t.results[t.results.length - 1]!.threads);

/** One row per task and spectrum, task by task, each in sample order. */
export function predictionsTable(d: Prepared, outs: TaskOutput[], inDom: ArrayLike<boolean> | null): Table {
  const { ids, sources, depth, values } = d.samples;
  const predictions = new PredictionsBuilder();
  d.tasks.forEach((t, k) => {
    const out = outs[k]!;
    for (let r = 0; r < d.sm.sampleRow.length; r++) {
      const i = d.sm.sampleRow[r]!;
      const obs = values[k]![i]!;
      predictions.push({
        sample_id: ids[i] ?? null,
        target: t,
        split: Number.isFinite(obs) ? d.splitOf[i]! : "unlabelled",
        source: sources[i] ?? null,
        depth_top_cm: depth[i]!,
        observed: obs,
        predicted: out.predicted[r]!,
        sd: out.sd[r]!,
        pi_low: out.piLow[r]!,
        pi_high: out.piHigh[r]!,
        in_domain: inDom ? inDom[r]! : null,
      });
    }
  });
  return predictions.build();
}

/** model_meta: the model, its scaling, calibration and domain, the split and what ran. */
export function modelMeta(d: Prepared, trained: Trained, c: Calibration, o: CnnTrainOptions) {
  const { config, resolved, tasks } = d;
  const memberCount = resolved.members;
  return {
    model: o.target === "multi" ? "cnn-multitask" : "cnn",
    format: "somflow-cnn/1",
    targets: tasks,
    target_columns: tasks.map((t) => TARGET_COLUMN[t]),
    transform: "log1p",
    output_bounds: {
      c_gkg: [0, C_MAX_GKG],
      om_gkg: o.target === "multi" ? `C·r, r = OM/C ∈ [1, min(2.5, ${OM_MAX_GKG}/(C+1))]` : [0, OM_MAX_GKG],
    },
    standardization: d.stats,
    input_scaling: { centering: "per-point training mean (weights: input/mean)", scale: c.input.scale },
    grid: Array.from(d.sm.wavenumbers),
    architecture: config.arch,
    uncertainty: resolved.uncertainty,
    members: memberCount,
    pi_level: o.pi_level,
    conformal: {
      kind: config.variance || memberCount > 1 ? "split, normalized |log1p y − ŷ|/σ̂" : "split, absolute log1p residual",
      quantile: c.q,
      n_cal: c.nCal,
    },
    domain: c.domain,
    split: d.split,
    // The training settings after the n-dependent defaults (cnnDefaultsForN): what ran.
    resolved,
    n_train: d.data.train.length,
    n_val: d.data.val.length,
    n_cal: d.cal.length,
    n_predicted: d.sm.sampleRow.length,
    best_epoch: trained.results.map((r) => r.bestEpoch),
    backend: trained.results[trained.results.length - 1]!.backend,
    threads: threadsPerModel(trained),
    seed: o.seed,
  };
}
