/**
 * One step's execution inside a run: its key (manifestFor), the one rerun decision (decide.ts),
 * then a cache hit, a local run under the key's lock with an atomic commit, or a remote job.
 * The run around it (runner.ts) schedules steps and writes the run record.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { FileHasher, optionLabel } from "./file-hash.js";
import { cacheKey, ENGINE_FORMAT, type KeyManifest } from "./cues.js";
import { decide, lookupStored, reasonText } from "./decide.js";
import { InterruptedError, UsageError } from "./errors.js";
import { runStepDefinition, type Facts } from "./context.js";
import type { Pipeline, ResolvedStep } from "./pipeline.js";
import type { Reporter } from "./progress.js";
import type { StepRecord } from "./run-record.js";
import { ArtifactWriter, StoredArtifact } from "./store/artifacts.js";
import type { StoreLayout } from "./store/layout.js";
import type { Resources } from "./resources.js";
import type { RemoteOutcome, RemoteRequest } from "./slurm/executor.js";
import { acquireLock } from "./store/locks.js";
import { readIndex, writeIndex, writeKey } from "./store/records.js";
import { StepInputError } from "./step.js";
import { packageVersions, sourceFingerprint } from "./source-hash.js";

/** Where steps run when not in this process: the SLURM executor implements it. */
export interface RemoteExecutor {
  /** Throws a UsageError when a step's resources can never be granted (before anything runs). */
  checkFits(step: string, resources: Resources, where: string): void;
  run(req: RemoteRequest): Promise<RemoteOutcome>;
  cancelAll(): Promise<void>;
}

export async function manifestFor(step: ResolvedStep, inputs: Record<string, string>, files: FileHasher): Promise<KeyManifest> {
  const def = step.definition;
  return {
    engine: ENGINE_FORMAT,
    type: def.type,
    version: def.version,
    options: JSON.parse(JSON.stringify(step.options ?? {})),
    inputs,
    // only when set, so the keys of every step without `inputs:` stay as they were
    ...(Object.keys(step.inputs).length > 0 ? { routes: { ...step.inputs } } : {}),
    source: sourceFingerprint(def.source),
    packages: packageVersions(def.packages ?? []),
    files: await files.hash(def.inputFiles?.(step.options as never) ?? [], optionLabel(step.name, step.options)),
  };
}

export function errorText(e: unknown): string {
  if (e instanceof StepInputError || e instanceof UsageError || e instanceof InterruptedError) return e.message;
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

export interface Outcome {
  record: StepRecord;
  artifact: StoredArtifact | null;
}

/** maxRSS is the process's running peak (kB on Linux). */
export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

export function skippedRecord(step: ResolvedStep, reason: string): StepRecord {
  return {
    name: step.name,
    type: step.type,
    status: "skipped",
    key: "",
    artifact: null,
    reason,
    seconds: 0,
    peak_rss_mb: null,
    started_at: null,
    needs: [...step.needs],
    facts: {},
    error: null,
  };
}

/** Everything one step's execution needs from the run around it. */
export interface StepExecution {
  step: ResolvedStep;
  pipeline: Pipeline;
  store: StoreLayout;
  /** The committed artifacts of the step's needs, in `needs` order. */
  upstream: readonly StoredArtifact[];
  forced: boolean;
  reporter: Reporter;
  threads: number;
  files: FileHasher;
  /** Aborted on Ctrl-C / SIGTERM: the step fails as "interrupted" and leaves no artifact. */
  signal: AbortSignal;
  /** Verifies the step's cached inputs, recomputing corrupt ones; the new upstream when an input's hash changed, else null. */
  ensureInputs(step: ResolvedStep): Promise<readonly StoredArtifact[] | null>;
  /** Set when the step runs as a remote job instead of in this process. */
  remote?: { executor: RemoteExecutor; runId: string; stepModules: readonly string[] };
}

/** A step's threads here: its `resources.cpus` when the pipeline sets them, else the run's share of the cores. */
export function stepThreads(step: ResolvedStep, runShare: number): number {
  return step.cpusSet ? Math.max(1, Math.min(step.resources.cpus, availableParallelism())) : runShare;
}

/** Runs `work`, rejecting with InterruptedError as soon as `signal` aborts (the listener is removed afterwards). */
async function unlessAborted<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new InterruptedError();
  let fail = () => {};
  const aborted = new Promise<never>((_, reject) => (fail = () => reject(new InterruptedError())));
  signal.addEventListener("abort", fail, { once: true });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    signal.removeEventListener("abort", fail);
  }
}

