/**
 * Training loop: mini-batch Adam (in JS on the flat weight vector), a learning-rate schedule,
 * gradient-norm clipping, early stopping on a validation set with best-weight restore, and a
 * per-epoch progress callback. Gradients come from replicas (in-process or worker_threads);
 * the batch is split between them and their gradient shares are summed in a fixed order,
 * so a run is deterministic given (seed, threads, backend).
 */
import { createRng, permutation } from "../../core/random.js";
import { initBackend, withTfLock, type BackendChoice, type BackendName } from "./backend.js";
import { initWeights, layoutOf, tasksOf, type CnnConfig, type TargetStats } from "../../core/cnn/model.js";
import { localReplica, trainInWorker, workerReplicas, type ReplicaHandle } from "./parallel.js";
import type { GradResult, ReplicaData } from "../../core/cnn/replica.js";
import { CnnOptionError } from "../../core/cnn/errors.js";
import type { ThreadPolicy } from "../../core/cnn/thread-policy.js";

export type Schedule = "plateau" | "cosine" | "constant";

export interface TrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  /** Early-stopping patience in epochs (on val loss); 0 = off. */
  patience: number;
  seed: number;
  schedule: Schedule;
  /** Gradient global-norm clip (0 = off). */
  clipNorm: number;
  /** 1 = in-process (trainInWorker: in a worker); ≥ 2 = that many worker_threads, data-parallel. */
  threads: number;
  backend: BackendChoice;
  onEpoch?: (p: EpochProgress) => void;
  signal?: AbortSignal;
  /** Stop after this many optimizer steps (benchmarks). */
  maxSteps?: number;
}

export interface TrainData extends ReplicaData {
  train: Int32Array;
  val: Int32Array;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number;
  lr: number;
  samplesPerS: number;
  etaS: number;
}

export interface TrainResult {
  weights: Float32Array;
  state: Float32Array;
  history: EpochProgress[];
  bestEpoch: number;
  backend: BackendName;
  threads: number;
  /** Training throughput over all epochs (gradient steps only). */
  samplesPerS: number;
  /** Samples through gradient steps, all epochs. */
  samples: number;
}

/** Adam (Kingma & Ba) on a flat vector; ε as in tfjs. */
export class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  constructor(
    size: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-7,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
  step(w: Float32Array, g: Float32Array, lr: number): void {
    this.t++;
    const { m, v, b1, b2, eps } = this;
    const a = (lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
      w[i]! -= (a * mi) / (Math.sqrt(vi) + eps);
    }
  }
}

/** Relative improvement test that also works against the initial Infinity. */
function improves(value: number, best: number, rel: number): boolean {
  return best === Infinity ? Number.isFinite(value) : value < best - rel * Math.abs(best);
}

function split(rows: Int32Array, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  const size = Math.ceil(rows.length / parts);
  for (let i = 0; i < parts; i++) out.push(rows.subarray(i * size, Math.min(rows.length, (i + 1) * size)));
  return out.filter((r) => r.length > 0);
}

/** Starts the replicas for `threads` (≥2: worker_threads) on the chosen backend. */
export async function startReplicas(
  config: CnnConfig,
  stats: TargetStats,
  data: ReplicaData,
  threads: number,
  backend: BackendChoice,
): Promise<ReplicaHandle[]> {
  if (!Number.isInteger(threads) || threads < 1) throw new CnnOptionError(`threads must be an integer ≥ 1 (got ${threads})`);
  if (threads === 1) return [localReplica(config, stats, data, await initBackend(backend))];
  return workerReplicas(threads, config, stats, data, backend);
}

export async function trainCnn(config: CnnConfig, stats: TargetStats, data: TrainData, opts: TrainOptions): Promise<TrainResult> {
  const layout = layoutOf(config);
  if (data.train.length === 0) throw new RangeError("no training rows: every labelled sample fell outside the train split");
  if (!(opts.batch >= 1)) throw new RangeError(`batch must be ≥ 1 (got ${opts.batch})`);
  const replicas = await startReplicas(config, stats, data, opts.threads, opts.backend);
  try {
    return await loop(config, stats, data, opts, layout.size, replicas);
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
  }
}

/**
 * Trains one model per seed (ensemble members, CV folds), up to `concurrency` at a time, each
 * in a worker_thread of its own running the whole loop (full batch, no per-step messages, no
 * barrier between cores: data-parallel waits each step for the slower half-batch). Each member
 * computes exactly what a one-thread run of its seed computes, so results do not depend on
 * `concurrency`; they come back in seed order.
 */
