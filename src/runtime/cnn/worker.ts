/**
 * worker_threads entry: one tfjs instance (its own single-threaded wasm) holding a model
 * replica. Threaded wasm cannot start under Node, so this is how training uses a second core.
 * Protocol: {id, kind, ...} requests, {id, ok, value | error} replies (see parallel.ts); a
 * "train" request also sends {id, progress} once per epoch before its reply.
 */
import { parentPort } from "node:worker_threads";
import { initBackend, type BackendChoice } from "./backend.js";
import type { CnnConfig, TargetStats } from "../../core/cnn/model.js";
import { Replica, type GradRequest } from "../../core/cnn/replica.js";
import { trainCnn, type TrainData, type TrainOptions } from "./train.js";

interface InitMessage {
  kind: "init";
  backend: BackendChoice;
  config: CnnConfig;
  stats: TargetStats;
  x: Float32Array;
  y: Float32Array[];
}

/** A whole training run inside this worker (one model per core: trainConcurrently). */
interface TrainMessage {
  kind: "train";
  config: CnnConfig;
  stats: TargetStats;
  data: TrainData;
  opts: Omit<TrainOptions, "onEpoch" | "signal">;
}

type Request =
  | ({ id: number } & InitMessage)
  | ({ id: number } & TrainMessage)
  | { id: number; kind: "grad"; req: GradRequest }
  | { id: number; kind: "eval"; weights: Float32Array; state: Float32Array; rows: Int32Array };

let replica: Replica | null = null;

parentPort!.on("message", async (m: Request) => {
  try {
    if (m.kind === "init") {
      const backend = await initBackend(m.backend);
      replica = new Replica(m.config, m.stats, { x: m.x, y: m.y });
      parentPort!.postMessage({ id: m.id, ok: true, value: backend });
    } else if (m.kind === "train") {
      const res = await trainCnn(m.config, m.stats, m.data, {
        ...m.opts,
        threads: 1,
        onEpoch: (p) => parentPort!.postMessage({ id: m.id, progress: p }),
      });
      parentPort!.postMessage({ id: m.id, ok: true, value: res });
    } else if (m.kind === "grad") {
      const r = replica!.grad(m.req);
      parentPort!.postMessage({ id: m.id, ok: true, value: r }, [r.grads.buffer as ArrayBuffer]);
    } else {
      parentPort!.postMessage({ id: m.id, ok: true, value: replica!.evaluate(m.weights, m.state, m.rows) });
    }
  } catch (e) {
    parentPort!.postMessage({
      id: m.id,
      ok: false,
      error: e instanceof Error ? e.message : String(e),
      errorName: e instanceof Error ? e.name : null,
    });
  }
});
