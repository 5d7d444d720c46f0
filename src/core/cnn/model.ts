/**
 * 1-D CNN for MIR spectra as a pure function of a flat weight vector: the architecture comes
 * from a config object, weights live in one Float32Array (seeded init in JS, so the same
 * seed gives bit-identical weights on every backend), and `forward` rebuilds tensors from
 * that vector. Keeping weights outside tfjs makes data-parallel training trivial: a replica
 * is "weights + rows in, loss + gradient vector out", and the optimizer is plain JS.
 *
 * Output design (physically possible by construction, SCIENCE.md: 0 ≤ C ≤ 580 g/kg,
 * C ≤ OM ≤ 1000 g/kg):
 *   t_C  = hi_C · sigmoid(a + s·z)             with hi_C = log1p(580): log1p(C) ∈ (0, hi_C)
 *   r    = 1 + (min(2.5, 1000/(C+1)) − 1) · sigmoid(a_r + z_r)   OM/C ratio ∈ [1, 2.5]
 *   t_OM = log1p(C · r)                          so C ≤ OM < 1000 always (multi-task)
 *   single-property OM model: t_OM = log1p(1000) · sigmoid(a + s·z)
 * `a` and `s` come from the training targets' mean/SD on the log1p scale, so at init the raw
 * output z is a standardized target (dt/dz = SD at the mean): standardization and the bound
 * are one transform. Losses use residuals divided by the target SD.
 * With `variance`, each task also gets σ (standardized) = softplus(v) + 0.01 and the loss is the
 * Gaussian NLL; σ̂ on the log1p scale is σ · SD.
 */
import * as tf from "@tensorflow/tfjs";
import {
  C_MAX_GKG,
  layoutOf,
  OM_MAX_GKG,
  RATIO_MAX,
  RATIO_MIN,
  SIGMA_FLOOR,
  tasksOf,
  type CnnConfig,
  type Layout,
  type TargetStats,
  type TaskName,
} from "./config.js";
import { conv1dBiasRelu, conv1dTrainable } from "./conv1d-grad.js";
import { globalAvgPool1d, maxPool1d } from "./pooling.js";

export * from "./config.js";

export interface ForwardOptions {
  training: boolean;
  /** Seed for this step's dropout masks (deterministic training). */
  dropoutSeed?: number;
  /** Batch-norm batch statistics collected in training: [mean…, var…] per BN layer, appended. */
  bnStats?: number[];
  bnEps?: number;
}

/** Builds weight tensors from the flat vector (call inside tf.tidy or dispose them). */
export function weightTensors(layout: Layout, weights: Float32Array): tf.Tensor[] {
  return layout.params.map((p) => tf.tensor(weights.subarray(p.offset, p.offset + p.size), p.shape, "float32"));
}

/** Raw network outputs [N, H] for inputs x [N, L] (already scaled). */
export function forward(
  config: CnnConfig,
  layout: Layout,
  params: readonly tf.Tensor[],
  state: Float32Array,
  x: tf.Tensor2D,
  opts: ForwardOptions,
): tf.Tensor2D {
  const byName = new Map(layout.params.map((p, i) => [p.name, params[i]!]));
  const get = (name: string) => byName.get(name)!;
  const eps = opts.bnEps ?? 1e-3;
  let seed = opts.dropoutSeed ?? 0;
  const drop = <T extends tf.Tensor>(h: T, rate: number): T =>
    opts.training && rate > 0 ? (tf.dropout(h, rate, undefined, seed++) as T) : h;
  const n = x.shape[0];
  let h = x.reshape([n, config.inputPoints, 1]) as tf.Tensor3D;
  config.arch.conv.forEach((b, i) => {
    if (!b.batchNorm) {
      h = conv1dBiasRelu(h, get(`conv${i}/kernel`) as tf.Tensor3D, get(`conv${i}/bias`) as tf.Tensor1D, i > 0);
    } else {
      h = conv1dTrainable(h, get(`conv${i}/kernel`) as tf.Tensor3D);
      const st = layout.state.find((s) => s.name === `conv${i}/moving_mean`)!;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (opts.training) {
        const m = tf.moments(h, [0, 1]);
        mean = m.mean;
        variance = m.variance;
        opts.bnStats?.push(...mean.dataSync(), ...variance.dataSync());
      } else {
        mean = tf.tensor(state.subarray(st.offset, st.offset + b.filters));
        variance = tf.tensor(state.subarray(st.offset + b.filters, st.offset + 2 * b.filters));
      }
      h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps))), get(`conv${i}/gamma`)), get(`conv${i}/beta`));
      h = tf.relu(h);
    }
    h = maxPool1d(h, b.pool);
    h = drop(h, b.dropout);
  });
  let z: tf.Tensor2D = config.arch.headPool === "avg" ? globalAvgPool1d(h) : (h.reshape([n, h.shape[1] * h.shape[2]]) as tf.Tensor2D);
  config.arch.dense.forEach((_, j) => {
    z = tf.relu(tf.add(tf.matMul(z, get(`dense${j}/kernel`) as tf.Tensor2D), get(`dense${j}/bias`))) as tf.Tensor2D;
    z = drop(z, config.arch.denseDropout);
  });
  return tf.add(tf.matMul(z, get("out/kernel") as tf.Tensor2D), get("out/bias")) as tf.Tensor2D;
}

