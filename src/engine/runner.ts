/**
 * Runs a validated pipeline against a store: topological, independent steps in parallel up
 * to `jobs`, a failed step stops only its descendants, finished steps are committed at once
 * so the next run resumes where this one stopped. Each step's fate is decided by its cache
 * key; the reasons come from the cues.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { arch, availableParallelism, hostname, platform } from "node:os";
import { join, resolve } from "node:path";
import { checkInputPaths, FileHasher, optionLabel } from "./file-hash.js";
import { cacheKey, ENGINE_FORMAT, type KeyManifest } from "./cues.js";
import { decide, lookupStored, reasonText } from "./decide.js";
import { withAncestors } from "./dag.js";
import { InterruptedError, UsageError } from "./errors.js";
import { runStepDefinition, type Facts } from "./context.js";
import type { Pipeline, ResolvedStep } from "./pipeline.js";
import { silentReporter, type Reporter } from "./progress.js";
import type { RunRecord, StepRecord } from "./run-record.js";
import { ArtifactWriter, StoredArtifact } from "./store/artifacts.js";
import { prepareStore, type StoreLayout } from "./store/layout.js";
import type { Resources } from "./resources.js";
import type { RemoteOutcome, RemoteRequest } from "./slurm/executor.js";
import type { JobResultFile, JobSpecFile } from "./slurm/job-files.js";
import { InputVerifier } from "./store/integrity.js";
import { RunLease } from "./store/leases.js";
import { acquireLock } from "./store/locks.js";
import { newRunId, readIndex, writeIndex, writeKey, writeRun } from "./store/records.js";
import { StepInputError } from "./step.js";
import { packageVersions, projectRoot, sourceFingerprint } from "./source-hash.js";

export interface RunOptions {
  store: string;
  jobs?: number;
  /** Run only these steps (and what they need). */
  only?: readonly string[];
  /** Rerun these steps even when cached. */
  force?: readonly string[];
  reporter?: Reporter;
  /** Threads a step may use; default: all cores. */
  threads?: number;
  /**
   * Cancels the run (the CLI aborts it on SIGINT/SIGTERM): running steps fail as
   * "interrupted" without leaving an artifact, steps not started are skipped, and the run
   * record is still written.
   */
  signal?: AbortSignal;
  /** Check cached inputs' content against their seals before a step that runs reads them (default true; off only to measure its cost). */
  verifyInputs?: boolean;
  /**
   * Runs each step that must run somewhere else (one SLURM job per step); cache hits are still
   * resolved here. Absent: steps run in this process.
   */
  remote?: RemoteExecutor;
  /** Step modules given with --steps (a remote job loads the same ones). */
  stepModules?: readonly string[];
}

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

export function checkStepNames(pipeline: Pipeline, names: readonly string[], flag: string): void {
  const known = new Set(pipeline.steps.map((s) => s.name));
  for (const n of names) {
    if (!known.has(n)) {
      throw new UsageError(`${flag} ${n}: no such step in ${pipeline.file} (steps: ${[...known].join(", ")})`);
    }
  }
}

/**
 * The checked-out commit, read from .git without spawning git (a process start costs more
 * than a whole no-op rerun's bookkeeping): HEAD, a worktree's `gitdir:` file, loose and packed refs.
 */
export function gitCommit(root = projectRoot()): string | null {
  try {
    let gitDir = join(root, ".git");
    if (statSync(gitDir).isFile())
      gitDir = resolve(
        root,
        readFileSync(gitDir, "utf8")
          .replace(/^gitdir:\s*/, "")
          .trim(),
      );
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref:")) return head;
    const ref = head.slice(4).trim();
    // A worktree keeps its HEAD but shares refs with the main repository (commondir).
    const common = existsSync(join(gitDir, "commondir")) ? resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim()) : gitDir;
    for (const d of [gitDir, common]) {
      if (existsSync(join(d, ref))) return readFileSync(join(d, ref), "utf8").trim();
    }
    const packed = readFileSync(join(common, "packed-refs"), "utf8")
      .split("\n")
      .find((line) => line.endsWith(` ${ref}`));
    return packed ? packed.split(" ")[0]! : null;
  } catch {
    return null;
  }
}

