/**
 * `cnn.train`: a 1-D CNN (TensorFlow.js) for organic C, OM, or both (multi-task, masked loss),
 * on spectra matched to `samples` by sample_id. An adapter: the model is src/core/cnn (bounded
 * outputs: model.ts; n-dependent defaults: cnnDefaultsForN in config.ts), its training data,
 * standardization and conformal calibration src/core/cnn/training-data.ts, the thread policy
 * thread-policy.ts, the training loop and workers src/runtime/cnn.
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
import { C_MAX_GKG, OM_MAX_GKG, layoutOf, tasksOf, type CnnConfig, type TargetStats, type TaskName } from "../../core/cnn/config.js";
import type { CnnBundle, InputScaling, TaskOutput, UncertaintyMeta } from "../../core/cnn/predict.js";
import type { EpochProgress, TrainResult } from "../../runtime/cnn/train.js";
import { calibrationRows, cnnTargets, conformalByTask, splitRows, targetStandardization } from "../../core/cnn/training-data.js";
import { threadPolicy, type ThreadPolicy } from "../../core/cnn/thread-policy.js";
import { domainScores, fitDomain, type DomainModel } from "../../core/stats/domain.js";
import type { SplitName } from "../../core/stats/split.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { defineStep, StepInputError, type StepContext } from "../../engine/step.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { spectraMatrix, type SpectraMatrix } from "../shared/spectra-matrix.js";
import { splitSamples, stepSplit } from "../shared/split-options.js";
import { CnnOptionError } from "../../core/cnn/errors.js";
import { cnnTrainOptions, configFromOptions, resolveTraining, type CnnTrainOptions, type ResolvedTraining } from "./train-options.js";
import { loadTfCore } from "./tf-core.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";

const COLUMN: Record<TaskName, string> = { c: "c_gkg", om: "om_gkg" };

type TfCore = Awaited<ReturnType<typeof loadTfCore>>;

/** A run's data: spectra matched to samples, log1p targets, the split and the resolved settings. */
interface Prepared {
  tasks: TaskName[];
  samples: { ids: readonly (string | null)[]; sources: readonly (string | null)[]; depth: Float64Array; values: Float64Array[] };
  sm: SpectraMatrix;
  yCal: Float32Array[];
  data: { y: Float32Array[]; train: Int32Array; val: Int32Array };
  calRows: number[][];
  cal: Int32Array;
  split: ReturnType<typeof stepSplit>;
  splitOf: SplitName[];
  resolved: ResolvedTraining;
  config: CnnConfig;
  stats: TargetStats;
}

function prepare(samples: Table, blocks: SpectraBlock[], o: CnnTrainOptions): Prepared {
  const n = tableRowCount(samples);
  const tasks = tasksOf(o.target);
  for (const t of tasks) {
    if (!(samples[COLUMN[t]] instanceof Float64Array)) {
      throw new StepInputError(`samples has no numeric column "${COLUMN[t]}" needed by option target=${o.target}`);
    }
  }
  const ids = textColumn(samples, "sample_id");
  const sources = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
  const depth = samples.depth_top_cm instanceof Float64Array ? samples.depth_top_cm : new Float64Array(n).fill(NaN);
  const exclude = Array.isArray(samples.exclude_train) ? (samples.exclude_train as (boolean | null)[]) : null;
  const values = tasks.map((t) => numberColumn(samples, COLUMN[t]));
  const sm = spectraMatrix(blocks, ids);
  const p = sm.wavenumbers.length;
  if (o.om_split && o.target !== "multi") {
    throw new StepInputError(`option om_split applies to target multi only (target is ${o.target}): use test/val/cal`);
  }
  const { y, yCal } = cnnTargets({ values, exclude, sampleRow: sm.sampleRow }, { calExcluded: o.cal_excluded });
  // n for the defaults: labelled rows outside test and cal (val draws from them; test and cal
  // do not depend on val, so the split without val tells n).
  const splitFor = (val: number) => {
    const sp = stepSplit({ ...o, val }, COLUMN[tasks[0]!], o.om_split);
    return { split: sp, splitOf: splitSamples(samples, sp) };
  };
  const noVal = splitFor(0);
  const resolved = resolveTraining(o, splitRows(noVal.splitOf, sm.sampleRow, y, "train").length);
  const { split, splitOf } = resolved.val === 0 ? noVal : splitFor(resolved.val);
  const config = configFromOptions(o, resolved, p);
  try {
    layoutOf(config);
  } catch (e) {
    throw new StepInputError(`option ${(e as Error).message} (spectra have ${p} points)`);
  }
  const train = splitRows(splitOf, sm.sampleRow, y, "train");
  const val = splitRows(splitOf, sm.sampleRow, y, "val");
  const calRows = calibrationRows(splitOf, sm.sampleRow, yCal);
  if (train.length === 0 || y.every((yk) => !train.some((r) => Number.isFinite(yk[r]!)))) {
    throw new StepInputError(
      `zero labelled ${tasks.map((t) => COLUMN[t]).join("/")} samples with a spectrum in the train split ` +
        `(${sm.sampleRow.length} samples have spectra): check the samples/spectra inputs, exclude_train and the split fractions`,
    );
  }
  return {
    tasks,
    samples: { ids, sources, depth, values },
    sm,
    yCal,
    data: { y, train, val },
    calRows,
    cal: Int32Array.from(new Set(calRows.flat())),
    split,
    splitOf,
    resolved,
    config,
    stats: targetStandardization(o.target, y, train),
  };
}

interface Trained {
  results: TrainResult[];
  /** Per epoch of each member, in (member, epoch) order. */
  history: (EpochProgress & { member: number })[];
  policy: ThreadPolicy;
  samplesPerS: number;
}

