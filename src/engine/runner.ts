/**
 * Runs a validated pipeline against a store: topological, independent steps in parallel up
 * to `jobs`, a failed step stops only its descendants, finished steps are committed at once
 * so the next run resumes where this one stopped. Each step's fate is decided by its cache
 * key; the reasons come from the cues.
 */
import { execFileSync } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { arch, availableParallelism, platform } from "node:os";
import { join } from "node:path";
import { FileHasher } from "./file-hash.js";
import { cacheKey, ENGINE_FORMAT, type KeyManifest } from "./cues.js";
import { decide, lookupStored, reasonText } from "./decide.js";
import { withAncestors } from "./dag.js";
import { UsageError } from "./errors.js";
import { metricsTable } from "./metrics-table.js";
import type { Pipeline, ResolvedStep } from "./pipeline.js";
import { silentReporter, type Reporter } from "./progress.js";
import type { RunRecord, StepRecord } from "./run-record.js";
import { ArtifactWriter, StoredArtifact } from "./store/artifacts.js";
import { prepareStore, type StoreLayout } from "./store/layout.js";
import { acquireLock } from "./store/locks.js";
import { newRunId, readIndex, writeIndex, writeKey, writeRun } from "./store/records.js";
import { StepInputError, type InputArtifact, type StepContext, type StepInputs } from "./step.js";
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
    files: await files.hash(def.inputFiles?.(step.options as never) ?? []),
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

