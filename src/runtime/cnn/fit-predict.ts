/**
 * The CNN as one more model family of model selection (src/core/select/nested-cv.ts): fit on
 * some rows of a spectra matrix, predict others, in g/kg. The same net, defaults and training
 * loop as cnn.train (cnnDefaultsForN by the fitting rows, log1p target, bounded head), with a
 * point-prediction (MSE) head at every n — its intervals are CV+ like every other candidate's —
 * and without that step's split, calibration or artifacts. Medium and large tiers stop early on a
 * seeded validation share of the fitting rows, as cnn.train does.
 */
import { cnnDefaultsForN, DEFAULT_ARCH, layoutOf, SMALL_ARCH, type CnnConfig, type TaskName } from "../../core/cnn/config.js";
import { threadPolicy } from "../../core/cnn/thread-policy.js";
import { targetStandardization } from "../../core/cnn/training-data.js";
import { matrixRows } from "../../core/matrix-rows.js";
import { permutation, createRng } from "../../core/random.js";
import type { ExternalFit, ExternalFitter } from "../../core/select/nested-cv.js";
import { initBackend, withTfLock, type BackendChoice } from "./backend.js";
import { fitInputScaling, predictRaw, scaleRows, type CnnBundle } from "../../core/cnn/predict.js";
import { trainMembers } from "./train.js";

export interface CnnFitterOptions {
  task: TaskName;
  seed: number;
  /** Ensemble members; default the n-dependent default (5 below 300 fitting rows, else 1). */
  members?: number;
  /** Epochs; default the n-dependent default. */
  epochs?: number;
  backend: BackendChoice;
  /** Cores the step may use (members train side by side on them). */
  available: number;
}

/** The net cnn.train would build for `p` points and `nFit` fitting rows (by cnnDefaultsForN). */
export function cnnConfigFor(p: number, nFit: number, task: TaskName): CnnConfig {
  const arch = cnnDefaultsForN(nFit).arch === "small" ? SMALL_ARCH : DEFAULT_ARCH;
  return { inputPoints: p, target: task, variance: false, arch };
}

/** Why the CNN cannot take spectra of `p` points with `nFit` fitting rows (null when it can). */
export function cnnInputProblem(p: number, nFit: number, task: TaskName): string | null {
  try {
    layoutOf(cnnConfigFor(p, nFit, task));
    return null;
  } catch (e) {
    return `the CNN's ${cnnDefaultsForN(nFit).arch} net does not fit spectra of ${p} points (${(e as Error).message})`;
  }
}

export function cnnFitter(o: CnnFitterOptions): ExternalFitter {
  return {
    family: "cnn",
    fitPredict: (x, p, y, train, rows) => fitPredictCnn(x, p, y, train, rows, o),
  };
}

async function fitPredictCnn(
  x: Float32Array,
  p: number,
  y: Float64Array,
  train: Int32Array,
  rows: Int32Array,
  o: CnnFitterOptions,
): Promise<ExternalFit> {
  const auto = cnnDefaultsForN(train.length);
  const members = o.members ?? (auto.uncertainty === "ensemble" ? auto.members : 1);
  const epochs = o.epochs ?? auto.epochs;
  // medium/large tiers stop early on a validation share of the fitting rows
  let fit = train;
  let val = new Int32Array(0);
  if (auto.val > 0) {
    const order = permutation(train.length, createRng(o.seed));
    const nVal = Math.max(1, Math.round(auto.val * train.length));
    val = Int32Array.from(order.subarray(0, nVal), (k) => train[k]!);
    fit = Int32Array.from(order.subarray(nVal), (k) => train[k]!);
  }
  const config = cnnConfigFor(p, train.length, o.task);
  const yLog = [Float32Array.from(y, (v) => (Number.isFinite(v) && v >= 0 ? Math.log1p(v) : NaN))];
  const stats = targetStandardization(o.task, yLog, fit);
  const input = fitInputScaling(x, p, fit);
  const scaled = scaleRows(x, p, input);
  const policy = threadPolicy({ requested: 1, trainRows: fit.length, members, available: o.available });
  const seeds = Array.from({ length: members }, (_, k) => o.seed + 7919 * k);
  const trainOpts = {
    epochs,
    batch: auto.batch,
    lr: auto.lr,
    patience: auto.patience,
    schedule: auto.schedule,
    clipNorm: 5,
    backend: o.backend,
  };
  const { results } = await trainMembers(config, stats, { x: scaled, y: yLog, train: fit, val }, trainOpts, seeds, policy, {
    onEpoch: () => {},
    onDone: () => {},
  });
  const bundle: CnnBundle = { config, stats, input, members: results.map((r) => ({ weights: r.weights, state: r.state })) };
  const xr = matrixRows(x, p, rows);
  const raw = await withTfLock(async () => {
    await initBackend(o.backend);
    return predictRaw(bundle, xr);
  });
  const t = raw[o.task].t;
  return {
    predicted: Float64Array.from({ length: rows.length }, (_, k) => Math.max(0, Math.expm1(t[k]!))),
    describe: {
      tier: auto.tier,
      members,
      epochs,
      batch: auto.batch,
      architecture: auto.arch,
      best_epoch: results.map((r) => r.bestEpoch),
      backend: results[0]!.backend,
    },
  };
}
