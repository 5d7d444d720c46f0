/**
 * TensorFlow.js backend selection at run time: tfjs-node (native libtensorflow) when it loads,
 * else wasm (XNNPACK, single thread under Node), else the pure-JS cpu backend. tfjs-node is an
 * optional dependency that cannot install offline, so it is imported dynamically and its
 * absence is not an error. The chosen name is returned so every training run can record it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";

import type { BackendChoice, BackendName } from "../../core/cnn/config.js";
import { CnnOptionError } from "../../core/cnn/errors.js";

export { BACKEND_CHOICES, type BackendChoice, type BackendName } from "../../core/cnn/config.js";

/** tfjs registers tfjs-node's backend under the name "tensorflow". */
const TF_NAME: Record<BackendName, string> = { node: "tensorflow", wasm: "wasm", cpu: "cpu" };

let current: BackendName | null = null;

/** Native TensorFlow: the CUDA build when installed, else the CPU build. Both register "tensorflow". */
const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

async function tryNode(): Promise<boolean> {
  for (const spec of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps TypeScript from requiring the optional package's types.
      await import(spec);
      if (await tf.setBackend(TF_NAME.node)) return true;
    } catch {
      // not installed (or its native library failed to load): try the next
    }
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // Node cannot fetch the .wasm binaries by URL: point the loader at the files in the package.
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths({
      "tfjs-backend-wasm.wasm": join(dist, "tfjs-backend-wasm.wasm"),
      "tfjs-backend-wasm-simd.wasm": join(dist, "tfjs-backend-wasm-simd.wasm"),
      "tfjs-backend-wasm-threaded-simd.wasm": join(dist, "tfjs-backend-wasm-threaded-simd.wasm"),
    });
    // Threaded wasm cannot start its pool under Node (blob: worker URLs): stay single-threaded
    // inside one tfjs instance and get parallelism from worker_threads instead.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    return await tf.setBackend(TF_NAME.wasm);
  } catch {
    return false;
  }
}

async function tryCpu(): Promise<boolean> {
  return tf.setBackend(TF_NAME.cpu);
}

/**
 * Select and initialise a backend; returns the name in use. `auto` tries node → wasm → cpu.
 * Forcing a backend that cannot load throws, naming the option.
 */
export function initBackend(choice: BackendChoice = "auto"): Promise<BackendName> {
  // Single flight: two steps of one process (`run --jobs 2`) starting at once must not both
  // probe backends — a probe sets tfjs's global backend to null while it awaits, and an op of
  // the other step then silently instantiates the cpu backend under it (slow, then a crash in
  // cpu Reshape once the engine switches back: issue "run --jobs 2 fails every CNN step").
  const next = pending.then(() => selectBackend(choice));
  pending = next.catch(() => undefined);
  return next;
}

let pending: Promise<unknown> = Promise.resolve();

/**
 * Serializes in-process tfjs work of one process: two CNN steps at `run --jobs 2` share one
 * tfjs engine (global backend, memory manager), so their in-process training and inference
 * take turns; training in worker_threads has an engine of its own and needs no lock.
 */
export async function withTfLock<T>(fn: () => Promise<T>): Promise<T> {
  const prev = lockTail;
  let release!: () => void;
  lockTail = new Promise<void>((r) => (release = r));
  await prev;
  try {
    return await fn();
  } finally {
    release();
  }
}

let lockTail: Promise<void> = Promise.resolve();

async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  if (current !== null && (choice === "auto" || choice === current)) return current;
  const order: BackendName[] = choice === "auto" ? ["node", "wasm", "cpu"] : [choice];
  for (const name of order) {
    const ok = name === "node" ? await tryNode() : name === "wasm" ? await tryWasm() : await tryCpu();
    if (ok) {
      await tf.ready();
      current = name;
      return name;
    }
  }
  throw new CnnOptionError(
    `backend "${choice}" could not be loaded` +
      (choice === "node"
        ? " (@tensorflow/tfjs-node is not installed: run `npm install @tensorflow/tfjs-node` on an online machine, or use backend: auto)"
        : "; use backend: auto"),
  );
}

export { tf };