export async function executeStep(x: StepExecution): Promise<Outcome> {
  const { step, pipeline, store: l, reporter } = x;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  // A need left out (`needs_ok: any`) is part of the key: a pool missing a fold is never served as the complete one.
  const have = new Map(x.upstream.map((a) => [a.step, a.hash]));
  const missing = step.needs.filter((n) => !have.has(n));
  const manifest = await manifestFor(step, Object.fromEntries(step.needs.map((n) => [n, have.get(n) ?? "(did not finish)"])), x.files);
  const index = await readIndex(l, pipeline.name, step.name);
  const previous = index?.manifest ?? null;
  const decision = () =>
    decide({ manifest, previous, forced: x.forced, always: step.always, lookup: (k) => lookupStored(l, k, step.name) });
  const key = cacheKey(manifest);
  const base = { name: step.name, type: step.type, key, started_at: startedAt, needs: [...step.needs] };
  const seconds = () => (performance.now() - t0) / 1000;
  const timing = () => ({ seconds: seconds(), peak_rss_mb: peakRssMb() });

  const cached = async (art: StoredArtifact): Promise<Outcome> => {
    // A no-op rerun writes nothing per step: the index already holds this key.
    if (index?.key !== key) await writeIndex(l, pipeline.name, step.name, { key, manifest });
    reporter.stepFinished(step.name, "cached", seconds(), "cached");
    return {
      record: { ...base, status: "cached", artifact: art.hash, reason: "unchanged", ...timing(), facts: {}, error: null },
      artifact: art,
    };
  };

  const first = await decision();
  if (!first.run) return cached(first.hit!);
  if (x.remote) {
    const repaired = await x.ensureInputs(step);
    if (repaired) return await executeStep({ ...x, upstream: repaired });
    return await runRemote(x, x.remote, { key, manifest, reason: reasonText(first.reasons), base, t0 });
  }
  const release = await acquireLock(l, key, () => reporter.log(step.name, "waiting: another somflow run is computing this step"));
  try {
    // Another process may have finished it while we waited for the lock.
    const d = await decision();
    if (!d.run) return cached(d.hit!);
    const repaired = await x.ensureInputs(step);
    // A corrupt input was recomputed with a different hash: this step's key changed.
    if (repaired) return await executeStep({ ...x, upstream: repaired });
    return await runHere(x, { key, manifest, reason: reasonText(d.reasons), base, t0, missing });
  } finally {
    await release();
  }
}

/** What a step's execution knows once it is decided that it runs. */
interface RunDecided {
  key: string;
  manifest: KeyManifest;
  reason: string;
  base: Omit<StepRecord, "status" | "artifact" | "reason" | "seconds" | "peak_rss_mb" | "facts" | "error">;
  t0: number;
  /** Needs left out (`needs_ok: any`). */
  missing: string[];
}