function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

export interface HeadOutputs {
  /** Predicted target per task on the log1p scale, [N]. */
  t: tf.Tensor1D[];
  /** Standardized σ per task, [N] (variance heads only). */
  sigma: tf.Tensor1D[] | null;
}

/** Bounded output transforms (see the file comment). */
export function heads(config: CnnConfig, stats: TargetStats, raw: tf.Tensor2D): HeadOutputs {
  const tasks = tasksOf(config.target);
  const col = (j: number) => raw.slice([0, j], [raw.shape[0], 1]).reshape([raw.shape[0]]) as tf.Tensor1D;
  const bounded = (z: tf.Tensor1D, task: TaskName): tf.Tensor1D => {
    const hi = Math.log1p(task === "c" ? C_MAX_GKG : OM_MAX_GKG);
    const p0 = Math.min(0.98, Math.max(0.02, stats.mean[task] / hi));
    const a = logit(p0);
    const s = stats.sd[task] / (hi * p0 * (1 - p0));
    return tf.mul(hi, tf.sigmoid(tf.add(a, tf.mul(s, z)))) as tf.Tensor1D;
  };
  const t: tf.Tensor1D[] = [];
  if (config.target === "multi") {
    const tc = bounded(col(0), "c");
    const c = tf.expm1(tc);
    const rmax = tf.minimum(RATIO_MAX, tf.div(OM_MAX_GKG, tf.add(c, 1)));
    const r0 = Math.min(RATIO_MAX - 0.2, Math.max(RATIO_MIN + 0.2, stats.ratio0));
    const a = logit((r0 - RATIO_MIN) / (RATIO_MAX - RATIO_MIN));
    const r = tf.add(RATIO_MIN, tf.mul(tf.sub(rmax, RATIO_MIN), tf.sigmoid(tf.add(a, col(1)))));
    // max() only guards float32 rounding (log1p of a tiny C·r can round below t_C).
    t.push(tc, tf.maximum(tf.log1p(tf.mul(c, r)), tc) as tf.Tensor1D);
  } else {
    t.push(bounded(col(0), tasks[0]!));
  }
  const sigma = config.variance ? tasks.map((_, k) => tf.add(tf.softplus(col(tasks.length + k)), SIGMA_FLOOR) as tf.Tensor1D) : null;
  return { t, sigma };
}

/**
 * Per-task loss sums over the rows: Σ mask·ℓ with ℓ = e² (MSE) or ½e²/σ² + log σ (NLL),
 * e = (t − y)/SD. `y` holds 0 where `mask` is 0, so a missing label contributes nothing.
 */
export function lossSums(
  config: CnnConfig,
  stats: TargetStats,
  out: HeadOutputs,
  y: readonly tf.Tensor1D[],
  mask: readonly tf.Tensor1D[],
): tf.Scalar[] {
  return tasksOf(config.target).map((task, k) => {
    const e = tf.div(tf.sub(out.t[k]!, y[k]!), stats.sd[task]);
    let l: tf.Tensor;
    if (out.sigma) {
      const s = out.sigma[k]!;
      l = tf.add(tf.mul(0.5, tf.square(tf.div(e, s))), tf.log(s));
    } else {
      l = tf.square(e);
    }
    return tf.sum(tf.mul(l, mask[k]!)) as tf.Scalar;
  });
}