export async function trainConcurrently(
  config: CnnConfig,
  stats: TargetStats,
  data: TrainData,
  opts: Omit<TrainOptions, "seed" | "threads" | "onEpoch">,
  seeds: readonly number[],
  concurrency: number,
  onEpoch?: (member: number, p: EpochProgress) => void,
): Promise<TrainResult[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer ≥ 1 (got ${concurrency})`);
  const results = new Array<TrainResult>(seeds.length);
  let next = 0;
  const lane = async () => {
    while (next < seeds.length) {
      const k = next++;
      const one: TrainOptions = { ...opts, seed: seeds[k]!, threads: 1, onEpoch: onEpoch && ((p) => onEpoch(k, p)) };
      results[k] = concurrency > 1 ? await trainInWorker(config, stats, data, one) : await trainCnn(config, stats, data, one);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, seeds.length) }, lane));
  return results;
}

/**
 * Trains one model per seed as `policy` (threadPolicy) says: an ensemble side by side
 * (trainConcurrently), else in turn, each in a worker of its own (policy.inWorker) or
 * in-process. In-process training shares the process's one tfjs engine with any other CNN
 * step running beside it (`run --jobs 2`): on one thread it takes turns (withTfLock); workers
 * have engines of their own. `onDone` sees each member's result. samplesPerS side by side:
 * samples of all members over the wall time (worker start and val passes included).
 */
export async function trainMembers(
  config: CnnConfig,
  stats: TargetStats,
  data: TrainData,
  opts: Omit<TrainOptions, "seed" | "threads" | "onEpoch">,
  seeds: readonly number[],
  policy: ThreadPolicy,
  hooks: { onEpoch: (member: number, p: EpochProgress) => void; onDone: (r: TrainResult) => void },
): Promise<{ results: TrainResult[]; samplesPerS: number }> {
  const t0 = performance.now();
  if (policy.concurrent) {
    const results = await trainConcurrently(config, stats, data, opts, seeds, policy.workers, hooks.onEpoch);
    results.forEach(hooks.onDone);
    return { results, samplesPerS: results.reduce((a, r) => a + r.samples, 0) / ((performance.now() - t0) / 1000) };
  }
  const trainOne: typeof trainCnn = policy.inWorker
    ? trainInWorker
    : policy.threads === 1
      ? (...args) => withTfLock(() => trainCnn(...args))
      : trainCnn;
  const results: TrainResult[] = [];
  for (let k = 0; k < seeds.length; k++) {
    const res = await trainOne(config, stats, data, {
      ...opts,
      seed: seeds[k]!,
      threads: policy.threads,
      onEpoch: (e) => hooks.onEpoch(k, e),
    });
    hooks.onDone(res);
    results.push(res);
  }
  return { results, samplesPerS: results[results.length - 1]!.samplesPerS };
}

async function loop(
  config: CnnConfig,
  stats: TargetStats,
  data: TrainData,
  opts: TrainOptions,
  size: number,
  replicas: ReplicaHandle[],
): Promise<TrainResult> {
  const tasks = tasksOf(config.target).length;
  const rng = createRng(opts.seed);
  const init = initWeights(config, rng.fork().int(2 ** 31));
  const weights = init.weights;
  let state = init.state;
  const adam = new Adam(size);
  const bnMomentum = 0.9;
  let lr = opts.lr;
  const history: EpochProgress[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights = weights.slice();
  let bestState = state.slice();
  let sinceBest = 0;
  let plateauBest = Infinity;
  let sincePlateau = 0;
  const plateauPatience = Math.max(2, Math.floor((opts.patience || 15) / 3));
  let steps = 0;
  let trainSeconds = 0;
  let trainSamples = 0;
  const minBatch = Math.min(opts.batch, Math.max(2, replicas.length * 2));
  const started = performance.now();

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    if (opts.signal?.aborted) throw new Error("training cancelled");
    if (opts.schedule === "cosine") lr = 0.5 * opts.lr * (1 + Math.cos((Math.PI * (epoch - 1)) / opts.epochs));
    const perm = permutation(data.train.length, rng);
    const order = Int32Array.from(perm, (i) => data.train[i]!);
    const t0 = performance.now();
    let lossSum = 0;
    let batches = 0;
    let seen = 0;
    for (let s = 0; s + minBatch <= order.length; s += opts.batch) {
      const rows = order.subarray(s, Math.min(order.length, s + opts.batch));
      const counts = new Array<number>(tasks).fill(0);
      for (let k = 0; k < tasks; k++) for (const r of rows) if (Number.isFinite(data.y[k]![r]!)) counts[k]!++;
      const dropoutSeed = rng.int(2 ** 30);
      const parts = split(rows, replicas.length);
      const results: GradResult[] = await Promise.all(
        parts.map((p, i) => replicas[i]!.grad({ weights, state, rows: p, counts, dropoutSeed: dropoutSeed + 7919 * i })),
      );
      const g = results[0]!.grads;
      for (let i = 1; i < results.length; i++) {
        const gi = results[i]!.grads;
        for (let j = 0; j < g.length; j++) g[j]! += gi[j]!;
      }
      let norm = 0;
      for (let j = 0; j < g.length; j++) norm += g[j]! * g[j]!;
      norm = Math.sqrt(norm);
      if (!Number.isFinite(norm)) throw new Error(`training diverged at epoch ${epoch} (non-finite gradient): lower lr`);
      if (opts.clipNorm > 0 && norm > opts.clipNorm) {
        const f = opts.clipNorm / norm;
        for (let j = 0; j < g.length; j++) g[j]! *= f;
      }
      adam.step(weights, g, lr);
      if (state.length) {
        // Running BN statistics: replica batch statistics weighted by their rows.
        const next = state.slice();
        const acc = new Float32Array(state.length);
        for (const r of results) for (let j = 0; j < acc.length; j++) acc[j]! += (r.bnStats[j]! * r.rows) / rows.length;
        for (let j = 0; j < next.length; j++) next[j] = bnMomentum * state[j]! + (1 - bnMomentum) * acc[j]!;
        state = next;
      }
      lossSum += results.reduce((a, r) => a + r.loss, 0);
      batches++;
      seen += rows.length;
      steps++;
      if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break;
    }
    const dt = (performance.now() - t0) / 1000;
    trainSeconds += dt;
    trainSamples += seen;
    const loss = lossSum / Math.max(1, batches);
    let valLoss = NaN;
    if (data.val.length > 0) {
      const parts = split(data.val, replicas.length);
      const ev = await Promise.all(parts.map((p, i) => replicas[i]!.evaluate(weights, state, p)));
      // Pooled over labels, like the training loss (replica.ts): the task with most labels
      // is not early-stopped by a noisy task with few.
      let sum = 0;
      let cnt = 0;
      for (const e of ev)
        for (let k = 0; k < tasks; k++) {
          sum += e.sums[k]!;
          cnt += e.counts[k]!;
        }
      valLoss = cnt > 0 ? sum / cnt : NaN;
    }
    const monitor = Number.isFinite(valLoss) ? valLoss : loss;
    const elapsed = (performance.now() - started) / 1000;
    const progress: EpochProgress = {
      epoch,
      epochs: opts.epochs,
      loss,
      valLoss,
      lr,
      samplesPerS: seen / Math.max(dt, 1e-9),
      etaS: (elapsed / epoch) * (opts.epochs - epoch),
    };
    history.push(progress);
    opts.onEpoch?.(progress);
    if (improves(monitor, best, 1e-6)) {
      best = monitor;
      bestEpoch = epoch;
      bestWeights = weights.slice();
      bestState = state.slice();
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    if (opts.schedule === "plateau") {
      if (improves(monitor, plateauBest, 1e-4)) {
        plateauBest = monitor;
        sincePlateau = 0;
      } else if (++sincePlateau >= plateauPatience) {
        lr = Math.max(lr * 0.5, opts.lr * 1e-3);
        sincePlateau = 0;
      }
    }
    if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break;
    // Without a validation set there is nothing honest to stop on: run all epochs.
    if (data.val.length > 0 && opts.patience > 0 && sinceBest >= opts.patience) break;
  }
  const useBest = data.val.length > 0;
  return {
    weights: useBest ? bestWeights : weights,
    state: useBest ? bestState : state,
    history,
    bestEpoch: useBest ? bestEpoch : history.length,
    backend: replicas[0]!.backend,
    threads: replicas.length,
    samplesPerS: trainSamples / Math.max(trainSeconds, 1e-9),
    samples: trainSamples,
  };
}