/** Runs the step in this process (its key's lock held by the caller) and commits its artifact, or records why it failed. */
async function runHere(x: StepExecution, k: RunDecided): Promise<Outcome> {
  const { step, pipeline, store: l, reporter } = x;
  const { key, manifest, reason, base } = k;
  const seconds = () => (performance.now() - k.t0) / 1000;
  const timing = () => ({ seconds: seconds(), peak_rss_mb: peakRssMb() });
  reporter.stepStarted(step.name, step.type, reason);
  const writer = await ArtifactWriter.create(l);
  const facts: Facts = {};
  const sink = { outputs: writer.outputs, scratchDir: `${writer.folder}.scratch` };
  const deps = {
    name: step.name,
    inputs: x.upstream,
    sink,
    reporter,
    threads: x.threads,
    signal: x.signal,
    routes: step.inputs,
    missing: k.missing,
  };
  try {
    await unlessAborted(x.signal, () => runStepDefinition(step.definition, step.options, deps, facts));
    if (x.signal.aborted) throw new InterruptedError();
  } catch (e) {
    await writer.discard();
    const error = errorText(e);
    reporter.stepFinished(step.name, "failed", seconds(), error.split("\n")[0]!);
    if (!(e instanceof StepInputError) && !(e instanceof InterruptedError) && e instanceof Error && e.stack) {
      reporter.log(step.name, e.stack);
    }
    return {
      record: { ...base, status: "failed", artifact: null, reason: error.split("\n")[0]!, ...timing(), facts, error },
      artifact: null,
    };
  }
  const hash = await writer.commit(l, step.name, step.type);
  await writeKey(l, { key, artifact: hash, manifest, created_at: new Date().toISOString() });
  await writeIndex(l, pipeline.name, step.name, { key, manifest });
  const art = await StoredArtifact.open(l, hash, step.name);
  if (!art) throw new Error(`artifact ${hash} of step ${step.name} vanished right after commit`);
  reporter.stepFinished(step.name, "ran", seconds(), reason);
  return { record: { ...base, status: "ran", artifact: hash, reason, ...timing(), facts, error: null }, artifact: art };
}

/**
 * The step as a remote job: the job recomputes and checks the key, takes the key's lock,
 * runs the step and commits it exactly as a local run would; its result record says what it
 * made. SLURM's job facts (id, node, queue wait, log) join the step's record.
 */
async function runRemote(x: StepExecution, remote: NonNullable<StepExecution["remote"]>, k: Omit<RunDecided, "missing">): Promise<Outcome> {
  const { step, pipeline, store: l, reporter } = x;
  reporter.stepStarted(step.name, step.type, k.reason);
  const out = await remote.executor.run({
    runId: remote.runId,
    resources: step.resources,
    signal: x.signal,
    onSubmitted: (id) => reporter.log(step.name, `submitted as SLURM job ${id}`),
    onHeld: (id, why) =>
      reporter.log(
        step.name,
        `SLURM job ${id} is held (${why}): it waits until released (scontrol release ${id}) or cancelled (scancel ${id})`,
      ),
    spec: {
      store: l.root,
      pipeline_file: resolve(pipeline.file),
      pipeline_hash: pipeline.hash,
      params: { ...pipeline.params },
      step_modules: remote.stepModules.map((m) => resolve(m)),
      step: step.name,
      key: k.key,
      inputs: Object.fromEntries(x.upstream.map((a) => [a.step, a.hash])),
      reason: k.reason,
      force: x.forced || step.always,
      threads: step.resources.cpus,
    },
  });
  const r = out.result;
  const facts: Facts = {
    ...(r?.facts ?? {}),
    slurm_job_id: out.job_id,
    slurm_node: out.node,
    slurm_queue_wait_s: out.queue_wait_s,
    slurm_state: out.state,
    slurm_log: out.log,
  };
  const wall = (performance.now() - k.t0) / 1000;
  if (r && (r.status === "ran" || r.status === "cached") && r.artifact) {
    const art = await StoredArtifact.open(l, r.artifact, step.name);
    if (!art)
      throw new Error(`SLURM job ${out.job_id} reported artifact ${r.artifact} for ${step.name}, but the store does not hold it intact`);
    await writeIndex(l, pipeline.name, step.name, { key: k.key, manifest: k.manifest });
    const reason = r.status === "ran" ? k.reason : "made by another run while this job waited";
    reporter.stepFinished(step.name, r.status, wall, reason);
    return {
      record: {
        ...k.base,
        status: r.status,
        artifact: art.hash,
        reason,
        seconds: r.seconds,
        peak_rss_mb: r.peak_rss_mb,
        facts,
        error: null,
      },
      artifact: art,
    };
  }
  const error = r?.error ?? out.failure ?? `SLURM job ${out.job_id} ended without a result`;
  const first = error.split("\n")[0]!;
  reporter.stepFinished(step.name, "failed", wall, first);
  return {
    record: {
      ...k.base,
      status: "failed",
      artifact: null,
      reason: first,
      seconds: r?.seconds ?? wall,
      peak_rss_mb: r?.peak_rss_mb ?? null,
      facts,
      error,
    },
    artifact: null,
  };
}
