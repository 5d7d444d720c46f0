/**
 * The CNN's configuration, parameter layout and seeded initial weights: everything about the
 * model that needs no TensorFlow.js. Steps import this eagerly (option defaults, shape checks)
 * and load the tfjs-using modules (model.ts, train.ts, predict.ts, backend.ts) only inside
 * run(), so listing or planning a pipeline never loads tfjs (~1 s).
 */
import { createRng } from "../random.js";
import { DEFAULT_PHYSICAL_RANGE } from "../chemometrics/physical-range.js";

export type BackendName = "node" | "wasm" | "cpu";
export type BackendChoice = BackendName | "auto";

export const BACKEND_CHOICES = ["auto", "node", "wasm", "cpu"] as const;

export type TargetMode = "c" | "om" | "multi";
export type TaskName = "c" | "om";

export interface ConvBlockConfig {
  filters: number;
  kernel: number;
  /** Max-pool size after the block (1 = none). */
  pool: number;
  dropout: number;
  batchNorm: boolean;
}

export interface ArchitectureConfig {
  conv: ConvBlockConfig[];
  /** How conv features reach the dense head: flatten keeps band positions; avg is cheaper. */
  headPool: "flatten" | "avg";
  dense: number[];
  denseDropout: number;
}

export interface CnnConfig {
  inputPoints: number;
  arch: ArchitectureConfig;
  target: TargetMode;
  /** Mean–variance head trained with Gaussian NLL (per-sample σ̂). */
  variance: boolean;
}

/** Mean/SD of each task's target on the log1p scale (train rows) and the initial OM/C ratio. */
export interface TargetStats {
  mean: Record<TaskName, number>;
  sd: Record<TaskName, number>;
  ratio0: number;
}

/**
 * Defaults for MIR at ~4 cm-1 (~800 points): 4 narrow conv blocks (8k9/16k7/32k5/32k3, each
 * followed by max-pool 2), position-aware flatten head (45×32 at 774 points → dense 64). ~2 MMAC a sample:
 * about 5× cheaper than the earlier 32k11/64k7/64k5 net and better on the demo (test RMSE C
 * 34 vs 67 g/kg for PLSR), since broad MIR bands need few filters but their positions matter.
 */
export const DEFAULT_ARCH: ArchitectureConfig = {
  conv: [
    { filters: 8, kernel: 9, pool: 2, dropout: 0, batchNorm: false },
    { filters: 16, kernel: 7, pool: 2, dropout: 0, batchNorm: false },
    { filters: 32, kernel: 5, pool: 2, dropout: 0, batchNorm: false },
    { filters: 32, kernel: 3, pool: 2, dropout: 0, batchNorm: false },
  ],
  headPool: "flatten",
  dense: [64],
  denseDropout: 0.2,
};

/** The benchmark's reference net (issue): 16k9/32k7/64k5, pools of 2, global average, dense 64. */
export const REFERENCE_ARCH: ArchitectureConfig = {
  conv: [
    { filters: 16, kernel: 9, pool: 2, dropout: 0, batchNorm: false },
    { filters: 32, kernel: 7, pool: 2, dropout: 0, batchNorm: false },
    { filters: 64, kernel: 5, pool: 1, dropout: 0, batchNorm: false },
  ],
  headPool: "avg",
  dense: [64],
  denseDropout: 0,
};

export const C_MAX_GKG = DEFAULT_PHYSICAL_RANGE.cMax;
export const OM_MAX_GKG = DEFAULT_PHYSICAL_RANGE.omMax;
export const RATIO_MIN = 1.0;
export const RATIO_MAX = 2.5;
export const SIGMA_FLOOR = 0.01;

export function tasksOf(target: TargetMode): TaskName[] {
  return target === "multi" ? ["c", "om"] : [target];
}

export function outputCount(config: CnnConfig): number {
  const t = tasksOf(config.target).length;
  return config.variance ? 2 * t : t;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  init: "he" | "glorot" | "zeros" | "ones" | "sigmaBias";
}

