/**
 * Inference: batched forward passes (memory bounded by the batch, not by n), ensemble
 * combination, σ̂ on the log1p scale, conformal intervals back-transformed to g/kg and the
 * applicability-domain flag. `predictWithUncertainty` is what downstream steps (cnn.predict,
 * imputation) call.
 */
import { conformalIntervals } from "../stats/conformal.js";
import { domainScores, type DomainModel } from "../stats/domain.js";
import * as tf from "@tensorflow/tfjs";
import {
  C_MAX_GKG,
  OM_MAX_GKG,
  forward,
  heads,
  layoutOf,
  tasksOf,
  weightTensors,
  type CnnConfig,
  type TargetStats,
  type TaskName,
} from "./model.js";

export interface InputScaling {
  /** Per-point training mean (subtracted). */
  mean: Float32Array;
  /** One global SD (divides): keeps relative band intensities. */
  scale: number;
}

export interface CnnBundle {
  config: CnnConfig;
  stats: TargetStats;
  input: InputScaling;
  /** One entry per ensemble member. */
  members: { weights: Float32Array; state: Float32Array }[];
}

/** Training-set input scaling from rows of x (n × p). */
export function fitInputScaling(x: Float32Array, p: number, rows: ArrayLike<number>): InputScaling {
  const mean = new Float64Array(p);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < p; j++) mean[j]! += x[rows[i]! * p + j]!;
  for (let j = 0; j < p; j++) mean[j]! /= Math.max(1, rows.length);
  let ss = 0;
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < p; j++) ss += (x[rows[i]! * p + j]! - mean[j]!) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, rows.length * p - 1));
  return { mean: Float32Array.from(mean), scale: sd > 0 && Number.isFinite(sd) ? sd : 1 };
}

/** Scaled copy of rows [from, to) of x. */
export function scaleRows(x: Float32Array, p: number, s: InputScaling, from = 0, to = x.length / p): Float32Array {
  const out = new Float32Array((to - from) * p);
  for (let i = from; i < to; i++) {
    const o = (i - from) * p;
    for (let j = 0; j < p; j++) out[o + j] = (x[i * p + j]! - s.mean[j]!) / s.scale;
  }
  return out;
}

export interface TaskPrediction {
  /** Predicted log1p(g/kg). */
  t: Float64Array;
  /** σ̂ on the log1p scale (NaN without a variance head or ensemble). */
  sdLog: Float64Array;
}

/**
 * Raw predictions for every row of x (n × p, unscaled spectra on the model grid), in batches
 * of `batch`. Needs an initialised backend. Ensemble: mean of members; σ̂² = mean σ̂_k² +
 * variance of the member means.
 */
export function predictRaw(bundle: CnnBundle, x: Float32Array, batch = 256): Record<TaskName, TaskPrediction> {
  const { config, stats } = bundle;
  const p = config.inputPoints;
  if (x.length % p !== 0) throw new RangeError(`spectra have ${x.length} values, not a multiple of the model's ${p} points`);
  const n = x.length / p;
  const tasks = tasksOf(config.target);
  const layout = layoutOf(config);
  const nm = bundle.members.length;
  const sumT = tasks.map(() => new Float64Array(n));
  const sumT2 = tasks.map(() => new Float64Array(n));
  const sumVar = tasks.map(() => new Float64Array(n));
  for (const m of bundle.members) {
    const params = weightTensors(layout, m.weights);
    try {
      for (let s = 0; s < n; s += batch) {
        const e = Math.min(n, s + batch);
        const xb = scaleRows(x, p, bundle.input, s, e);
        // Read values out inside tidy: every intermediate tensor is freed per batch.
        const outs: { t: Float32Array; s: Float32Array | null; sd: number }[] = [];
        tf.tidy(() => {
          const raw = forward(config, layout, params, m.state, tf.tensor2d(xb, [e - s, p]), { training: false });
          const h = heads(config, stats, raw);
          tasks.forEach((task, k) =>
            outs.push({
              t: h.t[k]!.dataSync() as Float32Array,
              s: h.sigma ? (h.sigma[k]!.dataSync() as Float32Array) : null,
              sd: stats.sd[task],
            }),
          );
        });
        outs.forEach((o, k) => {
          for (let i = 0; i < e - s; i++) {
            const t = o.t[i]!;
            sumT[k]![s + i]! += t;
            sumT2[k]![s + i]! += t * t;
            if (o.s) sumVar[k]![s + i]! += (o.s[i]! * o.sd) ** 2;
          }
        });
      }
    } finally {
      tf.dispose(params);
    }
  }
  const out = {} as Record<TaskName, TaskPrediction>;
  tasks.forEach((task, k) => {
    const t = new Float64Array(n);
    const sdLog = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mean = sumT[k]![i]! / nm;
      t[i] = mean;
      const between = nm > 1 ? Math.max(0, sumT2[k]![i]! / nm - mean * mean) : 0;
      sdLog[i] = config.variance || nm > 1 ? Math.sqrt(sumVar[k]![i]! / nm + between) : NaN;
    }
    out[task] = { t, sdLog };
  });
  return out;
}

