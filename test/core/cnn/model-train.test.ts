import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../../src/runtime/cnn/backend.js";
import { loadCnn, saveCnn } from "../../../src/runtime/cnn/io.js";
import { heads, initWeights, layoutOf, REFERENCE_ARCH, type CnnConfig, type TargetStats } from "../../../src/core/cnn/model.js";
import { predictRaw } from "../../../src/core/cnn/predict.js";
import { trainCnn, trainConcurrently, type TrainOptions } from "../../../src/runtime/cnn/train.js";
import { createRng } from "../../../src/core/random.js";

const stats: TargetStats = { mean: { c: 2.8, om: 3.3 }, sd: { c: 0.9, om: 0.9 }, ratio0: 1.724 };
const small: CnnConfig = {
  inputPoints: 64,
  target: "multi",
  variance: true,
  arch: {
    conv: [
      { filters: 4, kernel: 5, pool: 2, dropout: 0.1, batchNorm: true },
      { filters: 6, kernel: 3, pool: 2, dropout: 0, batchNorm: false },
    ],
    headPool: "flatten",
    dense: [8],
    denseDropout: 0.1,
  },
};

function data(n: number, p: number, seed: number) {
  const r = createRng(seed);
  const x = Float32Array.from({ length: n * p }, () => r.normal());
  const c = Float32Array.from({ length: n }, (_, i) => 2 + 0.5 * x[i * p + 10]! + 0.1 * r.normal());
  const om = Float32Array.from(c, (v, i) => (i % 3 === 0 ? v + 0.5 : NaN)); // 1/3 labelled
  return { x, y: [c, om] };
}

const opts: TrainOptions = {
  epochs: 3,
  batch: 16,
  lr: 1e-3,
  patience: 0,
  seed: 5,
  schedule: "cosine",
  clipNorm: 5,
  threads: 1,
  backend: "wasm",
};

describe("CNN model and trainer", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("same seed → identical weights; another seed → different", () => {
    const a = initWeights(small, 42);
    const b = initWeights(small, 42);
    const c = initWeights(small, 43);
    expect(a.weights).toEqual(b.weights);
    expect(a.weights).not.toEqual(c.weights);
    expect(a.weights.length).toBe(layoutOf(small).size);
  });

  it("bounded outputs: C in [0, 580] and C ≤ OM < 1000 even for extreme raw outputs", () => {
    const raw = tf.tensor2d([
      [-50, -50, 0, 0],
      [50, 50, 0, 0],
      [50, -50, 0, 0],
      [0, 0, 0, 0],
      [8, 30, 0, 0],
    ]);
    const h = heads(small, stats, raw);
    const c = Array.from(h.t[0]!.dataSync(), Math.expm1);
    const om = Array.from(h.t[1]!.dataSync(), Math.expm1);
    c.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(580 + 1e-3);
      expect(om[i]!).toBeGreaterThanOrEqual(v * (1 - 1e-5));
      expect(om[i]!).toBeLessThan(1000);
    });
    // z = 0 sits at the training mean of log1p(C).
    expect(h.t[0]!.dataSync()[3]).toBeCloseTo(stats.mean.c, 4);
  });

  it("training is deterministic given the seed (1 thread), masked labels, BN, dropout", async () => {
    const d = data(96, 64, 1);
    const train = Int32Array.from({ length: 80 }, (_, i) => i);
    const val = Int32Array.from({ length: 16 }, (_, i) => 80 + i);
    const r1 = await trainCnn(small, stats, { ...d, train, val }, opts);
    const r2 = await trainCnn(small, stats, { ...d, train, val }, opts);
    expect(r1.weights).toEqual(r2.weights);
    expect(r1.history.length).toBe(3);
    expect(r1.history.every((h) => Number.isFinite(h.loss) && Number.isFinite(h.valLoss))).toBe(true);
    expect(r1.backend).toBe("wasm");
  });

  it("data-parallel on 2 worker_threads: deterministic and equal to 1 thread for a dropout-free net", async () => {
    const cfg: CnnConfig = { inputPoints: 128, target: "c", variance: false, arch: REFERENCE_ARCH };
    const d = data(64, 128, 2);
    const train = Int32Array.from({ length: 64 }, (_, i) => i);
    const o = { ...opts, epochs: 2, threads: 2 };
    const p1 = await trainCnn(cfg, stats, { x: d.x, y: [d.y[0]!], train, val: new Int32Array(0) }, o);
    const p2 = await trainCnn(cfg, stats, { x: d.x, y: [d.y[0]!], train, val: new Int32Array(0) }, o);
    const s1 = await trainCnn(cfg, stats, { x: d.x, y: [d.y[0]!], train, val: new Int32Array(0) }, { ...o, threads: 1 });
    expect(p1.threads).toBe(2);
    expect(p1.weights).toEqual(p2.weights);
    // Summed half-batch gradients equal the full-batch gradient up to float rounding.
    let maxDiff = 0;
    for (let i = 0; i < s1.weights.length; i++) maxDiff = Math.max(maxDiff, Math.abs(s1.weights[i]! - p1.weights[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  }, 60_000);

  it("members side by side (one worker each) equal the same seeds trained one after another in-process", async () => {
    const d = data(96, 64, 3);
    const train = Int32Array.from({ length: 80 }, (_, i) => i);
    const val = Int32Array.from({ length: 16 }, (_, i) => 80 + i);
    const { seed: _s, threads: _t, ...rest } = { ...opts, epochs: 2 };
    const seen: number[] = [];
    const side = await trainConcurrently(small, stats, { ...d, train, val }, rest, [11, 12, 13], 2, (k) => seen.push(k));
    const oneByOne = await trainConcurrently(small, stats, { ...d, train, val }, rest, [11, 12, 13], 1);
    expect(side.map((r) => r.weights)).toEqual(oneByOne.map((r) => r.weights));
    expect(side[0]!.weights).not.toEqual(side[1]!.weights);
    expect(side.every((r) => r.samples === 2 * 80)).toBe(true);
    expect(seen.sort()).toEqual([0, 0, 1, 1, 2, 2]);
  }, 60_000);

  it("save/load round trip (model.json + weights.bin) predicts identically", async () => {
    const w = initWeights(small, 9);
    const bundle = {
      config: small,
      stats,
      input: { mean: new Float32Array(64).fill(0.1), scale: 2 },
      members: [w, initWeights(small, 10)],
    };
    const dir = await mkdtemp(join(tmpdir(), "cnn-io-"));
    await saveCnn(dir, bundle);
    const back = await loadCnn(dir);
    expect(back.members[1]!.weights).toEqual(bundle.members[1]!.weights);
    expect(back.members[0]!.state).toEqual(bundle.members[0]!.state);
    const x = data(10, 64, 3).x;
    const a = predictRaw(bundle, x, 4);
    const b = predictRaw(back, x, 7);
    expect(Array.from(b.om.t)).toEqual(Array.from(a.om.t));
    expect(b.c.sdLog.every((v) => v > 0)).toBe(true);
  });
});
