/**
 * `cnn.train`: a 1-D CNN (TensorFlow.js) for organic C, OM, or both (multi-task, masked loss),
 * on spectra matched to `samples` by sample_id. Thin adapter over src/core/cnn.
 *
 * - Split: the same options and assignment as baseline.plsr (src/steps/split-options.ts:
 *   random, by source, by lat/lon cell, or fold `test_fold` of a k-fold), so all models are
 *   scored on the same held-out samples.
 *   train fits, val drives early stopping and the LR schedule, cal calibrates the conformal
 *   interval, test is scored. Samples with `exclude_train` or a negative label are predicted
 *   but not fitted on; excluded cal rows with a usable label do calibrate (`cal_excluded`),
 *   since test is scored on every labelled row, flagged ones included.
 * - Targets log1p(g/kg), standardized and bounded by construction (src/core/cnn/model.ts):
 *   0 ≤ C ≤ 580, and in the multi-task model C ≤ OM < 1000 via a sigmoid OM/C ratio in [1, 2.5].
 * - Uncertainty: "nll" (default) = mean–variance head trained with Gaussian NLL, σ̂ per sample
 *   at ~no extra cost; "ensemble" = `members` independently seeded nets, σ̂ from their spread
 *   (and heads), costing `members`× the training work (on ≥ 2 threads the members train side
 *   by side, one worker each); "none" = plain MSE, intervals from
 *   absolute log residuals. σ̂ is calibrated by split-conformal normalized scores on cal.
 * - Applicability domain: PCA (T² and Q, training 99th percentiles) of the training spectra.
 * - Defaults depend on n, the labelled rows the model can fit on (cnnDefaultsForN,
 *   src/core/cnn/config.ts; resolved values in model_meta.resolved): below 300 no validation
 *   split, 60 fixed epochs (cosine LR 2e-3), batch 16, the small net, MSE and a 5-member
 *   ensemble; from 300 the settings chosen on the demo library (n = 3000, 774 points at 4 cm-1):
 *   the lean 4-block net of DEFAULT_ARCH (8k9/16k7/32k5/32k3, max-pool 2 each, flatten → dense
 *   64, dropout 0.2), Adam lr 1e-3 halved on val plateaus, batch 32 (64 from 2,000), early
 *   stopping (patience 15) restoring the best-val weights. Inputs centred per point and divided
 *   by one global SD (keeps relative band intensities). Multi-task loss = mean over all labels in the batch (each C or OM label
 *   weighs the same; a per-task mean over-weighted the ~10 % OM labels and early-stopped C).
 *   Demo results (CNN vs PLSR RMSE, coverage) are in bench/RESULTS.md; pipelines/demo.yaml gates them.
 * Outputs: `model` (dir: model.json + weights.bin), `model_meta`, `predictions`, `history`,
 * (metrics come from metrics.evaluate, the one writer of the metrics table).
 */
import { z } from "zod";
// Only tf-free modules load eagerly: the tfjs-using core is imported inside run() (see loadTfCore),
// so listing/planning pipelines (the CLI registry imports every step) never loads TensorFlow.js.
import {
  BACKEND_CHOICES,
  C_MAX_GKG,
  cnnDefaultsForN,
  DEFAULT_ARCH,
  OM_MAX_GKG,
  SMALL_ARCH,
  layoutOf,
  tasksOf,
  type ArchitectureConfig,
  type CnnAutoSettings,
  type CnnConfig,
  type TargetStats,
  type TaskName,
} from "../../core/cnn/config.js";
import type { CnnBundle, UncertaintyMeta } from "../../core/cnn/predict.js";
import type { EpochProgress, TrainResult } from "../../runtime/cnn/train.js";
import { VAN_BEMMELEN } from "../../core/chemometrics/physical-range.js";
import { conformalQuantile, normalizedScores } from "../../core/stats/conformal.js";
import { domainScores, fitDomain } from "../../core/stats/domain.js";
import type { SplitName } from "../../core/stats/split.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";
import { omSplitOption, splitOptionFields, splitSamples, stepSplit } from "../shared/split-options.js";
import { CnnOptionError } from "../../core/cnn/errors.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";

