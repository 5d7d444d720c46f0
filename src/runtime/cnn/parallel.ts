/**
 * Replica handles for the trainer: in-process (one thread) or one worker_thread each
 * (data-parallel: every replica computes the gradient of its slice of the batch, the trainer
 * sums them and applies one update, so all replicas stay identical and results are
 * deterministic given the seed). Inputs are shared with workers through a SharedArrayBuffer,
 * never copied per step; only the weight vector travels (tens of kB for typical nets).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { BackendChoice, BackendName } from "./backend.js";
import type { CnnConfig, TargetStats } from "../../core/cnn/model.js";
import { Replica, type EvalResult, type GradRequest, type GradResult, type ReplicaData } from "../../core/cnn/replica.js";
import type { EpochProgress, TrainData, TrainOptions, TrainResult } from "./train.js";
import { CnnOptionError } from "../../core/cnn/errors.js";

export interface ReplicaHandle {
  readonly backend: BackendName;
  grad(req: GradRequest): Promise<GradResult>;
  evaluate(weights: Float32Array, state: Float32Array, rows: Int32Array): Promise<EvalResult>;
  close(): Promise<void>;
}

export function localReplica(config: CnnConfig, stats: TargetStats, data: ReplicaData, backend: BackendName): ReplicaHandle {
  const r = new Replica(config, stats, data);
  return {
    backend,
    grad: async (req) => r.grad(req),
    evaluate: async (w, s, rows) => r.evaluate(w, s, rows),
    close: async () => {},
  };
}

/**
 * Spawns worker.ts/js. From TypeScript sources (tsx, vitest) Node 20 workers do not inherit
 * the tsx loader, and neither `execArgv: ["--import", "tsx"]` nor importing "tsx" inside the
 * worker made .ts load (ERR_UNKNOWN_FILE_EXTENSION, measured); calling tsx's esm/api
 * `register()` inside an eval'd bootstrap does, under both `node --import tsx` and vitest.
 */
function spawnWorker(): Worker {
  const fromTs = import.meta.url.endsWith(".ts");
  const entry = new URL(fromTs ? "./worker.ts" : "./worker.js", import.meta.url).href;
  if (!fromTs) return new Worker(new URL(entry));
  // tsx's "./esm/api" import target (createRequire would pick its CJS build, which fails here).
  const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
  const tsx = pathToFileURL(join(dirname(pkg), "dist/esm/api/index.mjs")).href;
  const boot =
    "const { workerData } = require('node:worker_threads');" +
    "import(workerData.tsx).then((api) => { api.register(); return import(workerData.entry); })" +
    ".catch((e) => { setImmediate(() => { throw e; }); });";
  return new Worker(boot, { eval: true, workerData: { tsx, entry } });
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Called for {id, progress} messages that precede the reply (a "train" request). */
  progress?: (p: never) => void;
}

/** A worker holding a model replica (grad/eval requests) or running a whole training ("train"). */
class WorkerReplica implements ReplicaHandle {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  backend: BackendName = "cpu";

  constructor(private readonly worker: Worker) {
    worker.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string; errorName?: string | null; progress?: never }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.progress) {
        p.progress?.(m.progress);
        return;
      }
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(m.errorName === "CnnOptionError" ? new CnnOptionError(m.error) : new Error(`cnn worker: ${m.error}`));
    });
    worker.on("error", (e) => this.failAll(e));
    worker.on("exit", (code) => {
      if (this.pending.size) this.failAll(new Error(`cnn worker exited with code ${code}`));
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  call<T, P = never>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = [], progress?: (p: P) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress: progress as Pending["progress"] });
      this.worker.postMessage({ id, ...msg }, transfer);
    });
  }

  grad(req: GradRequest): Promise<GradResult> {
    return this.call<GradResult>({ kind: "grad", req });
  }

  evaluate(weights: Float32Array, state: Float32Array, rows: Int32Array): Promise<EvalResult> {
    return this.call<EvalResult>({ kind: "eval", weights, state, rows });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * One whole training run in a worker of its own (its own tfjs/wasm instance, the local loop:
 * no per-step messages). Progress arrives once per epoch; aborting `opts.signal` terminates it.
 */
export async function trainInWorker(config: CnnConfig, stats: TargetStats, data: TrainData, opts: TrainOptions): Promise<TrainResult> {
  const { onEpoch, signal, ...rest } = opts;
  const worker = new WorkerReplica(spawnWorker());
  const abort = () => void worker.close();
  signal?.addEventListener("abort", abort);
  try {
    const msg = { kind: "train", config, stats, data: { ...data, x: toShared(data.x) }, opts: rest };
    return await worker.call<TrainResult, EpochProgress>(msg, [], onEpoch);
  } catch (e) {
    throw signal?.aborted ? new Error("training cancelled") : e;
  } finally {
    signal?.removeEventListener("abort", abort);
    await worker.close();
  }
}

/** Copies into shared memory once (a no-op when already shared). */
export function toShared(x: Float32Array): Float32Array {
  if (x.buffer instanceof SharedArrayBuffer) return x;
  const s = new Float32Array(new SharedArrayBuffer(x.byteLength));
  s.set(x);
  return s;
}

/** Starts `count` workers, each with its own tfjs backend and the shared data. */
export async function workerReplicas(
  count: number,
  config: CnnConfig,
  stats: TargetStats,
  data: ReplicaData,
  backend: BackendChoice,
): Promise<ReplicaHandle[]> {
  const x = toShared(data.x);
  const handles = Array.from({ length: count }, () => new WorkerReplica(spawnWorker()));
  try {
    const names = await Promise.all(handles.map((h) => h.call<BackendName>({ kind: "init", backend, config, stats, x, y: data.y })));
    handles.forEach((h, i) => (h.backend = names[i]!));
  } catch (e) {
    await Promise.all(handles.map((h) => h.close()));
    throw e;
  }
  return handles;
}