export interface Layout {
  params: ParamSpec[];
  size: number;
  /** Batch-norm running mean/var (not trained by gradients). */
  state: ParamSpec[];
  stateSize: number;
  /** Length after each conv block (before pooling is applied: after). */
  lengths: number[];
  headInputs: number;
}

/** Parameter layout and shape checks; throws naming the option when the net does not fit the input. */
export function layoutOf(config: CnnConfig): Layout {
  const params: ParamSpec[] = [];
  const state: ParamSpec[] = [];
  let size = 0;
  let stateSize = 0;
  const add = (list: ParamSpec[], name: string, shape: number[], init: ParamSpec["init"], isState = false) => {
    const n = shape.reduce((a, b) => a * b, 1);
    list.push({ name, shape, size: n, offset: isState ? stateSize : size, init });
    if (isState) stateSize += n;
    else size += n;
  };
  let len = config.inputPoints;
  let ch = 1;
  const lengths: number[] = [];
  config.arch.conv.forEach((b, i) => {
    if (!(b.kernel >= 1 && b.filters >= 1 && b.pool >= 1)) {
      throw new RangeError(`architecture.conv[${i}]: filters, kernel and pool must be ≥ 1`);
    }
    if (b.kernel > len) {
      throw new RangeError(
        `architecture.conv[${i}].kernel ${b.kernel} is larger than its input (${len} points after earlier blocks): use a smaller kernel, less pooling or fewer blocks`,
      );
    }
    len = len - b.kernel + 1;
    add(params, `conv${i}/kernel`, [b.kernel, ch, b.filters], "he");
    if (b.batchNorm) {
      add(params, `conv${i}/gamma`, [b.filters], "ones");
      add(params, `conv${i}/beta`, [b.filters], "zeros");
      add(state, `conv${i}/moving_mean`, [b.filters], "zeros", true);
      add(state, `conv${i}/moving_var`, [b.filters], "ones", true);
    } else {
      add(params, `conv${i}/bias`, [b.filters], "zeros");
    }
    if (b.pool > 1) {
      if (Math.floor(len / b.pool) < 1) {
        throw new RangeError(`architecture.conv[${i}].pool ${b.pool} is larger than its input (${len} points): reduce pooling`);
      }
      len = Math.floor(len / b.pool);
    }
    lengths.push(len);
    ch = b.filters;
  });
  let units = config.arch.headPool === "flatten" ? len * ch : ch;
  const headInputs = units;
  config.arch.dense.forEach((u, j) => {
    add(params, `dense${j}/kernel`, [units, u], "he");
    add(params, `dense${j}/bias`, [u], "zeros");
    units = u;
  });
  const h = outputCount(config);
  add(params, "out/kernel", [units, h], "glorot");
  add(params, "out/bias", [h], config.variance ? "sigmaBias" : "zeros");
  return { params, size, state, stateSize, lengths, headInputs };
}

/** Seeded init (He-normal for ReLU layers, small Glorot for the output): same seed → same vector. */
export function initWeights(config: CnnConfig, seed: number): { weights: Float32Array; state: Float32Array } {
  const layout = layoutOf(config);
  const rng = createRng(seed);
  const w = new Float32Array(layout.size);
  const tasks = tasksOf(config.target).length;
  for (const p of layout.params) {
    const v = w.subarray(p.offset, p.offset + p.size);
    const fanIn = p.shape.length > 1 ? p.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    const fanOut = p.shape[p.shape.length - 1]!;
    if (p.init === "he") for (let i = 0; i < v.length; i++) v[i] = rng.normal(0, Math.sqrt(2 / fanIn));
    else if (p.init === "glorot") {
      // Scaled down: the heads start near their standardized mean.
      for (let i = 0; i < v.length; i++) v[i] = 0.1 * rng.normal(0, Math.sqrt(2 / (fanIn + fanOut)));
    } else if (p.init === "ones") v.fill(1);
    else if (p.init === "sigmaBias") {
      // Mean outputs 0; σ outputs at softplus⁻¹(1 − floor) so σ starts at 1 SD.
      for (let i = 0; i < v.length; i++) v[i] = i < tasks ? 0 : Math.log(Math.expm1(1 - SIGMA_FLOOR));
    }
  }
  const state = new Float32Array(layout.stateSize);
  for (const s of layout.state) if (s.init === "ones") state.subarray(s.offset, s.offset + s.size).fill(1);
  return { weights: w, state };
}

