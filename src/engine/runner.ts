/**
 * Runs a validated pipeline against a store: topological, independent steps in parallel up
 * to `jobs`, a failed step stops only its descendants, finished steps are committed at once
 * so the next run resumes where this one stopped. Each step's fate is decided by its cache
 * key; the reasons come from the cues.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { arch, availableParallelism, hostname, platform } from "node:os";
import { join, resolve } from "node:path";
import type { Facts } from "./context.js";
import { checkInputPaths, FileHasher, optionLabel } from "./file-hash.js";
import { cacheKey } from "./cues.js";
import { withAncestors } from "./dag.js";
import { UsageError } from "./errors.js";
import type { Pipeline, ResolvedStep } from "./pipeline.js";
import { silentReporter, type Reporter } from "./progress.js";
import type { RunRecord } from "./run-record.js";
import type { JobResultFile, JobSpecFile } from "./slurm/job-files.js";
import { StoredArtifact } from "./store/artifacts.js";
import { InputVerifier } from "./store/integrity.js";
import { prepareStore, type StoreLayout } from "./store/layout.js";
import { RunLease } from "./store/leases.js";
import { newRunId, writeRun } from "./store/records.js";
import { packageVersions, projectRoot } from "./source-hash.js";
import {
  errorText,
  executeStep,
  manifestFor,
  peakRssMb,
  skippedRecord,
  stepThreads,
  type Outcome,
  type RemoteExecutor,
  type StepExecution,
} from "./step-execution.js";

export { manifestFor, type RemoteExecutor } from "./step-execution.js";

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

export async function runPipeline(pipeline: Pipeline, opts: RunOptions): Promise<RunRecord> {
  checkStepNames(pipeline, opts.only ?? [], "--only");
  checkStepNames(pipeline, opts.force ?? [], "--force");
  // Devices and FIFOs named as input files would hang the hasher: refused before anything is written.
  for (const s of pipeline.steps)
    await checkInputPaths(s.definition.inputFiles?.(s.options as never) ?? [], optionLabel(s.name, s.options));
  const l = await prepareStore(opts.store);
  const selected = opts.only?.length ? withAncestors(pipeline.steps, opts.only) : new Set(pipeline.steps.map((s) => s.name));
  for (const s of pipeline.steps) if (selected.has(s.name)) opts.remote?.checkFits(s.name, s.resources, pipeline.file);
  const reporter = opts.reporter ?? silentReporter;
  const started = new Date();
  const runId = newRunId(started);
  const files = new FileHasher(join(l.root, "file-hashes.json"));
  // Taken before any cache hit is resolved: gc keeps whatever this run finds or makes.
  const lease = await RunLease.start(l, runId, () => reporter.log("run", "waiting: somflow gc holds the store lock"));
  try {
    const scheduler = new RunScheduler(pipeline, l, runId, files, opts);
    const outcomes = await scheduler.run(pipeline.steps.filter((s) => selected.has(s.name)));
    await files.save();
    const record = runRecord(pipeline, runId, started, outcomes, scheduler.signal.aborted);
    await writeRun(l, record);
    reporter.close();
    return record;
  } finally {
    await lease.end();
  }
}

/**
 * The steps of one run: started in topological order as their needs finish, up to `jobs` at
 * once; a step whose needs did not finish is skipped; a corrupt cached input is recomputed
 * (once) before the step that reads it runs.
 */
class RunScheduler {
  readonly outcomes = new Map<string, Outcome>();
  readonly signal: AbortSignal;
  private readonly reporter: Reporter;
  private readonly jobs: number;
  private readonly threads: number;
  private readonly forced: Set<string>;
  private readonly verifier: InputVerifier | null;
  private readonly repairs = new Map<string, Promise<void>>();
  private readonly remote: StepExecution["remote"];

  constructor(
    private readonly pipeline: Pipeline,
    private readonly store: StoreLayout,
    runId: string,
    private readonly files: FileHasher,
    opts: RunOptions,
  ) {
    this.reporter = opts.reporter ?? silentReporter;
    this.signal = opts.signal ?? new AbortController().signal;
    this.jobs = Math.max(1, opts.jobs ?? 1);
    // Steps running side by side share the cores instead of each taking all of them.
    this.threads = Math.max(1, opts.threads ?? Math.floor(availableParallelism() / this.jobs));
    this.forced = new Set(opts.force ?? []);
    this.verifier = opts.verifyInputs === false ? null : new InputVerifier(store);
    this.remote = opts.remote ? { executor: opts.remote, runId, stepModules: opts.stepModules ?? [] } : undefined;
  }