const convBlock = z.strictObject({
  filters: z.number().int().min(1).max(1024),
  kernel: z.number().int().min(1),
  /** Max-pool size after the block; 1 = none. */
  pool: z.number().int().min(1).default(2),
  dropout: z.number().min(0).lt(1).default(0),
  batch_norm: z.boolean().default(false),
});

export const architectureOptions = z.strictObject({
  conv: z
    .array(convBlock)
    .min(1)
    .default(
      DEFAULT_ARCH.conv.map((b) => ({ filters: b.filters, kernel: b.kernel, pool: b.pool, dropout: b.dropout, batch_norm: b.batchNorm })),
    ),
  /** "flatten" keeps band positions (default); "avg" = global average pooling. */
  head_pool: z.enum(["flatten", "avg"]).default(DEFAULT_ARCH.headPool),
  dense: z.array(z.number().int().min(1)).default(DEFAULT_ARCH.dense),
  dense_dropout: z.number().min(0).lt(1).default(DEFAULT_ARCH.denseDropout),
});

export const cnnTrainOptions = z.strictObject({
  /** c, om, or multi (both, masked multi-task loss). */
  target: z.enum(["c", "om", "multi"]),
  // Unset training options take the n-dependent defaults (cnnDefaultsForN, src/core/cnn/config.ts).
  /** Unset: the small net below 300 fitting rows, else DEFAULT_ARCH. */
  architecture: architectureOptions.optional(),
  epochs: z.number().int().min(1).optional(),
  batch: z.number().int().min(2).optional(),
  lr: z.number().positive().optional(),
  /** Early-stopping patience (epochs without val improvement); 0 = off. */
  patience: z.number().int().min(0).optional(),
  schedule: z.enum(["plateau", "cosine", "constant"]).optional(),
  /** Seed of the initial weights and batch order; the split has its own split_seed. */
  seed: z.number().int().default(1),
  /** Split options, identical to baseline.plsr (src/steps/split-options.ts). */
  ...splitOptionFields,
  /** Validation fraction (early stopping); unset: 0 below 300 fitting rows, else 0.1. */
  val: z.number().min(0).lt(1).optional(),
  /**
   * Target multi: split fractions for the rows that have an OM label (the others use
   * test/val/cal). With ~10 % OM labels the default 15 % test and cal hold too few OM samples to
   * measure OM coverage (±0.04 at ~50); `{test: 0.3, cal: 0.3}` doubles them — the OM split of an
   * OM-only model with test/cal 0.3, so both are scored on the same OM samples — while C keeps
   * its training rows.
   */
  om_split: omSplitOption.optional(),
  /** σ̂ source: mean–variance head (nll), an ensemble, or none (absolute-residual intervals). */
  /** Unset: ensemble below 300 fitting rows, else nll. */
  uncertainty: z.enum(["nll", "ensemble", "none"]).optional(),
  /** Ensemble size when uncertainty = ensemble (default 5). */
  members: z.number().int().min(2).max(20).optional(),
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /**
   * Calibrate on QC-excluded cal rows too (default): metrics.evaluate scores every labelled test
   * row, flagged ones included, and split conformal needs cal and test from the same population.
   */
  cal_excluded: z.boolean().default(true),
  /** PCA components of the applicability domain (0 = no domain check). */
  domain_components: z.number().int().min(0).max(50).default(5),
  backend: z.enum(BACKEND_CHOICES).default("auto"),
  /**
   * Worker threads for data-parallel training; 0 = auto: 1 below 512 training spectra, else 2 —
   * chosen from the data, never from the machine, since the data-parallel gradient sum changes
   * the numbers in the last bits (a run is bitwise reproducible given threads).
   */
  threads: z.number().int().min(0).max(64).default(0),
});

export type CnnTrainOptions = z.output<typeof cnnTrainOptions>;