/** What a trained model carries besides its weights (stored in model_meta). */
export interface UncertaintyMeta {
  level: number;
  /** Conformal quantile per task (of |y − ŷ|/σ̂ on log1p; σ̂ ≡ 1 without a σ̂ source). */
  q: Partial<Record<TaskName, number>>;
  domain: DomainModel | null;
}

export interface TaskOutput {
  task: TaskName;
  /** g/kg: expm1 of the log1p prediction (the median if errors are symmetric on log1p). */
  predicted: Float64Array;
  /** g/kg, delta method: (1 + ŷ)·σ̂_log (NaN without σ̂). */
  sd: Float64Array;
  sdLog: Float64Array;
  piLow: Float64Array;
  piHigh: Float64Array;
}

export const UPPER_GKG: Record<TaskName, number> = { c: C_MAX_GKG, om: OM_MAX_GKG };

/** Point predictions, σ̂ and conformal intervals (g/kg) from raw log1p predictions. */
export function finishTasks(target: CnnConfig["target"], raw: Record<TaskName, TaskPrediction>, meta: UncertaintyMeta): TaskOutput[] {
  return tasksOf(target).map((task) => {
    const { t, sdLog } = raw[task];
    const n = t.length;
    const predicted = Float64Array.from(t, (v) => Math.expm1(v));
    const sd = Float64Array.from(t, (v, i) => (1 + Math.expm1(v)) * sdLog[i]!);
    const q = meta.q[task];
    // Without σ̂ (no variance head, one member) the scores are absolute log1p residuals: σ̂ ≡ 1.
    const sigma = Float64Array.from(sdLog, (s) => (Number.isNaN(s) ? 1 : s));
    const pi =
      q === undefined
        ? { low: new Float64Array(n).fill(NaN), high: new Float64Array(n).fill(NaN) }
        : conformalIntervals(t, sigma, q, Math.expm1, { lower: 0, upper: UPPER_GKG[task] });
    return { task, predicted, sd, sdLog, piLow: pi.low, piHigh: pi.high };
  });
}

/** Point predictions, σ̂, conformal intervals (g/kg) for each task. */
export function predictTasks(bundle: CnnBundle, meta: UncertaintyMeta, x: Float32Array, batch = 256): TaskOutput[] {
  return finishTasks(bundle.config.target, predictRaw(bundle, x, batch), meta);
}

/** Applicability domain flags for the rows of x (n × p); null when the model has no domain. */
export function inDomain(meta: UncertaintyMeta, x: Float32Array, p: number): boolean[] | null {
  return meta.domain ? domainScores(meta.domain, x, p).inDomain : null;
}

/**
 * The entry point for downstream steps: predictions with σ̂, 90 % (meta.level) conformal
 * intervals in g/kg and the in-domain flag, for spectra x (n × p) on the model's grid.
 */
export function predictWithUncertainty(
  bundle: CnnBundle,
  meta: UncertaintyMeta,
  x: Float32Array,
  batch = 256,
): { tasks: TaskOutput[]; inDomain: boolean[] | null } {
  return { tasks: predictTasks(bundle, meta, x, batch), inDomain: inDomain(meta, x, bundle.config.inputPoints) };
}
