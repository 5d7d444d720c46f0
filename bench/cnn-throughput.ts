/**
 * CNN training throughput on the reference net: input 512, conv1d 16k9 → maxpool 2 →
 * conv1d 32k7 → maxpool 2 → conv1d 64k5 → global average pool → dense 64 → dense 1, Adam,
 * batch 64. Samples/s are measured after a warm-up epoch, for one thread on each backend
 * present, for data-parallel worker_threads on wasm (one model's batch split over threads)
 * and for one model per thread side by side (ensemble members, CV folds), and tfjs-node when
 * it loads.
 * Ends with exactly one JSON line (the fastest configuration). With PyTorch available
 * (Debian python3-torch; benchmark only) the same net's throughput and the ratio are printed.
 *
 * Usage: npm run bench:cnn [-- --samples 1024 --epochs 2 --threads 2]
 * Numbers on a shared, busy machine are noisy: rerun on a quiet one before quoting them.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { BackendName } from "../src/runtime/cnn/backend.js";
import { REFERENCE_ARCH, type CnnConfig, type TargetStats } from "../src/core/cnn/model.js";
import { trainCnn, trainConcurrently } from "../src/runtime/cnn/train.js";
import { createRng } from "../src/core/random.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const P = 512;
const BATCH = 64;
const samples = arg("samples", 1024);
const epochs = arg("epochs", 2);
const maxThreads = arg("threads", Math.max(2, Math.min(4, availableParallelism())));

const rng = createRng(1);
const x = Float32Array.from({ length: samples * P }, () => rng.normal());
const y = [Float32Array.from({ length: samples }, () => 2 + 0.5 * rng.normal())];
const config: CnnConfig = { inputPoints: P, target: "c", variance: false, arch: REFERENCE_ARCH };
const stats: TargetStats = { mean: { c: 2, om: 2.5 }, sd: { c: 0.5, om: 0.5 }, ratio0: 1.724 };

interface Result {
  backend: BackendName;
  threads: number;
  samplesPerS: number;
  /** How the threads are used: one model's batch split over them, or one model per thread. */
  parallel: "data" | "members";
}

/** Mean samples/s of the epochs after the first (warm-up: wasm/XNNPACK setup, worker start). */
async function measure(backend: BackendName, threads: number, n = samples, ep = epochs): Promise<Result> {
  const train = Int32Array.from({ length: n }, (_, i) => i);
  const res = await trainCnn(
    config,
    stats,
    { x: x.subarray(0, n * P), y: [y[0]!.subarray(0, n)], train, val: new Int32Array(0) },
    {
      epochs: ep + 1,
      batch: BATCH,
      lr: 1e-3,
      patience: 0,
      seed: 1,
      schedule: "constant",
      clipNorm: 0,
      threads,
      backend,
    },
  );
  const timed = res.history.slice(1);
  // Each epoch trains on all n rows (n a multiple of the batch here): time = n / rate.
  const seconds = timed.reduce((a, h) => a + n / h.samplesPerS, 0);
  const sps = (timed.length * n) / seconds;
  return { backend: res.backend, threads: res.threads, samplesPerS: sps, parallel: "data" };
}

/**
 * `threads` models side by side (ensemble members / CV folds), one worker and the full batch
 * each. Aggregate samples/s over the window where every model is past its warm-up epoch and
 * none has finished: Σ samples trained in it / its length (each model's epochs inside the
 * window counted whole or pro rata by time).
 */
async function measureMembers(backend: BackendName, threads: number): Promise<Result> {
  const train = Int32Array.from({ length: samples }, (_, i) => i);
  const ends: number[][] = Array.from({ length: threads }, () => []);
  const t0 = performance.now();
  const res = await trainConcurrently(
    config,
    stats,
    { x, y, train, val: new Int32Array(0) },
    { epochs: epochs + 1, batch: BATCH, lr: 1e-3, patience: 0, schedule: "constant", clipNorm: 0, backend },
    Array.from({ length: threads }, (_, k) => 1 + k),
    threads,
    (k) => ends[k]!.push(performance.now() - t0),
  );
  const start = Math.max(...ends.map((e) => e[0]!));
  const stop = Math.min(...ends.map((e) => e[e.length - 1]!));
  let trained = 0;
  for (const e of ends) {
    for (let i = 1; i < e.length; i++) {
      const overlap = Math.min(stop, e[i]!) - Math.max(start, e[i - 1]!);
      if (overlap > 0) trained += (samples * overlap) / (e[i]! - e[i - 1]!);
    }
  }
  return { backend: res[0]!.backend, threads, samplesPerS: (trained / (stop - start)) * 1000, parallel: "members" };
}