/** Trains the member(s) with progress and per-epoch history (trainMembers, threadPolicy). */
async function trainWithProgress(ctx: StepContext, tf: TfCore, d: Prepared, x: Float32Array, o: CnnTrainOptions): Promise<Trained> {
  const { resolved } = d;
  const memberCount = resolved.members;
  const policy = threadPolicy({ requested: o.threads, trainRows: d.data.train.length, members: memberCount, available: ctx.threads });
  const progress = ctx.progress("cnn", resolved.epochs * memberCount, "epochs");
  const history: Trained["history"] = [];
  const trainOpts = {
    epochs: resolved.epochs,
    batch: resolved.batch,
    lr: resolved.lr,
    patience: resolved.patience,
    schedule: resolved.schedule,
    clipNorm: 5,
    backend: o.backend,
    signal: ctx.signal,
  };
  const hooks = {
    onEpoch: (k: number, e: EpochProgress) => {
      history.push({ ...e, member: k });
      // short enough for an 80-column line; NLL = Gaussian negative log-likelihood per label
      // (log1p scale, lower is better), negative once the predicted SD is small
      progress.tick(1, `${memberCount > 1 ? `m${k + 1}/${memberCount} ` : ""}val NLL ${e.valLoss.toFixed(2)}`);
    },
    // Members that stopped early leave ticks unused; keep the bar honest.
    onDone: (res: TrainResult) => {
      if (res.history.length < resolved.epochs) progress.tick(resolved.epochs - res.history.length);
    },
  };
  const seeds = Array.from({ length: memberCount }, (_, k) => o.seed + 7919 * k);
  const { results, samplesPerS } = await tf
    .trainMembers(d.config, d.stats, { x, ...d.data }, trainOpts, seeds, policy, hooks)
    .catch((e: Error): never => {
      if (e instanceof CnnOptionError) throw new StepInputError(`option backend/threads: ${e.message}`);
      throw e;
    });
  // Concurrent members report epochs interleaved: store the history in (member, epoch) order.
  history.sort((a, b) => a.member - b.member || a.epoch - b.epoch);
  const last = results[results.length - 1]!;
  progress.done(`${last.backend}, ${policy.concurrent ? `${policy.workers} members side by side` : `${last.threads} thread(s)`}`);
  return { results, history, policy, samplesPerS };
}

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
    const { sm, tasks } = d;
    const p = sm.wavenumbers.length;
    const input = tf.fitInputScaling(sm.values, p, d.data.train);
    const trained = await trainWithProgress(ctx, tf, d, tf.scaleRows(sm.values, p, input), o);
    const bundle: CnnBundle = {
      config: d.config,
      stats: d.stats,
      input,
      members: trained.results.map((r) => ({ weights: r.weights, state: r.state })),
    };
    // Conformal calibration on cal (log1p scale) and the domain model from train spectra.
    // Inference runs in this thread, on the engine other steps share: under the lock.
    const raw = await tf.withTfLock(async () => {
      await tf.initBackend(o.backend);
      return tf.predictRaw(bundle, sm.values);
    });
    const { q, nCal } = conformalByTask({ tasks, predicted: raw, yCal: d.yCal, calRows: d.calRows }, o.pi_level);
    for (const t of tasks) {
      if (nCal[t] === 0) ctx.log(`no calibration samples for ${t}: prediction intervals are NaN`);
      else if (q[t] === Infinity) ctx.log(`only ${nCal[t]} calibration samples for ${t}: the ${o.pi_level} interval is unbounded`);
    }
    const domain =
      o.domain_components > 0 && d.data.train.length >= 3
        ? fitDomain(sm.values, p, d.data.train, { components: o.domain_components, seed: o.seed })
        : null;
    const meta: UncertaintyMeta = { level: o.pi_level, q, domain };
    const outs = tf.finishTasks(o.target, raw, meta);
    await ctx.outputs.table("predictions", predictionsTable(d, outs, domain ? domainScores(domain, sm.values, p).inDomain : null));
    const h = trained.history;
    await ctx.outputs.table("history", {
      member: Float64Array.from(h, (e) => e.member),
      epoch: Float64Array.from(h, (e) => e.epoch),
      loss: Float64Array.from(h, (e) => e.loss),
      val_loss: Float64Array.from(h, (e) => e.valLoss),
      lr: Float64Array.from(h, (e) => e.lr),
    });
    await tf.saveCnn(await ctx.outputs.dir("model"), bundle);
    const seconds = (performance.now() - t0) / 1000;
    await ctx.outputs.json("model_meta", modelMeta(d, trained, { input, q, nCal, domain }, o));
    logRun(ctx, d, trained, seconds, o);
  },
});

/** Run facts and the log line. Timings are facts of this run (the run record), never part of the artifact. */
function logRun(ctx: StepContext, d: Prepared, trained: Trained, seconds: number, o: CnnTrainOptions): void {
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
function predictionsTable(d: Prepared, outs: TaskOutput[], inDom: ArrayLike<boolean> | null): Table {
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

interface Calibration {
  input: InputScaling;
  q: UncertaintyMeta["q"];
  nCal: Partial<Record<TaskName, number>>;
  domain: DomainModel | null;
}

function modelMeta(d: Prepared, trained: Trained, c: Calibration, o: CnnTrainOptions) {
  const { config, resolved, tasks } = d;
  const memberCount = resolved.members;
  return {
    model: o.target === "multi" ? "cnn-multitask" : "cnn",
    format: "somflow-cnn/1",
    targets: tasks,
    target_columns: tasks.map((t) => COLUMN[t]),
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