/**
 * Small-data net (bench/limesoda-cv.ts, LimeSoDa n = 32–138): 8k9/16k7/16k5 with pools 4/4/2,
 * flatten → dense 32 (dropout 0.2): ~10k weights, most in the dense layer.
 */
export const SMALL_ARCH: ArchitectureConfig = {
  conv: [
    { filters: 8, kernel: 9, pool: 4, dropout: 0, batchNorm: false },
    { filters: 16, kernel: 7, pool: 4, dropout: 0, batchNorm: false },
    { filters: 16, kernel: 5, pool: 2, dropout: 0, batchNorm: false },
  ],
  headPool: "flatten",
  dense: [32],
  denseDropout: 0.2,
};

export type SizeTier = "small" | "medium" | "large";

/** Training settings that depend on how many labelled spectra the model can fit on. */
export interface CnnAutoSettings {
  tier: SizeTier;
  /** Labelled rows the tier was chosen from (outside test and cal). */
  n: number;
  epochs: number;
  batch: number;
  lr: number;
  /** 0 = no early stopping (fixed epochs). */
  patience: number;
  schedule: "plateau" | "cosine";
  /** Validation fraction of the training part (0: every fitting row trains). */
  val: number;
  uncertainty: "nll" | "ensemble";
  members: number;
  arch: "small" | "default";
}

/** Below this many fitting rows: the small tier (no validation split, fixed epochs, ensemble). */
export const SMALL_N = 300;
/** From this many: the large tier (the defaults tuned on the n = 3,000 demo). */
export const LARGE_N = 2000;

/**
 * The n-dependent defaults of cnn.train (a heuristic schedule: no published source gives batch
 * or epochs as a function of n). Every explicit option overrides its entry.
 * - small (n < 300): early stopping on the 5–30 spectra a 10 % val split leaves stops at
 *   random (epoch 1–5 on LimeSoDa), and the NLL head needs more data: no val split, 60 fixed
 *   epochs with cosine LR 2e-3, batch 16 (8 below 64 rows, so an epoch has ≥ 4 steps), the
 *   small net, MSE loss, σ̂ from a 5-member ensemble (Lakshminarayanan et al. 2017) — the
 *   settings of bench/limesoda-cv.ts.
 * - medium (300 ≤ n < 2,000): val 10 %, plateau LR 1e-3, patience 15, up to 100 epochs,
 *   batch 32 (≥ 10 steps an epoch), the default net, NLL head.
 * - large (n ≥ 2,000): the same with batch 64.
 */
export function cnnDefaultsForN(n: number): CnnAutoSettings {
  if (!(n >= 0)) throw new RangeError(`n must be ≥ 0 (got ${n})`);
  if (n < SMALL_N) {
    return {
      tier: "small",
      n,
      epochs: 60,
      batch: n < 64 ? 8 : 16,
      lr: 2e-3,
      patience: 0,
      schedule: "cosine",
      val: 0,
      uncertainty: "ensemble",
      members: 5,
      arch: "small",
    };
  }
  const batch = n < LARGE_N ? 32 : 64;
  return {
    tier: n < LARGE_N ? "medium" : "large",
    n,
    epochs: 100,
    batch,
    lr: 1e-3,
    patience: 15,
    schedule: "plateau",
    val: 0.1,
    uncertainty: "nll",
    members: 5,
    arch: "default",
  };
}
