/** Data for the overview page: the run record, its DAG, sources and sample counts. */
import type { StepStatus } from "../engine/run-record.js";
import { columnsOf, parquetSource, queryRows, type DuckDBConnection, type Row } from "./duck.js";
import type { RunView } from "./run-view.js";
import { absentTable, findTables, type Absent } from "./tables.js";
import { headline, type Headline } from "./headline.js";

export interface DagNode {
  name: string;
  type: string;
  status: StepStatus;
  seconds: number;
  /** Running peak RSS of the run's process when the step ended (MB). */
  peak_rss_mb: number | null;
  reason: string;
  key: string;
  artifact: string | null;
  needs: string[];
  error: string | null;
  /** Layout: layer = longest path from a root, row = position within the layer. */
  layer: number;
  row: number;
}

export interface DagEdge {
  from: string;
  to: string;
  x: number;
  y: number;
  x2: number;
  y2: number;
}

export interface OverviewData {
  run: {
    run_id: string;
    pipeline: string;
    pipeline_file: string;
    pipeline_hash: string;
    status: string;
    started_at: string;
    finished_at: string;
    seconds: number;
    peak_rss_mb: number | null;
    git_commit: string | null;
    host: string;
  };
  previous: { run_id: string; started_at: string; status: string } | null;
  params: { key: string; value: string }[];
  versions: { name: string; version: string }[];
  /** tfjs backend and seed as recorded by the steps (and params.seed). */
  backends: string[];
  seeds: string[];
  facts: { step: string; fact: string; value: string }[];
  counts: { ran: number; cached: number; failed: number; skipped: number };
  dag: { nodes: DagNode[]; edges: DagEdge[] };
  sources: Absent | { step: string; final_step: string; rows: Row[] };
  headline: Headline;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function flatten(obj: Record<string, unknown>, prefix = ""): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, key));
    else out.push({ key, value: show(v) });
  }
  return out;
}

/** Layered layout of the step DAG (longest path from a root), rows in run order. */
export function layoutDag(steps: readonly { name: string; needs: readonly string[] }[]): Map<string, { layer: number; row: number }> {
  const byName = new Map(steps.map((s) => [s.name, s] as const));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0; // cycles cannot occur in a validated run; stay safe
    visiting.add(name);
    const step = byName.get(name);
    let d = 0;
    for (const n of step?.needs ?? []) if (byName.has(n)) d = Math.max(d, depth(n) + 1);
    visiting.delete(name);
    layer.set(name, d);
    return d;
  };
  const out = new Map<string, { layer: number; row: number }>();
  const rows = new Map<number, number>();
  for (const s of steps) {
    const l = depth(s.name);
    const r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    out.set(s.name, { layer: l, row: r });
  }
  return out;
}

export async function overviewData(view: RunView, conn: DuckDBConnection): Promise<OverviewData> {
  const run = view.run;
  const layout = layoutDag(run.steps);
  const nodes: DagNode[] = run.steps.map((s) => {
    const pos = layout.get(s.name) ?? { layer: 0, row: 0 };
    return {
      name: s.name,
      type: s.type,
      status: s.status,
      seconds: s.seconds,
      peak_rss_mb: s.peak_rss_mb ?? null,
      reason: s.reason,
      key: s.key,
      artifact: s.artifact,
      needs: [...s.needs],
      error: s.error,
      layer: pos.layer,
      row: pos.row,
    };
  });
  const pos = new Map(nodes.map((n) => [n.name, n] as const));
  const edges: DagEdge[] = [];
  for (const n of nodes) {
    for (const need of n.needs) {
      const from = pos.get(need);
      if (from) edges.push({ from: need, to: n.name, x: from.layer, y: from.row, x2: n.layer, y2: n.row });
    }
  }
  const facts: OverviewData["facts"] = [];
  const backends = new Set<string>();
  const seeds = new Set<string>();
  for (const s of run.steps) {
    for (const [fact, value] of Object.entries(s.facts ?? {})) {
      facts.push({ step: s.name, fact, value: show(value) });
      if (/backend/i.test(fact) && value !== null) backends.add(String(value));
      if (/seed/i.test(fact) && value !== null) seeds.add(String(value));
    }
  }
  if (run.params && "seed" in run.params) seeds.add(show(run.params["seed"]));
  const counts = { ran: 0, cached: 0, failed: 0, skipped: 0 };
  for (const s of run.steps) counts[s.status] += 1;

  return {
    run: {
      run_id: run.run_id,
      pipeline: run.pipeline,
      pipeline_file: run.pipeline_file,
      pipeline_hash: run.pipeline_hash,
      status: run.status,
      started_at: run.started_at,
      finished_at: run.finished_at,
      seconds: run.seconds,
      peak_rss_mb: run.peak_rss_mb ?? null,
      git_commit: run.git_commit,
      host: `${run.host.platform}/${run.host.arch}, ${run.host.cpus} CPUs, Node ${run.host.node}`,
    },
    previous: view.previous ? { run_id: view.previous.run_id, started_at: view.previous.started_at, status: view.previous.status } : null,
    params: flatten(run.params ?? {}),
    versions: Object.entries(run.versions ?? {}).map(([name, version]) => ({ name, version })),
    backends: [...backends],
    seeds: [...seeds],
    facts,
    counts,
    dag: { nodes, edges },
    sources: await sourceCounts(view, conn),
    headline: await headline(view, conn),
  };
}

/** Samples per source: as first ingested, and in the latest `samples` (targets, QC flags). */
async function sourceCounts(view: RunView, conn: DuckDBConnection): Promise<OverviewData["sources"]> {
  const tables = findTables(view, "samples");
  const first = tables[0];
  const last = tables[tables.length - 1];
  if (!first || !last) return absentTable("samples", "data sources and sample counts");
  const cols = await columnsOf(conn, [last.path]);
  const has = (c: string) => cols.has(c);
  const flagged = has("qc_flags") ? "count(*) FILTER (WHERE l.qc_flags IS NOT NULL)" : "NULL";
  const excluded = has("exclude_train") ? "count(*) FILTER (WHERE l.exclude_train)" : "NULL";
  const withC = has("c_gkg") ? "count(*) FILTER (WHERE NOT isnan(l.c_gkg))" : "NULL";
  const withOm = has("om_gkg") ? "count(*) FILTER (WHERE NOT isnan(l.om_gkg))" : "NULL";
  const instrument = has("instrument") ? "string_agg(DISTINCT l.instrument, ', ')" : "NULL";
  const rows = await queryRows(
    conn,
    `WITH f AS (SELECT source, count(*) AS n_ingested FROM ${parquetSource([first.path])} GROUP BY source),
          l AS (SELECT * FROM ${parquetSource([last.path])}),
          g AS (SELECT l.source, count(*) AS n, ${withC} AS n_c, ${withOm} AS n_om,
                       ${flagged} AS n_flagged, ${excluded} AS n_excluded, ${instrument} AS instruments
                FROM l GROUP BY l.source)
     SELECT coalesce(g.source, f.source) AS source, g.instruments AS instruments, f.n_ingested AS n_ingested,
            g.n AS n, g.n_c AS n_c, g.n_om AS n_om, g.n_flagged AS n_flagged, g.n_excluded AS n_excluded
     FROM g FULL OUTER JOIN f ON g.source = f.source
     ORDER BY source`,
  );
  return { step: first.step, final_step: last.step, rows };
}
