/**
 * The files one SLURM job of a run shares with its coordinator, all under
 * `<store>/jobs/<run_id>/`: the job's spec (what to run and the key it must have), its batch
 * script, its log, its id, and its result record. The result is written atomically
 * (temp + rename) by the job and is the only signal of success the coordinator trusts;
 * SLURM's job state explains failures.
 */
import { join } from "node:path";
import type { StepStatus } from "../run-record.js";
import { readJsonOrNull, writeJsonAtomic } from "../store/records.js";

export interface JobSpecFile {
  format: 1;
  run_id: string;
  /** Absolute path of the (shared) store. */
  store: string;
  /** Absolute pipeline file, the final param values and step modules: the job loads the same pipeline. */
  pipeline_file: string;
  pipeline_hash: string;
  params: Record<string, string | number | boolean>;
  step_modules: string[];
  step: string;
  /** The cache key the coordinator computed; the job refuses to run under another. */
  key: string;
  /** Upstream step -> artifact hash. */
  inputs: Record<string, string>;
  /** Why the coordinator runs it (recorded as the step's reason). */
  reason: string;
  /** Run even when the key is cached (--force, always: true). */
  force: boolean;
  threads: number;
  submitted_at: string;
}

export interface JobResultFile {
  format: 1;
  status: Exclude<StepStatus, "skipped">;
  key: string;
  artifact: string | null;
  reason: string;
  error: string | null;
  seconds: number;
  peak_rss_mb: number | null;
  started_at: string;
  finished_at: string;
  facts: Record<string, string | number | boolean | null>;
  host: string;
  job_id: string | null;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

export interface JobPaths {
  dir: string;
  spec: string;
  script: string;
  log: string;
  result: string;
  id: string;
}

export function jobsDir(storeRoot: string, runId: string): string {
  return join(storeRoot, "jobs", safe(runId));
}

export function jobPaths(storeRoot: string, runId: string, step: string): JobPaths {
  const dir = jobsDir(storeRoot, runId);
  const base = join(dir, safe(step));
  return { dir, spec: `${base}.json`, script: `${base}.sh`, log: `${base}.log`, result: `${base}.result.json`, id: `${base}.jobid` };
}

export const writeResult = (path: string, r: JobResultFile) => writeJsonAtomic(path, r);
export const readResult = (path: string) => readJsonOrNull<JobResultFile>(path);
export const readSpec = (path: string) => readJsonOrNull<JobSpecFile>(path);