async function nodeAvailable(): Promise<boolean> {
  try {
    const spec = "@tensorflow/tfjs-node";
    await import(spec);
    return true;
  } catch {
    return false;
  }
}

/**
 * Control: speedup of 2 worker_threads on a pure-JS loop. Near 1.0 means this process is not
 * getting two cores right now (shared/busy machine), so multi-thread numbers are not meaningful.
 */
async function cpuScalingControl(): Promise<number> {
  const code =
    "const { parentPort } = require('node:worker_threads');" +
    "parentPort.on('message', (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); parentPort.postMessage(s); });";
  const ws = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
  const run = (w: Worker, n: number) =>
    new Promise((r) => {
      w.once("message", r);
      w.postMessage(n);
    });
  await Promise.all(ws.map((w) => run(w, 1e7)));
  let t = performance.now();
  await run(ws[0]!, 2e8);
  const one = performance.now() - t;
  t = performance.now();
  await Promise.all(ws.map((w) => run(w, 2e8)));
  const two = performance.now() - t;
  await Promise.all(ws.map((w) => w.terminate()));
  return (2 * one) / two;
}

const results: Result[] = [];
const report = (r: Result, note = "") => {
  results.push(r);
  const how = r.threads > 1 ? (r.parallel === "data" ? " (one model, data-parallel)" : " (one model per thread, side by side)") : "";
  console.log(`${r.backend.padEnd(5)} threads=${r.threads}  ${r.samplesPerS.toFixed(0).padStart(6)} samples/s${how}${note}`);
};

console.log(`reference net, ${samples} samples x ${P} points, batch ${BATCH}, ${epochs} timed epochs after 1 warm-up`);
console.log(
  `control: 2 worker_threads on a pure-JS loop run ${(await cpuScalingControl()).toFixed(2)}x faster than 1 (≈2 on a quiet 2-core machine)`,
);
// Every configuration runs in fresh workers, except threads=1 (this thread, one backend at a
// time): run the single-thread wasm case first, cpu last, since tfjs keeps one active backend.
report(await measure("wasm", 1));
for (let t = 2; t <= maxThreads; t++) report(await measure("wasm", t));
for (let t = 2; t <= maxThreads; t++) report(await measureMembers("wasm", t));
if (await nodeAvailable()) {
  report(await measure("node", 1));
} else {
  console.log("node  (tfjs-node not installed: skipped)");
}
// The pure-JS cpu backend is ~100× slower: a short run on fewer samples.
report(await measure("cpu", 1, 128, 1), " (128 samples, 1 timed epoch)");

const best = results.filter((r) => r.backend !== "cpu").sort((a, b) => b.samplesPerS - a.samplesPerS)[0]!;

// PyTorch reference (benchmark only): Debian's python3-torch may sit outside a pyenv python3.
const script = fileURLToPath(new URL("./cnn-torch-reference.py", import.meta.url));
for (const py of ["python3", "/usr/bin/python3"]) {
  const probe = spawnSync(py, ["-c", "import torch"], { stdio: "ignore" });
  if (probe.status !== 0) continue;
  const out = spawnSync(py, [script, String(best.threads)], { encoding: "utf8" });
  const line = out.stdout?.trim().split("\n").pop();
  if (out.status === 0 && line) {
    const torch = JSON.parse(line) as { samples_per_s: number; threads: number; backend: string };
    console.log(
      `${torch.backend} threads=${torch.threads}  ${torch.samples_per_s} samples/s; ` +
        `tfjs ${best.backend}/${best.threads} ÷ torch = ${(best.samplesPerS / torch.samples_per_s).toFixed(2)}`,
    );
  }
  break;
}

console.log(
  JSON.stringify({
    backend: best.backend,
    threads: best.threads,
    input_points: P,
    batch: BATCH,
    samples_per_s: Math.round(best.samplesPerS),
    parallel: best.parallel,
  }),
);