  /** Runs `pending` (topologically ordered) to the end; every step gets an outcome. */
  async run(pending: ResolvedStep[]): Promise<Map<string, Outcome>> {
    const running = new Map<string, Promise<void>>();
    while (pending.length > 0 || running.size > 0) {
      for (let i = 0; i < pending.length && running.size < this.jobs;) {
        const step = pending[i]!;
        const blocker = this.signal.aborted ? "the run was interrupted" : this.blockedBy(step);
        if (blocker !== undefined) {
          pending.splice(i, 1);
          const reason = this.signal.aborted ? "not run: interrupted" : `not run: ${blocker} did not finish`;
          this.outcomes.set(step.name, { record: skippedRecord(step, reason), artifact: null });
          this.reporter.stepFinished(step.name, "skipped", 0, reason);
          continue;
        }
        if (!step.needs.every((n) => this.outcomes.has(n))) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        const p = this.start(step).then((o) => {
          this.outcomes.set(step.name, o);
          running.delete(step.name);
        });
        running.set(step.name, p);
      }
      if (running.size > 0) await Promise.race(running.values());
    }
    return this.outcomes;
  }

  private start(step: ResolvedStep): Promise<Outcome> {
    return executeStep(this.execution(step, this.forced.has(step.name))).catch((e: unknown): Outcome => {
      // A fault of the engine around the step (store I/O, lock): the step fails, the run goes on.
      const error = errorText(e);
      this.reporter.stepFinished(step.name, "failed", 0, error.split("\n")[0]!);
      return { record: { ...skippedRecord(step, error.split("\n")[0]!), status: "failed", error }, artifact: null };
    });
  }

  private execution(step: ResolvedStep, forced: boolean): StepExecution {
    return {
      step,
      pipeline: this.pipeline,
      store: this.store,
      upstream: this.upstreamOf(step),
      forced,
      reporter: this.reporter,
      threads: stepThreads(step, this.threads),
      files: this.files,
      signal: this.signal,
      ensureInputs: (s) => this.ensureInputs(s),
      remote: this.remote,
    };
  }

  /** A `needs_ok: any` step runs without the needs that did not finish (see blockedBy). */
  private upstreamOf(step: ResolvedStep): StoredArtifact[] {
    return step.needs.filter((n) => this.outcomes.get(n)!.artifact).map((n) => this.outcomes.get(n)!.artifact!);
  }

  private notOk(n: string): boolean {
    const o = this.outcomes.get(n);
    return o !== undefined && o.record.status !== "ran" && o.record.status !== "cached";
  }

  /** The need that keeps `step` from running; `needs_ok: any` (a pooling step): only when every need is done and none finished. */
  private blockedBy(step: ResolvedStep): string | undefined {
    if (step.needsOk !== "any") return step.needs.find((n) => this.notOk(n));
    return step.needs.length > 0 && step.needs.every((n) => this.notOk(n)) ? step.needs[0] : undefined;
  }

  /**
   * Checks the cached inputs of a step about to run; a corrupt one is recomputed first
   * (once per run). The new upstream when a recomputed input got a different hash (the step's key changes).
   */
  private async ensureInputs(step: ResolvedStep): Promise<readonly StoredArtifact[] | null> {
    let changed = false;
    for (const n of step.needs) {
      const o = this.outcomes.get(n)!;
      if (!this.verifier || o.record.status !== "cached" || !o.artifact) continue; // made by this run: just sealed
      const v = await this.verifier.check(o.artifact.hash);
      if (v.ok) continue;
      const why = `cached artifact ${o.artifact.hash.slice(0, 12)} is corrupt (${v.problem})`;
      this.reporter.log(step.name, `warning: input ${n}: ${why}; recomputing ${n} before ${step.name} runs`);
      await this.repair(n, why);
      const after = this.outcomes.get(n)!;
      if (!after.artifact) throw new Error(`input ${n}: ${why}, and recomputing it failed: ${after.record.reason}`);
      if (after.artifact.hash !== o.artifact.hash) changed = true;
    }
    return changed ? this.upstreamOf(step) : null;
  }

  /** Recomputes step `n` (forced), once per run however many steps read it. */
  private repair(n: string, why: string): Promise<void> {
    let p = this.repairs.get(n);
    if (!p) {
      const up = this.pipeline.steps.find((s) => s.name === n)!;
      p = executeStep(this.execution(up, true)).then((r) => {
        if (r.record.status === "ran") r.record.reason = `recomputed: ${why}`;
        this.outcomes.set(n, r);
      });
      this.repairs.set(n, p);
    }
    return p;
  }
}

function runRecord(pipeline: Pipeline, runId: string, started: Date, outcomes: Map<string, Outcome>, interrupted: boolean): RunRecord {
  const finished = new Date();
  const steps = pipeline.steps.filter((s) => outcomes.has(s.name)).map((s) => outcomes.get(s.name)!.record);
  const allPackages = [...new Set(pipeline.steps.flatMap((s) => s.definition.packages ?? []))];
  return {
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
    interrupted,
    peak_rss_mb: peakRssMb(),
    git_commit: gitCommit(),
    versions: { node: process.version, ...packageVersions(["@duckdb/node-api", ...allPackages]) },
    host: { platform: platform(), arch: arch(), cpus: availableParallelism(), node: process.version },
    steps,
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
