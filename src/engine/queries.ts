/** Read-side queries over a store's run records and artifacts (CLI `runs`, `metrics`, `export`, reports). */
import type { MetricRow } from "../contracts/metrics.js";
import { UsageError } from "./errors.js";
import type { RunRecord } from "./run-record.js";
import { StoredArtifact } from "./store/artifacts.js";
import { quoteString, queryRows } from "./store/duck.js";
import { layout } from "./store/layout.js";
import { listRuns } from "./store/records.js";

/** The run with this id (a unique prefix is enough), or the latest (of `pipeline` if given). */
export async function findRun(store: string, runId?: string, pipeline?: string): Promise<RunRecord> {
  const runs = await listRuns(layout(store));
  if (runId) {
    const hits = runs.filter((r) => r.run_id.startsWith(runId));
    if (hits.length === 1) return hits[0]!;
    throw new UsageError(
      hits.length === 0
        ? `--run ${runId}: no such run in ${store}; list them with \`somflow runs\``
        : `--run ${runId} is ambiguous (${hits.map((r) => r.run_id).join(", ")})`,
    );
  }
  const candidates = pipeline ? runs.filter((r) => r.pipeline === pipeline) : runs;
  const last = candidates.at(-1);
  if (!last) {
    throw new UsageError(`no runs${pipeline ? ` of pipeline "${pipeline}"` : ""} in ${store}; run \`somflow run <pipeline>\` first`);
  }
  return last;
}

/** The previous run of the same pipeline, for deltas. */
export async function previousRun(store: string, run: RunRecord): Promise<RunRecord | null> {
  const runs = (await listRuns(layout(store))).filter((r) => r.pipeline === run.pipeline && r.run_id < run.run_id);
  return runs.at(-1) ?? null;
}

/** The committed artifacts of a run's finished steps, in pipeline order. */
export async function runArtifacts(store: string, run: RunRecord): Promise<StoredArtifact[]> {
  const l = layout(store);
  const out: StoredArtifact[] = [];
  for (const s of run.steps) {
    if (!s.artifact) continue;
    const a = await StoredArtifact.open(l, s.artifact, s.name);
    if (a) out.push(a);
  }
  return out;
}

const METRIC_ORDER = 'step, model, target, split, scale, "group"';

export async function runMetrics(store: string, run: RunRecord): Promise<MetricRow[]> {
  const withMetrics = (await runArtifacts(store, run)).filter((a) => a.has("metrics"));
  for (const a of withMetrics) await a.verifyOutput("metrics"); // a number shown must come from sealed bytes
  const files = withMetrics.map((a) => a.tablePath("metrics"));
  if (files.length === 0) return [];
  const rows = await queryRows(
    `SELECT * FROM read_parquet([${files.map(quoteString).join(", ")}], union_by_name = true) ORDER BY ${METRIC_ORDER}`,
  );
  return rows as unknown as MetricRow[];
}