export function inputsFrom(
  list: readonly InputArtifact[],
  routes: Readonly<Record<string, string>> = {},
  missing: readonly string[] = [],
): StepInputs {
  // an output routed by `inputs:` comes from the named step only
  const findAll = (name: string) => {
    const from = routes[name];
    if (from === undefined) return list.filter((a) => a.has(name));
    const a = list.find((x) => x.step === from);
    if (!a || !a.has(name)) {
      throw new StepInputError(`inputs.${name}: step "${from}" has no output "${name}"; name a needed step that writes it`);
    }
    return [a];
  };
  return {
    all: list,
    missing,
    get(step) {
      const a = list.find((x) => x.step === step);
      if (!a) throw new StepInputError(`"${step}" is not among this step's needs (${list.map((x) => x.step).join(", ") || "none"}); add it to needs`);
      return a;
    },
    find(name) {
      const found = findAll(name);
      if (found.length === 1) return found[0]!;
      throw new StepInputError(
        found.length === 0
          ? `none of this step's needs (${list.map((x) => x.step).join(", ") || "none"}) provides "${name}"; add the step that writes it to needs`
          : `several needs provide "${name}" (${found.map((a) => a.step).join(", ")}); keep only the one to use, ` +
            `or name it with the step's inputs: {${name}: <step>}`,
      );
    },
    findAll,
  };
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot(), stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

function errorText(e: unknown): string {
  if (e instanceof StepInputError || e instanceof UsageError) return e.message;
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
  const l = await prepareStore(opts.store);
  const reporter = opts.reporter ?? silentReporter;
  const jobs = Math.max(1, opts.jobs ?? 1);
  // Steps running side by side share the cores instead of each taking all of them.
  const threads = Math.max(1, opts.threads ?? Math.floor(availableParallelism() / jobs));
  const selected = opts.only?.length ? withAncestors(pipeline.steps, opts.only) : new Set(pipeline.steps.map((s) => s.name));
  const forced = new Set(opts.force ?? []);
  const started = new Date();
  const runId = newRunId(started);
  const outcomes = new Map<string, Outcome>();
  const files = new FileHasher(join(l.root, "file-hashes.json"));
  const running = new Map<string, Promise<void>>();

  const notOk = (n: string) => {
    const o = outcomes.get(n);
    return o !== undefined && o.record.status !== "ran" && o.record.status !== "cached";
  };
  // `needs_ok: any` (a pooling step): blocked only when every need is done and none finished.
  const blockedBy = (step: ResolvedStep) =>
    step.needsOk === "any" ? (step.needs.length > 0 && step.needs.every(notOk) ? step.needs[0] : undefined) : step.needs.find(notOk);

  const pending = pipeline.steps.filter((s) => selected.has(s.name));
  while (pending.length > 0 || running.size > 0) {
    for (let i = 0; i < pending.length && running.size < jobs; ) {
      const step = pending[i]!;
      const blocker = blockedBy(step);
      if (blocker !== undefined) {
        pending.splice(i, 1);
        const reason = `not run: ${blocker} did not finish`;
        outcomes.set(step.name, { record: skippedRecord(step, reason), artifact: null });
        reporter.stepFinished(step.name, "skipped", 0, reason);
        continue;
      }
      if (!step.needs.every((n) => outcomes.has(n))) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      const p = executeStep(step, pipeline, l, outcomes, forced.has(step.name), reporter, threads, files)
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
    params: pipeline.params,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    status: steps.some((s) => s.status === "failed" || s.status === "skipped") ? "failed" : "ok",
    peak_rss_mb: peakRssMb(),
    git_commit: gitCommit(),
    versions: { node: process.version, ...packageVersions(["@duckdb/node-api", ...allPackages]) },
    host: { platform: platform(), arch: arch(), cpus: availableParallelism(), node: process.version },
    steps,
  };
  await writeRun(l, record);
  reporter.close();
  return record;
}

/** maxRSS is the process's running peak (kB on Linux). */
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function skippedRecord(step: ResolvedStep, reason: string): StepRecord {
  return {
    name: step.name, type: step.type, status: "skipped", key: "", artifact: null, reason, seconds: 0, peak_rss_mb: null,
    started_at: null, needs: [...step.needs], facts: {}, error: null,
  };
}

async function executeStep(
  step: ResolvedStep,
  pipeline: Pipeline,
  l: StoreLayout,
  outcomes: Map<string, Outcome>,
  forced: boolean,
  reporter: Reporter,
  threads: number,
  files: FileHasher,
): Promise<Outcome> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  // Only `needs_ok: any` gets here with a need left out (failed or skipped): the step is told which.
  const missing = step.needs.filter((n) => !outcomes.get(n)!.artifact);
  const upstream = step.needs.filter((n) => outcomes.get(n)!.artifact).map((n) => outcomes.get(n)!.artifact!);
  // A left-out need is part of the key: a pool missing a fold is never served as the complete one.
  const inputHashes = Object.fromEntries(step.needs.map((n) => [n, outcomes.get(n)!.artifact?.hash ?? "(did not finish)"]));
  const manifest = await manifestFor(step, inputHashes, files);
  const previous = (await readIndex(l, pipeline.name, step.name))?.manifest ?? null;
  const decision = () => decide({ manifest, previous, forced, always: step.always, lookup: (k) => lookupStored(l, k, step.name) });
  const key = cacheKey(manifest);
  const base = { name: step.name, type: step.type, key, started_at: startedAt, needs: [...step.needs] };
  const seconds = () => (performance.now() - t0) / 1000;
  const timing = () => ({ seconds: seconds(), peak_rss_mb: peakRssMb() });

  const cached = async (art: StoredArtifact): Promise<Outcome> => {
    await writeIndex(l, pipeline.name, step.name, { key, manifest });
    reporter.stepFinished(step.name, "cached", seconds(), "cached");
    return {
      record: { ...base, status: "cached", artifact: art.hash, reason: "unchanged", ...timing(), facts: {}, error: null },
      artifact: art,
    };
  };

  const first = await decision();
  if (!first.run) return cached(first.hit!);
  const release = await acquireLock(l, key, () => reporter.log(step.name, "waiting: another somflow run is computing this step"));
  try {
    // Another process may have finished it while we waited for the lock.
    const d = await decision();
    if (!d.run) return cached(d.hit!);
    const reason = reasonText(d.reasons);
    reporter.stepStarted(step.name, step.type, reason);
    const writer = await ArtifactWriter.create(l);
    const facts: Record<string, string | number | boolean | null> = {};
    const scratch = join(writer.folder, "..", `${writer.folder.split("/").pop()}.scratch`);
    const ctx: StepContext = {
      name: step.name,
      outputs: writer.outputs,
      signal: new AbortController().signal,
      threads,
      log: (m) => reporter.log(step.name, m),
      progress: (label, total, unit = "items") => reporter.progress(step.name, label, total, unit),
      record: (f) => Object.assign(facts, f),
      metrics: (rows) => writer.outputs.table("metrics", metricsTable(rows)),
      scratch: async () => {
        await mkdir(scratch, { recursive: true });
        return scratch;
      },
    };
    try {
      await step.definition.run(ctx, inputsFrom(upstream, step.inputs, missing), step.options as never);
    } catch (e) {
      await writer.discard();
      const error = errorText(e);
      reporter.stepFinished(step.name, "failed", seconds(), error.split("\n")[0]!);
      if (!(e instanceof StepInputError) && e instanceof Error && e.stack) reporter.log(step.name, e.stack);
      return {
        record: { ...base, status: "failed", artifact: null, reason: error.split("\n")[0]!, ...timing(), facts, error },
        artifact: null,
      };
    } finally {
      await rm(scratch, { recursive: true, force: true });
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