function errorText(e: unknown): string {
  if (e instanceof StepInputError || e instanceof UsageError || e instanceof InterruptedError) return e.message;
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

interface Outcome {
  record: StepRecord;
  artifact: StoredArtifact | null;
}

export async function runPipeline(pipeline: Pipeline, opts: RunOptions): Promise<RunRecord> {
  checkStepNames(pipeline, opts.only ?? [], "--only");
  checkStepNames(pipeline, opts.force ?? [], "--force");
  // Devices and FIFOs named as input files would hang the hasher: refused before anything is written.
  for (const s of pipeline.steps)
    await checkInputPaths(s.definition.inputFiles?.(s.options as never) ?? [], optionLabel(s.name, s.options));
  const l = await prepareStore(opts.store);
  const selectedSteps = opts.only?.length ? withAncestors(pipeline.steps, opts.only) : new Set(pipeline.steps.map((s) => s.name));
  for (const s of pipeline.steps) if (selectedSteps.has(s.name)) opts.remote?.checkFits(s.name, s.resources, pipeline.file);
  const reporter = opts.reporter ?? silentReporter;
  const signal = opts.signal ?? new AbortController().signal;
  const jobs = Math.max(1, opts.jobs ?? 1);
  // Steps running side by side share the cores instead of each taking all of them.
  const threads = Math.max(1, opts.threads ?? Math.floor(availableParallelism() / jobs));
  const selected = selectedSteps;
  const forced = new Set(opts.force ?? []);
  const started = new Date();
  const runId = newRunId(started);
  const outcomes = new Map<string, Outcome>();
  const files = new FileHasher(join(l.root, "file-hashes.json"));
  const running = new Map<string, Promise<void>>();

  // Taken before any cache hit is resolved: gc keeps whatever this run finds or makes.
  const lease = await RunLease.start(l, runId, () => reporter.log("run", "waiting: somflow gc holds the store lock"));
  try {
    const verifier = opts.verifyInputs === false ? null : new InputVerifier(l);
    const repairs = new Map<string, Promise<void>>();
    // A `needs_ok: any` step runs without the needs that did not finish (see blockedBy).
    const upstreamOf = (step: ResolvedStep) => step.needs.filter((n) => outcomes.get(n)!.artifact).map((n) => outcomes.get(n)!.artifact!);
    const remote = opts.remote ? { executor: opts.remote, runId, stepModules: opts.stepModules ?? [] } : undefined;
    const execution = (step: ResolvedStep, force: boolean): StepExecution => ({
      step,
      pipeline,
      store: l,
      upstream: upstreamOf(step),
      forced: force,
      reporter,
      threads: stepThreads(step, threads),
      files,
      signal,
      ensureInputs,
      remote,
    });
    /**
     * Checks the cached inputs of a step about to run; a corrupt one is recomputed first
     * (once per run). The new upstream when a recomputed input got a different hash (the step's key changes).
     */
    const ensureInputs = async (step: ResolvedStep): Promise<readonly StoredArtifact[] | null> => {
      let changed = false;
      for (const n of step.needs) {
        const o = outcomes.get(n)!;
        if (!verifier || o.record.status !== "cached" || !o.artifact) continue; // made by this run: just sealed
        const v = await verifier.check(o.artifact.hash);
        if (v.ok) continue;
        const why = `cached artifact ${o.artifact.hash.slice(0, 12)} is corrupt (${v.problem})`;
        reporter.log(step.name, `warning: input ${n}: ${why}; recomputing ${n} before ${step.name} runs`);
        let p = repairs.get(n);
        if (!p) {
          const up = pipeline.steps.find((s) => s.name === n)!;
          p = executeStep(execution(up, true)).then((r) => {
            if (r.record.status === "ran") r.record.reason = `recomputed: ${why}`;
            outcomes.set(n, r);
          });
          repairs.set(n, p);
        }
        await p;
        const after = outcomes.get(n)!;
        if (!after.artifact) throw new Error(`input ${n}: ${why}, and recomputing it failed: ${after.record.reason}`);
        if (after.artifact.hash !== o.artifact.hash) changed = true;
      }
      return changed ? upstreamOf(step) : null;
    };

    const notOk = (n: string) => {
      const o = outcomes.get(n);
      return o !== undefined && o.record.status !== "ran" && o.record.status !== "cached";
    };
    // `needs_ok: any` (a pooling step): blocked only when every need is done and none finished.
    const blockedBy = (step: ResolvedStep) =>
      step.needsOk === "any" ? (step.needs.length > 0 && step.needs.every(notOk) ? step.needs[0] : undefined) : step.needs.find(notOk);

    const pending = pipeline.steps.filter((s) => selected.has(s.name));
    while (pending.length > 0 || running.size > 0) {
      for (let i = 0; i < pending.length && running.size < jobs;) {
        const step = pending[i]!;
        const blocker = signal.aborted ? "the run was interrupted" : blockedBy(step);
        if (blocker !== undefined) {
          pending.splice(i, 1);
          const reason = signal.aborted ? "not run: interrupted" : `not run: ${blocker} did not finish`;
          outcomes.set(step.name, { record: skippedRecord(step, reason), artifact: null });
          reporter.stepFinished(step.name, "skipped", 0, reason);
          continue;
        }
        if (!step.needs.every((n) => outcomes.has(n))) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        const p = executeStep(execution(step, forced.has(step.name)))
          .catch((e: unknown): Outcome => {
            // A fault of the engine around the step (store I/O, lock): the step fails, the run goes on.
            const error = errorText(e);
            reporter.stepFinished(step.name, "failed", 0, error.split("\n")[0]!);
            return { record: { ...skippedRecord(step, error.split("\n")[0]!), status: "failed", error }, artifact: null };
          })
          .then((o) => {
            outcomes.set(step.name, o);
            running.delete(step.name);
          });
        running.set(step.name, p);
      }
      if (running.size > 0) await Promise.race(running.values());
    }

    await files.save();
    const finished = new Date();
    const steps = pipeline.steps.filter((s) => outcomes.has(s.name)).map((s) => outcomes.get(s.name)!.record);
    const allPackages = [...new Set(pipeline.steps.flatMap((s) => s.definition.packages ?? []))];
    const record: RunRecord = {
      run_id: runId,
      pipeline: pipeline.name,
      pipeline_file: pipeline.file,
      pipeline_hash: pipeline.hash,
      ...(pipeline.memo ? { pipeline_memo: pipeline.memo } : {}),
      params: pipeline.params,
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      status: steps.some((s) => s.status === "failed" || s.status === "skipped") ? "failed" : "ok",
      interrupted: signal.aborted,
      peak_rss_mb: peakRssMb(),
      git_commit: gitCommit(),
      versions: { node: process.version, ...packageVersions(["@duckdb/node-api", ...allPackages]) },
      host: { platform: platform(), arch: arch(), cpus: availableParallelism(), node: process.version },
      steps,
    };
    await writeRun(l, record);
    reporter.close();
    return record;
  } finally {
    await lease.end();
  }
}

/** maxRSS is the process's running peak (kB on Linux). */
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function skippedRecord(step: ResolvedStep, reason: string): StepRecord {
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
interface StepExecution {
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
function stepThreads(step: ResolvedStep, runShare: number): number {
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

async function executeStep(x: StepExecution): Promise<Outcome> {
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
    const reason = reasonText(d.reasons);
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
      missing,
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
  } finally {
    await release();
  }
}

/**
 * The step as a remote job: the job recomputes and checks the key, takes the key's lock,
 * runs the step and commits it exactly as a local run would; its result record says what it
 * made. SLURM's job facts (id, node, queue wait, log) join the step's record.
 */
async function runRemote(
  x: StepExecution,
  remote: NonNullable<StepExecution["remote"]>,
  k: {
    key: string;
    manifest: KeyManifest;
    reason: string;
    base: Omit<StepRecord, "status" | "artifact" | "reason" | "seconds" | "peak_rss_mb" | "facts" | "error">;
    t0: number;
  },
): Promise<Outcome> {
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

/**
 * One step as a remote job (`somflow run-step`): the coordinator's key is recomputed from the
 * same pipeline, params and input artifacts and must match — a job never runs a step the
 * coordinator did not mean. It holds a lease of its own, so a gc while the coordinator is
 * gone cannot collect its inputs, and commits exactly as a local run does.
 */
export async function runStepJob(
  pipeline: Pipeline,
  spec: JobSpecFile,
  opts: { reporter?: Reporter; signal?: AbortSignal } = {},
): Promise<JobResultFile> {
  const started = new Date();
  const l = await prepareStore(spec.store);
  const reporter = opts.reporter ?? silentReporter;
  const result = (r: Pick<JobResultFile, "status" | "artifact" | "reason" | "error"> & { facts?: Facts }): JobResultFile => ({
    format: 1,
    key: spec.key,
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    peak_rss_mb: peakRssMb(),
    host: hostname(),
    job_id: process.env.SLURM_JOB_ID ?? null,
    facts: {},
    ...r,
  });
  const failed = (error: string) => result({ status: "failed", artifact: null, reason: error.split("\n")[0]!, error });
  if (pipeline.hash !== spec.pipeline_hash) {
    return failed(`${spec.pipeline_file} changed after the coordinator submitted this job; run the pipeline again`);
  }
  const step = pipeline.steps.find((s) => s.name === spec.step);
  if (!step) return failed(`${spec.pipeline_file} has no step ${spec.step}`);
  const lease = await RunLease.start(l, `${spec.run_id}.job-${step.name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  try {
    const upstream: StoredArtifact[] = [];
    const verifier = new InputVerifier(l);
    for (const n of step.needs) {
      const hash = spec.inputs[n];
      if (hash === undefined && step.needsOk === "any") continue; // left out by the coordinator: it did not finish
      const art = hash ? await StoredArtifact.open(l, hash, n) : null;
      const v = art ? await verifier.check(art.hash) : null;
      if (!art || !v?.ok)
        return failed(
          `input ${n} (artifact ${hash ?? "none"}) is missing or corrupt in ${l.root}${v && !v.ok ? `: ${v.problem}` : ""}; run the pipeline again`,
        );
      upstream.push(art);
    }
    const files = new FileHasher(join(l.root, "file-hashes.json"));
    const manifest = await manifestFor(step, Object.fromEntries(step.needs.map((n) => [n, spec.inputs[n] ?? "(did not finish)"])), files);
    if (cacheKey(manifest) !== spec.key) {
      return failed(
        `the step's key here (${cacheKey(manifest).slice(0, 12)}) differs from the coordinator's (${spec.key.slice(0, 12)}): sources, options or input files differ between the two machines; run the pipeline again`,
      );
    }
    const o = await executeStep({
      step,
      pipeline,
      store: l,
      upstream,
      forced: spec.force,
      reporter,
      threads: spec.threads,
      files,
      signal: opts.signal ?? new AbortController().signal,
      ensureInputs: async () => null,
    });
    await files.save();
    const r = o.record;
    if (r.status === "ran" || r.status === "cached") {
      return result({
        status: r.status,
        artifact: r.artifact,
        reason: r.status === "ran" ? spec.reason : r.reason,
        error: null,
        facts: r.facts,
      });
    }
    return result({ status: "failed", artifact: null, reason: r.reason, error: r.error, facts: r.facts });
  } finally {
    await lease.end();
  }
}
