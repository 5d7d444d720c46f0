/**
 * The record of one `somflow run`, written as JSON beside the artifacts and queried with
 * DuckDB (`read_json`). Shapes here are stable: CI, `somflow runs` and the report read them.
 */
export type StepStatus = "ran" | "cached" | "failed" | "skipped";

export interface StepRecord {
  name: string;
  type: string;
  status: StepStatus;
  /** Cache key of the step (hash of everything that decides its output). */
  key: string;
  /** Content hash of the artifact it produced or reused; null when failed/skipped. */
  artifact: string | null;
  /** Why it ran ("first run", "with.epochs changed 40 -> 60", ...) or why it was skipped/failed. */
  reason: string;
  seconds: number;
  /** Peak resident memory of the run's process so far (MB) when the step ended: a running maximum. */
  peak_rss_mb: number | null;
  started_at: string | null;
  needs: string[];
  /** Facts the step recorded (backend, threads, seed, ...). */
  facts: Record<string, string | number | boolean | null>;
  error: string | null;
}

export interface RunRecord {
  run_id: string;
  pipeline: string;
  pipeline_file: string;
  pipeline_hash: string;
  /** The pipeline memo the steps came from, when the file was not loaded in full (engine/pipeline-memo.ts). */
  pipeline_memo?: string;
  params: Record<string, unknown>;
  started_at: string;
  finished_at: string;
  seconds: number;
  status: "ok" | "failed";
  /** True when the run was cancelled (Ctrl-C, SIGTERM); absent in records written before this field. */
  interrupted?: boolean;
  /** Peak resident memory of the whole run (MB), worker threads included. */
  peak_rss_mb: number;
  git_commit: string | null;
  versions: Record<string, string>;
  host: { platform: string; arch: string; cpus: number; node: string };
  steps: StepRecord[];
}
