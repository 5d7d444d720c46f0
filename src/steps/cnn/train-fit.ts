/**
 * `cnn.train`'s fit (tf-free at import: TensorFlow.js comes in through the loaded core): the
 * member(s) trained with progress and history (src/runtime/cnn/train.ts, threadPolicy in
 * src/core/cnn/thread-policy.ts), then split-conformal calibration on cal
 * (src/core/cnn/training-data.ts) and the PCA domain model of the train spectra
 * (src/core/stats/domain.ts).
 */
import type { CnnBundle, InputScaling, UncertaintyMeta } from "../../core/cnn/predict.js";
import { CnnOptionError } from "../../core/cnn/errors.js";
import { threadPolicy, type ThreadPolicy } from "../../core/cnn/thread-policy.js";
import { conformalByTask } from "../../core/cnn/training-data.js";
import type { TaskName } from "../../core/cnn/config.js";
import { fitDomain, type DomainModel } from "../../core/stats/domain.js";
import { StepInputError, type StepContext } from "../../engine/step.js";
import type { EpochProgress, TrainResult } from "../../runtime/cnn/train.js";
import type { loadTfCore } from "./tf-core.js";
import type { CnnTrainOptions } from "./train-options.js";
import type { Prepared } from "./train-setup.js";

export type TfCore = Awaited<ReturnType<typeof loadTfCore>>;

export interface Trained {
  results: TrainResult[];
  /** Per epoch of each member, in (member, epoch) order. */
  history: (EpochProgress & { member: number })[];
  policy: ThreadPolicy;
  samplesPerS: number;
}

/** Trains the member(s) with progress and per-epoch history (trainMembers, threadPolicy). */
export async function trainWithProgress(ctx: StepContext, tf: TfCore, d: Prepared, x: Float32Array, o: CnnTrainOptions): Promise<Trained> {
  const { resolved } = d;
  const memberCount = resolved.members;
  const policy = threadPolicy({ requested: o.threads, trainRows: d.data.train.length, members: memberCount, available: ctx.threads });
  const progress = ctx.progress("cnn", resolved.epochs * memberCount, "epochs");
  const history: Trained["history"] = [];
  const trainOpts = {
    epochs: resolved.epochs,
    batch: resolved.batch,
    lr: resolved.lr,
    patience: resolved.patience,
    schedule: resolved.schedule,
    clipNorm: 5,
    backend: o.backend,
    signal: ctx.signal,
  };
  const hooks = {
    onEpoch: (k: number, e: EpochProgress) => {
      history.push({ ...e, member: k });
      // short enough for an 80-column line; NLL = Gaussian negative log-likelihood per label
      // (log1p scale, lower is better), negative once the predicted SD is small
      progress.tick(1, `${memberCount > 1 ? `m${k + 1}/${memberCount} ` : ""}val NLL ${e.valLoss.toFixed(2)}`);
    },
    // Members that stopped early leave ticks unused; keep the bar honest.
    onDone: (res: TrainResult) => {
      if (res.history.length < resolved.epochs) progress.tick(resolved.epochs - res.history.length);
    },
  };
  const seeds = Array.from({ length: memberCount }, (_, k) => o.seed + 7919 * k);
  const { results, samplesPerS } = await tf
    .trainMembers(d.config, d.stats, { x, ...d.data }, trainOpts, seeds, policy, hooks)
    .catch((e: Error): never => {
      if (e instanceof CnnOptionError) throw new StepInputError(`option backend/threads: ${e.message}`);
      throw e;
    });
  // Concurrent members report epochs interleaved: store the history in (member, epoch) order.
  history.sort((a, b) => a.member - b.member || a.epoch - b.epoch);
  const last = results[results.length - 1]!;
  progress.done(`${last.backend}, ${policy.concurrent ? `${policy.workers} members side by side` : `${last.threads} thread(s)`}`);
  return { results, history, policy, samplesPerS };
}

/** What calibrates the intervals and the domain check. */
export interface Calibration {
  input: InputScaling;
  q: UncertaintyMeta["q"];
  nCal: Partial<Record<TaskName, number>>;
  domain: DomainModel | null;
}

/**
 * The bundle's raw predictions of every spectrum, the conformal quantile per task (log1p scale,
 * on cal) and the domain model from the train spectra. Inference runs in this thread, on the
 * engine other steps share: under the lock.
 */
export async function calibrate(ctx: StepContext, tf: TfCore, d: Prepared, bundle: CnnBundle, o: CnnTrainOptions) {
  const p = d.sm.wavenumbers.length;
  const raw = await tf.withTfLock(async () => {
    await tf.initBackend(o.backend);
    return tf.predictRaw(bundle, d.sm.values);
  });
  const { q, nCal } = conformalByTask({ tasks: d.tasks, predicted: raw, yCal: d.yCal, calRows: d.calRows }, o.pi_level);
  for (const t of d.tasks) {
    if (nCal[t] === 0) ctx.log(`no calibration samples for ${t}: prediction intervals are NaN`);
    else if (q[t] === Infinity) ctx.log(`only ${nCal[t]} calibration samples for ${t}: the ${o.pi_level} interval is unbounded`);
  }
  const domain =
    o.domain_components > 0 && d.data.train.length >= 3
      ? fitDomain(d.sm.values, p, d.data.train, { components: o.domain_components, seed: o.seed })
      : null;
  const c: Calibration = { input: bundle.input, q, nCal, domain };
  return { raw, c };
}
