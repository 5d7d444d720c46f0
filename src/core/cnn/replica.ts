/**
 * One model replica: the training data plus the functions "weights + rows → loss, gradient"
 * and "weights + rows → loss sums". The same class runs in-process (one thread) and inside
 * each worker (data-parallel), so both paths compute exactly the same thing.
 */
import * as tf from "@tensorflow/tfjs";
import { forward, heads, layoutOf, lossSums, tasksOf, weightTensors, type CnnConfig, type Layout, type TargetStats } from "./model.js";

export interface ReplicaData {
  /** Scaled inputs, row-major n × inputPoints (may be backed by a SharedArrayBuffer). */
  x: Float32Array;
  /** Per task: targets on the log1p scale, NaN = missing. */
  y: Float32Array[];
}

export interface GradRequest {
  weights: Float32Array;
  state: Float32Array;
  rows: Int32Array;
  /** Labelled rows per task in the whole (all replicas') batch: the loss denominator. */
  counts: number[];
  dropoutSeed: number;
}

export interface GradResult {
  /** This replica's share of the batch loss (sum over replicas = batch loss). */
  loss: number;
  grads: Float32Array;
  /** BN batch statistics [mean…, var…] per BN layer (empty without BN). */
  bnStats: Float32Array;
  rows: number;
}

export interface EvalResult {
  /** Per task: Σ loss terms and labelled count. */
  sums: number[];
  counts: number[];
}

export class Replica {
  readonly layout: Layout;
  private readonly p: number;

  constructor(
    readonly config: CnnConfig,
    readonly stats: TargetStats,
    readonly data: ReplicaData,
  ) {
    this.layout = layoutOf(config);
    this.p = config.inputPoints;
  }

  private batch(rows: Int32Array): { x: tf.Tensor2D; y: tf.Tensor1D[]; mask: tf.Tensor1D[]; labelled: number[] } {
    const p = this.p;
    const xb = new Float32Array(rows.length * p);
    for (let i = 0; i < rows.length; i++) xb.set(this.data.x.subarray(rows[i]! * p, (rows[i]! + 1) * p), i * p);
    const y: tf.Tensor1D[] = [];
    const mask: tf.Tensor1D[] = [];
    const labelled: number[] = [];
    for (const yt of this.data.y) {
      const yv = new Float32Array(rows.length);
      const mv = new Float32Array(rows.length);
      let c = 0;
      for (let i = 0; i < rows.length; i++) {
        const v = yt[rows[i]!]!;
        if (Number.isFinite(v)) {
          yv[i] = v;
          mv[i] = 1;
          c++;
        }
      }
      y.push(tf.tensor1d(yv));
      mask.push(tf.tensor1d(mv));
      labelled.push(c);
    }
    return { x: tf.tensor2d(xb, [rows.length, p]), y, mask, labelled };
  }

  grad(req: GradRequest): GradResult {
    const bnStats: number[] = [];
    const { loss, grads } = tf.tidy(() => {
      const { x, y, mask } = this.batch(req.rows);
      const params = weightTensors(this.layout, req.weights);
      const f = (...ws: tf.Tensor[]): tf.Scalar => {
        bnStats.length = 0;
        const raw = forward(this.config, this.layout, ws, req.state, x, {
          training: true,
          dropoutSeed: req.dropoutSeed,
          bnStats,
        });
        const sums = lossSums(this.config, this.stats, heads(this.config, this.stats, raw), y, mask);
        // Mean over all labels in the full batch (every label weighs the same): with OM labelled
        // on ~10 % of rows, a per-task mean gave each OM label ~10× a C label's weight, and the
        // multi-task net overfit OM within a few epochs while C stayed underfit.
        const total = req.counts.reduce((a, c) => a + c, 0);
        return tf.div(tf.addN(sums), Math.max(1, total)) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)(params);
      const flat = new Float32Array(this.layout.size);
      this.layout.params.forEach((p, i) => flat.set(grads[i]!.dataSync() as Float32Array, p.offset));
      return { loss: value.dataSync()[0]!, grads: flat };
    });
    return { loss, grads, bnStats: Float32Array.from(bnStats), rows: req.rows.length };
  }

  evaluate(weights: Float32Array, state: Float32Array, rows: Int32Array, chunk = 256): EvalResult {
    const nt = tasksOf(this.config.target).length;
    const sums = new Array<number>(nt).fill(0);
    const counts = new Array<number>(nt).fill(0);
    for (let s = 0; s < rows.length; s += chunk) {
      const part = rows.subarray(s, Math.min(rows.length, s + chunk));
      tf.tidy(() => {
        const { x, y, mask, labelled } = this.batch(part);
        const params = weightTensors(this.layout, weights);
        const raw = forward(this.config, this.layout, params, state, x, { training: false });
        const ls = lossSums(this.config, this.stats, heads(this.config, this.stats, raw), y, mask);
        ls.forEach((l, k) => {
          sums[k]! += l.dataSync()[0]!;
          counts[k]! += labelled[k]!;
        });
      });
    }
    return { sums, counts };
  }
}