/** Training settings after the n-dependent defaults (model_meta.resolved). */
export interface ResolvedTraining {
  tier: CnnAutoSettings["tier"];
  n_fit: number;
  epochs: number;
  batch: number;
  lr: number;
  patience: number;
  schedule: "plateau" | "cosine" | "constant";
  val: number;
  uncertainty: "nll" | "ensemble" | "none";
  members: number;
  architecture: "small" | "default" | "given";
}

/** Explicit options win; the rest come from cnnDefaultsForN(nFit). */
export function resolveTraining(o: CnnTrainOptions, nFit: number): ResolvedTraining {
  const a = cnnDefaultsForN(nFit);
  const uncertainty = o.uncertainty ?? a.uncertainty;
  const patience = o.patience ?? a.patience;
  const schedule = o.schedule ?? a.schedule;
  // Early stopping or a plateau schedule asked for explicitly: they need validation rows.
  const needsVal = patience > 0 || schedule === "plateau";
  const val = o.val ?? (needsVal ? Math.max(a.val, 0.1) : a.val);
  if (needsVal && val === 0) {
    throw new StepInputError(
      `option val=0 leaves no validation rows for ${patience > 0 ? `patience=${patience}` : "schedule=plateau"}: set val > 0, or patience: 0 and schedule: cosine`,
    );
  }
  return {
    tier: a.tier,
    n_fit: nFit,
    epochs: o.epochs ?? a.epochs,
    batch: o.batch ?? a.batch,
    lr: o.lr ?? a.lr,
    patience,
    schedule,
    val,
    uncertainty,
    members: uncertainty === "ensemble" ? (o.members ?? a.members) : 1,
    architecture: o.architecture ? "given" : a.arch,
  };
}

export function configFromOptions(o: CnnTrainOptions, r: ResolvedTraining, inputPoints: number): CnnConfig {
  const given = o.architecture;
  const arch: ArchitectureConfig = given
    ? {
        conv: given.conv.map((b) => ({ filters: b.filters, kernel: b.kernel, pool: b.pool, dropout: b.dropout, batchNorm: b.batch_norm })),
        headPool: given.head_pool,
        dense: given.dense,
        denseDropout: given.dense_dropout,
      }
    : r.architecture === "small"
      ? SMALL_ARCH
      : DEFAULT_ARCH;
  return { inputPoints, target: o.target, variance: r.uncertainty === "nll", arch };
}

const COLUMN: Record<TaskName, string> = { c: "c_gkg", om: "om_gkg" };

function meanSd(values: number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
  return { mean, sd: Math.sqrt(v) };
}

