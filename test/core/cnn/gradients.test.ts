import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../../src/runtime/cnn/backend.js";
import { conv1dBiasRelu, conv1dTrainable } from "../../../src/core/cnn/conv1d-grad.js";
import { REFERENCE_ARCH, initWeights, type CnnConfig, type TargetStats } from "../../../src/core/cnn/model.js";
import { globalAvgPool1d, maxPool1d } from "../../../src/core/cnn/pooling.js";
import { Replica } from "../../../src/core/cnn/replica.js";
import { createRng } from "../../../src/core/random.js";

function randn(n: number, seed: number): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

/** Gradients of Σ(f(inputs)·probe) on a backend, as plain arrays. */
function gradsOn(
  backend: string,
  f: (...t: tf.Tensor[]) => tf.Tensor,
  inputs: { v: Float32Array; shape: number[] }[],
  probeSeed = 99,
): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = inputs.map((i) => tf.tensor(i.v, i.shape));
    const g = tf.grads((...xs: tf.Tensor[]) => {
      const y = f(...xs);
      return tf.sum(tf.mul(y, tf.tensor(randn(y.size, probeSeed), y.shape)));
    })(ts);
    return g.map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / Math.max(scale, 1e-12);
}

describe("custom conv1d / max-pool gradients on wasm match the cpu backend's stock gradients", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it.each([
    [4, 40, 1, 9, 16],
    [3, 33, 5, 7, 6],
    [2, 12, 3, 1, 4],
  ])("conv1d N=%i L=%i C=%i K=%i F=%i", (n, l, c, k, f) => {
    const inputs = [
      { v: randn(n * l * c, 1), shape: [n, l, c] },
      { v: randn(k * c * f, 2), shape: [k, c, f] },
    ];
    const stock = gradsOn("cpu", (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, "valid"), inputs);
    const mine = gradsOn("wasm", (x, w) => conv1dTrainable(x as tf.Tensor3D, w as tf.Tensor3D), inputs);
    expect(stock[0]!.length).toBe(mine[0]!.length);
    expect(maxRelErr(mine[0]!, stock[0]!)).toBeLessThan(1e-5);
    expect(maxRelErr(mine[1]!, stock[1]!)).toBeLessThan(1e-5);
  });

  it.each([
    [3, 30, 4, 5, 8, 3],
    // a training step's size: the bias gradient sums 2,400 rows (XNNPACK average pooling)
    [8, 306, 4, 7, 8, 13],
  ])("fused conv1d + bias + relu N=%i L=%i C=%i K=%i F=%i", (n, l, c, k, f, seed) => {
    const inputs = [
      { v: randn(n * l * c, seed), shape: [n, l, c] },
      { v: randn(k * c * f, seed + 1), shape: [k, c, f] },
      { v: randn(f, seed + 2), shape: [f] },
    ];
    const stock = gradsOn("cpu", (x, w, b) => tf.relu(tf.add(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, "valid"), b!)), inputs);
    const mine = gradsOn("wasm", (x, w, b) => conv1dBiasRelu(x as tf.Tensor3D, w as tf.Tensor3D, b as tf.Tensor1D, true), inputs);
    for (let i = 0; i < 3; i++) expect(maxRelErr(mine[i]!, stock[i]!)).toBeLessThan(1e-5);
  });

  it.each([
    [2, 20, 3],
    [2, 21, 3],
    [3, 17, 2],
    [4, 16, 2],
  ])("max-pool size %i, L=%i, C=%i (odd lengths trimmed like 'valid')", (size, l, c) => {
    const n = 3;
    const inputs = [{ v: randn(n * l * c, 7), shape: [n, l, c] }];
    const stock = gradsOn("cpu", (x) => tf.maxPool(x.reshape([n, 1, l, c]) as tf.Tensor4D, [1, size], [1, size], "valid"), inputs);
    const mine = gradsOn("wasm", (x) => maxPool1d(x as tf.Tensor3D, size), inputs);
    expect(maxRelErr(mine[0]!, stock[0]!)).toBeLessThan(1e-6);
  });

  it("global average pool", () => {
    const [n, l, c] = [3, 37, 5];
    const inputs = [{ v: randn(n * l * c, 8), shape: [n, l, c] }];
    const stock = gradsOn("cpu", (x) => tf.mean(x, 1), inputs);
    const mine = gradsOn("wasm", (x) => globalAvgPool1d(x as tf.Tensor3D), inputs);
    expect(maxRelErr(mine[0]!, stock[0]!)).toBeLessThan(1e-6);
    tf.setBackend("wasm");
    const v = tf.tidy(() => globalAvgPool1d(tf.tensor3d(inputs[0]!.v, [n, l, c])).dataSync());
    tf.setBackend("cpu");
    const ref = tf.tidy(() => tf.mean(tf.tensor3d(inputs[0]!.v, [n, l, c]), 1).dataSync());
    expect(maxRelErr(v as Float32Array, ref as Float32Array)).toBeLessThan(1e-6);
  });

  it("the whole reference net's loss gradient on wasm equals the cpu backend's", () => {
    const p = 128;
    const config: CnnConfig = { inputPoints: p, target: "c", variance: false, arch: REFERENCE_ARCH };
    const stats: TargetStats = { mean: { c: 2, om: 2.5 }, sd: { c: 0.5, om: 0.5 }, ratio0: 1.724 };
    const rows = 16;
    const data = { x: randn(rows * p, 21), y: [Float32Array.from(randn(rows, 22), (v) => 2 + 0.5 * v)] };
    const init = initWeights(config, 3);
    const req = {
      weights: init.weights,
      state: init.state,
      rows: Int32Array.from({ length: rows }, (_, i) => i),
      counts: [rows],
      dropoutSeed: 1,
    };
    const onBackend = (b: string) => {
      tf.setBackend(b);
      return new Replica(config, stats, data).grad(req);
    };
    const cpu = onBackend("cpu");
    const wasm = onBackend("wasm");
    expect(Math.abs(wasm.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-5);
    expect(maxRelErr(wasm.grads, cpu.grads)).toBeLessThan(1e-4);
  });

  it("a kernel longer than the input is a clear error", () => {
    tf.setBackend("wasm");
    expect(() => conv1dTrainable(tf.zeros([1, 4, 1]) as tf.Tensor3D, tf.zeros([5, 1, 2]) as tf.Tensor3D)).toThrow(
      /kernel 5 is longer than its input/,
    );
  });
});