/** The tfjs-using core, loaded on first use (dynamic import: ~1 s of tfjs start-up only when training). */
export async function loadTfCore() {
  const [backend, io, parallel, predict, train] = await Promise.all([
    import("../../runtime/cnn/backend.js"),
    import("../../runtime/cnn/io.js"),
    import("../../runtime/cnn/parallel.js"),
    import("../../core/cnn/predict.js"),
    import("../../runtime/cnn/train.js"),
  ]);
  return { ...backend, ...io, ...parallel, ...predict, ...train };
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
    const {
      initBackend,
      saveCnn,
      finishTasks,
      fitInputScaling,
      predictRaw,
      scaleRows,
      trainCnn,
      trainConcurrently,
      trainInWorker,
      withTfLock,
    } = await loadTfCore();
    const samples = await inputs.find("samples").table("samples");
    const blocks = await inputs.find("spectra").spectra("spectra");
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
    const m = sm.sampleRow.length;
    if (o.om_split && o.target !== "multi") {
      throw new StepInputError(`option om_split applies to target multi only (target is ${o.target}): use test/val/cal`);
    }
    // Targets on the log1p scale per matrix row; NaN = missing or not usable for fitting.
    const y = tasks.map((_, k) =>
      Float32Array.from(sm.sampleRow, (i) => {
        const v = values[k]![i]!;
        return Number.isFinite(v) && v >= 0 && exclude?.[i] !== true ? Math.log1p(v) : NaN;
      }),
    );
    const rowsIn = (splitOf: readonly SplitName[], s: SplitName) => {
      const out: number[] = [];
      for (let r = 0; r < m; r++) if (splitOf[sm.sampleRow[r]!] === s && y.some((yt) => Number.isFinite(yt[r]!))) out.push(r);
      return Int32Array.from(out);
    };
    // n for the defaults: labelled rows outside test and cal (val draws from them; test and cal
    // do not depend on val, so the split without val tells n).
    const splitFor = (val: number) => {
      const sp = stepSplit({ ...o, val }, COLUMN[tasks[0]!], o.om_split);
      return { split: sp, splitOf: splitSamples(samples, sp) };
    };
    const noVal = splitFor(0);
    const resolved = resolveTraining(o, rowsIn(noVal.splitOf, "train").length);
    const { split, splitOf } = resolved.val === 0 ? noVal : splitFor(resolved.val);
    const rowsOf = (s: SplitName) => rowsIn(splitOf, s);
    const config = configFromOptions(o, resolved, p);
    try {
      layoutOf(config);
    } catch (e) {
      throw new StepInputError(`option ${(e as Error).message} (spectra have ${p} points)`);
    }
    const train = rowsOf("train");
    const val = rowsOf("val");
    // Calibration labels: like y, but QC-excluded rows count when cal_excluded (see the header).
    const yCal = tasks.map((_, k) =>
      Float32Array.from(sm.sampleRow, (i) => {
        const v = values[k]![i]!;
        return Number.isFinite(v) && v >= 0 && (o.cal_excluded || exclude?.[i] !== true) ? Math.log1p(v) : NaN;
      }),
    );
    const calRows = tasks.map((_, k) =>
      Array.from({ length: m }, (_, r) => r).filter((r) => splitOf[sm.sampleRow[r]!] === "cal" && Number.isFinite(yCal[k]![r]!)),
    );
    const cal = Int32Array.from(new Set(calRows.flat()));
    const labelledTrain = tasks.map((_, k) => Array.from(train).filter((r) => Number.isFinite(y[k]![r]!)).length);
    if (train.length === 0 || labelledTrain.every((c) => c === 0)) {
      throw new StepInputError(
        `zero labelled ${tasks.map((t) => COLUMN[t]).join("/")} samples with a spectrum in the train split ` +
          `(${m} samples have spectra): check the samples/spectra inputs, exclude_train and the split fractions`,
      );
    }
    // Standardization per task from the train rows; a task without train labels borrows C's.
    const stats: TargetStats = { mean: { c: NaN, om: NaN }, sd: { c: NaN, om: NaN }, ratio0: VAN_BEMMELEN };
    tasks.forEach((t, k) => {
      const ms = meanSd(
        Array.from(train)
          .map((r) => y[k]![r]!)
          .filter(Number.isFinite),
      );
      stats.mean[t] = ms.mean;
      stats.sd[t] = ms.sd > 1e-3 ? ms.sd : 1;
    });
    if (o.target === "multi") {
      const ratios: number[] = [];
      for (const r of train) {
        const c = Math.expm1(y[0]![r]!);
        const om = Math.expm1(y[1]![r]!);
        if (c > 0 && om > 0) ratios.push(om / c);
      }
      if (ratios.length) stats.ratio0 = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
      if (!Number.isFinite(stats.mean.om)) {
        stats.mean.om = stats.mean.c + Math.log(stats.ratio0);
        stats.sd.om = stats.sd.c;
      }
    }
    for (const t of tasks) {
      if (!Number.isFinite(stats.mean[t])) {
        stats.mean[t] = Math.log1p(20);
        stats.sd[t] = 1;
      }
    }

    const input = fitInputScaling(sm.values, p, train);
    const xScaled = scaleRows(sm.values, p, input);
    const threads = o.threads > 0 ? o.threads : train.length < 512 ? 1 : 2;
    const memberCount = resolved.members;
    const progress = ctx.progress("cnn", resolved.epochs * memberCount, "epochs");
    const history: (EpochProgress & { member: number })[] = [];
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
    const onEpoch = (k: number, e: EpochProgress) => {
      history.push({ ...e, member: k });
      // short enough for an 80-column line; NLL = Gaussian negative log-likelihood per label
      // (log1p scale, lower is better), negative once the predicted SD is small
      progress.tick(1, `${memberCount > 1 ? `m${k + 1}/${memberCount} ` : ""}val NLL ${e.valLoss.toFixed(2)}`);
    };
    // Members that stopped early leave ticks unused; keep the bar honest.
    const finishTicks = (res: TrainResult) => {
      if (res.history.length < resolved.epochs) progress.tick(resolved.epochs - res.history.length);
    };
    const seeds = Array.from({ length: memberCount }, (_, k) => o.seed + 7919 * k);
    const data = { x: xScaled, y, train, val };
    // An ensemble on ≥ 2 threads trains its members side by side, one core each (trainConcurrently:
    // no per-batch barrier; median +23 % samples/s over data-parallel on the reference net,
    // bench/RESULTS.md); a single model goes data-parallel.
    // Members train single-threaded either way (bit-identical side by side or in turn), so how
    // many run at once may follow the cores this step was given without changing a number.
    const workers = memberCount > 1 ? Math.min(memberCount, threads > 1 ? threads : Math.max(1, ctx.threads)) : 1;
    const concurrent = workers > 1;
    // One thread (e.g. `run --jobs 2` gives each step one): a large model still trains in a worker
    // of its own, so it does not hold this process's event loop and another step's CNN can run
    // beside it (same numbers as in-process; a worker costs ~1 s to start, so not for small data).
    const inWorker = !concurrent && threads === 1 && train.length >= 512;
    // In-process training shares this process's one tfjs engine with any other CNN step running
    // beside it (`run --jobs 2`): take turns (withTfLock); workers have engines of their own.
    const trainOne: typeof trainCnn = inWorker
      ? trainInWorker
      : threads === 1
        ? (...args) => withTfLock(() => trainCnn(...args))
        : trainCnn;
    const fail = (e: Error): never => {
      if (e instanceof CnnOptionError) throw new StepInputError(`option backend/threads: ${e.message}`);
      throw e;
    };
    const tc = performance.now();
    let results: TrainResult[] = [];
    if (concurrent) {
      results = await trainConcurrently(config, stats, data, trainOpts, seeds, workers, onEpoch).catch(fail);
      results.forEach(finishTicks);
    } else {
      for (let k = 0; k < memberCount; k++) {
        const res = await trainOne(config, stats, data, { ...trainOpts, seed: seeds[k]!, threads, onEpoch: (e) => onEpoch(k, e) }).catch(
          fail,
        );
        finishTicks(res);
        results.push(res);
      }
    }
    const last = results[results.length - 1]!;
    const members: CnnBundle["members"] = results.map((r) => ({ weights: r.weights, state: r.state }));
    const bestEpochs = results.map((r) => r.bestEpoch);
    const backend = last.backend;
    // Threads per model (what the numbers depend on); how many workers ran is a run fact.
    const usedThreads = concurrent ? 1 : last.threads;
    // Side by side: samples of all members over the wall time (worker start and val passes included).
    const sps = concurrent ? results.reduce((a, r) => a + r.samples, 0) / ((performance.now() - tc) / 1000) : last.samplesPerS;
    // Concurrent members report epochs interleaved: store the history in (member, epoch) order.
    history.sort((a, b) => a.member - b.member || a.epoch - b.epoch);
    progress.done(`${backend}, ${concurrent ? `${workers} members side by side` : `${usedThreads} thread(s)`}`);
    const bundle: CnnBundle = { config, stats, input, members };

    // Conformal calibration on cal (log1p scale) and the domain model from train spectra.
    // Inference runs in this thread, on the engine other steps share: under the lock.
    const raw = await withTfLock(async () => {
      await initBackend(o.backend);
      return predictRaw(bundle, sm.values);
    });
    const q: UncertaintyMeta["q"] = {};
    const nCal: Partial<Record<TaskName, number>> = {};
    tasks.forEach((t, k) => {
      const rows = calRows[k]!;
      nCal[t] = rows.length;
      if (rows.length === 0) {
        ctx.log(`no calibration samples for ${t}: prediction intervals are NaN`);
        return;
      }
      const tHat = rows.map((r) => raw[t].t[r]!);
      const sig = rows.map((r) => (Number.isNaN(raw[t].sdLog[r]!) ? 1 : raw[t].sdLog[r]!));
      const qk = conformalQuantile(
        normalizedScores(
          rows.map((r) => yCal[k]![r]!),
          tHat,
          sig,
        ),
        o.pi_level,
      );
      if (qk === Infinity) ctx.log(`only ${rows.length} calibration samples for ${t}: the ${o.pi_level} interval is unbounded`);
      q[t] = qk;
    });
    const domain =
      o.domain_components > 0 && train.length >= 3
        ? fitDomain(sm.values, p, train, { components: o.domain_components, seed: o.seed })
        : null;
    const meta: UncertaintyMeta = { level: o.pi_level, q, domain };
    const outs = finishTasks(o.target, raw, meta);
    const inDom = domain ? domainScores(domain, sm.values, p).inDomain : null;

    const predictions = new PredictionsBuilder(); // task by task, each in sample order
    tasks.forEach((t, k) => {
      const out = outs[k]!;
      for (let r = 0; r < m; r++) {
        const i = sm.sampleRow[r]!;
        const obs = values[k]![i]!;
        predictions.push({
          sample_id: ids[i] ?? null,
          target: t,
          split: Number.isFinite(obs) ? splitOf[i]! : "unlabelled",
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
    await ctx.outputs.table("predictions", predictions.build());
    const modelName = o.target === "multi" ? "cnn-multitask" : "cnn";
    await ctx.outputs.table("history", {
      member: Float64Array.from(history, (h) => h.member),
      epoch: Float64Array.from(history, (h) => h.epoch),
      loss: Float64Array.from(history, (h) => h.loss),
      val_loss: Float64Array.from(history, (h) => h.valLoss),
      lr: Float64Array.from(history, (h) => h.lr),
    });
    await saveCnn(await ctx.outputs.dir("model"), bundle);
    const seconds = (performance.now() - t0) / 1000;
    await ctx.outputs.json("model_meta", {
      model: modelName,
      format: "somflow-cnn/1",
      targets: tasks,
      target_columns: tasks.map((t) => COLUMN[t]),
      transform: "log1p",
      output_bounds: {
        c_gkg: [0, C_MAX_GKG],
        om_gkg: o.target === "multi" ? `C·r, r = OM/C ∈ [1, min(2.5, ${OM_MAX_GKG}/(C+1))]` : [0, OM_MAX_GKG],
      },
      standardization: stats,
      input_scaling: { centering: "per-point training mean (weights: input/mean)", scale: input.scale },
      grid: Array.from(sm.wavenumbers),
      architecture: config.arch,
      uncertainty: resolved.uncertainty,
      members: memberCount,
      pi_level: o.pi_level,
      conformal: {
        kind: config.variance || memberCount > 1 ? "split, normalized |log1p y − ŷ|/σ̂" : "split, absolute log1p residual",
        quantile: q,
        n_cal: nCal,
      },
      domain,
      split,
      // The training settings after the n-dependent defaults (cnnDefaultsForN): what ran.
      resolved,
      n_train: train.length,
      n_val: val.length,
      n_cal: cal.length,
      n_predicted: m,
      best_epoch: bestEpochs,
      backend,
      threads: usedThreads,
      seed: o.seed,
    });
    // Timings are facts of this run (the run record), never part of the artifact: two runs of the
    // same inputs give the same artifact hash.
    ctx.record({
      backend,
      threads: usedThreads,
      workers,
      seed: o.seed,
      cnn_samples_per_s: Math.round(sps),
      cnn_n_train: train.length,
      cnn_tier: resolved.tier,
      cnn_seconds: Math.round(seconds * 10) / 10,
    });
    ctx.log(
      `cnn ${o.target}: backend ${backend}, ${usedThreads} thread(s), ${Math.round(sps)} samples/s; train ${train.length}, ` +
        `val ${val.length}, cal ${cal.length}, predicted ${m}; best epoch ${bestEpochs.join(",")}`,
    );
  },
});
