/** Data for the harmonization diagnostics page: mean spectra, PCA scores, between-source
 * distances, QC outliers and target distributions, all reduced in DuckDB. */
import { columnsOf, parquetSource, queryRows, sig, sqlIdent, sqlString, type DuckDBConnection, type Row } from "./duck.js";
import type { RunView } from "./run-view.js";
import { absentTable, findTables, type Absent } from "./tables.js";

/** Points per mean spectrum after bin-averaging neighbouring wavenumbers (at most), and the
 * budget of points over all spectra (many sources get coarser spectra). */
export const SPECTRUM_POINTS = 300;
export const SPECTRA_BUDGET = 8000;
/** Scatter points per stage (PCA) or in total (T² vs Q), sampled deterministically. */
export const SCATTER_POINTS = 3000;
export const HIST_BINS = 40;

export interface Sampled {
  rows: Row[];
  /** Rows in the table before sampling. */
  total: number;
}

export interface HarmonizationData {
  meanSpectra: Absent | { step: string; rows: Row[]; every: number };
  pca: Absent | ({ step: string } & Sampled);
  distances: Absent | Row[];
  qcSummary: Absent | Row[];
  /**
   * q_relative: `q` is Q divided by the sample's own limit (limits differ by source and soil
   * class, so one line at 1 is every sample's limit); otherwise Q with one pooled `q_limit`.
   */
  qc: Absent | ({ step: string; t2_limit: number | null; q_limit: number | null; q_relative: boolean } & Sampled);
  targets: Absent | { step: string; summary: Row[]; histogram: Row[] };
}

export async function harmonizationData(view: RunView, conn: DuckDBConnection): Promise<HarmonizationData> {
  return {
    meanSpectra: await meanSpectra(view, conn),
    pca: await pcaScores(view, conn),
    distances: await allRows(view, conn, "harmonization", "between-source distances", "source, method"),
    qcSummary: await allRows(view, conn, "qc_summary", "outliers by reason", "source, reason"),
    qc: await qcScatter(view, conn),
    targets: await targetDistributions(view, conn),
  };
}

async function allRows(view: RunView, conn: DuckDBConnection, name: string, purpose: string, order: string): Promise<Absent | Row[]> {
  const t = findTables(view, name);
  if (t.length === 0) return absentTable(name, purpose);
  return queryRows(conn, `SELECT * FROM ${parquetSource(t.map((x) => x.path))} ORDER BY ${order}`);
}

async function meanSpectra(view: RunView, conn: DuckDBConnection): Promise<HarmonizationData["meanSpectra"]> {
  const t = findTables(view, "mean_spectra").at(-1);
  if (!t) return absentTable("mean_spectra", "mean spectra per source before/after");
  const src = parquetSource([t.path]);
  const [info] = await queryRows(conn, `SELECT count(DISTINCT wavenumber) AS n, count(DISTINCT (source, stage)) AS k FROM ${src}`);
  const points = Math.max(60, Math.min(SPECTRUM_POINTS, Math.floor(SPECTRA_BUDGET / Math.max(1, Number(info?.["k"] ?? 1)))));
  const every = Math.max(1, Math.ceil(Number(info?.["n"] ?? 0) / points));
  const rows = await queryRows(
    conn,
    `WITH w AS (SELECT wavenumber, (dense_rank() OVER (ORDER BY wavenumber) - 1) // ${every} AS b
                FROM (SELECT DISTINCT wavenumber FROM ${src}))
     SELECT s.source, s.stage, avg(s.wavenumber) AS wavenumber, avg(s.mean) AS mean, avg(s.sd) AS sd
     FROM ${src} s JOIN w USING (wavenumber) GROUP BY s.source, s.stage, w.b ORDER BY s.stage, s.source, wavenumber`,
  );
  return {
    step: t.step,
    every,
    rows: rows.map((r) => ({
      source: r["source"] ?? null,
      stage: r["stage"] ?? null,
      wavenumber: sig(r["wavenumber"], 5),
      mean: sig(r["mean"]),
      sd: sig(r["sd"]),
    })),
  };
}

/** Deterministic stratified sample: per (stage, source) a share of `SCATTER_POINTS`, at least 30. */
async function pcaScores(view: RunView, conn: DuckDBConnection): Promise<HarmonizationData["pca"]> {
  const t = findTables(view, "pca_scores").at(-1);
  if (!t) return absentTable("pca_scores", "PCA scores before/after");
  const src = parquetSource([t.path]);
  const [tot] = await queryRows(conn, `SELECT count(*) AS n FROM ${src}`);
  const rows = await queryRows(
    conn,
    `WITH s AS (SELECT *, count(*) OVER (PARTITION BY stage, source) AS ns, count(*) OVER (PARTITION BY stage) AS nt,
                       row_number() OVER (PARTITION BY stage, source ORDER BY hash(sample_id), sample_id) AS k FROM ${src})
     SELECT source, stage, pc1, pc2 FROM s
     WHERE k <= greatest(30, ceil(ns * ${SCATTER_POINTS} / nt)) ORDER BY stage, source, k`,
  );
  return {
    step: t.step,
    total: Number(tot?.["n"] ?? 0),
    rows: rows.map((r) => ({ source: r["source"] ?? null, stage: r["stage"] ?? null, pc1: sig(r["pc1"]), pc2: sig(r["pc2"]) })),
  };
}

/** T² vs Q: every flagged sample (up to the budget) plus a deterministic sample of the rest. */
async function qcScatter(view: RunView, conn: DuckDBConnection): Promise<HarmonizationData["qc"]> {
  const t = findTables(view, "qc").at(-1);
  if (!t) return absentTable("qc", "the T² vs Q scatter");
  const src = parquetSource([t.path]);
  const cols = await columnsOf(conn, [t.path]);
  const [tot] = await queryRows(conn, `SELECT count(*) AS n FROM ${src}`);
  // Per-sample limits (per source and soil class): plot Q relative to each sample's own limit.
  const relative = cols.has("q_limit");
  const qExpr = relative ? "q / nullif(q_limit, 0)" : "q";
  const rows = await queryRows(
    conn,
    `WITH s AS (SELECT sample_id, source, t2, ${qExpr} AS q, flags,
                       row_number() OVER (PARTITION BY flags IS NULL OR flags = '' ORDER BY hash(sample_id), sample_id) AS k
                FROM ${src})
     SELECT sample_id, source, t2, q, flags FROM s
     WHERE k <= ${SCATTER_POINTS / 2} ORDER BY sample_id`,
  );
  let t2Limit: number | null = null;
  let qLimit: number | null = null;
  if (cols.has("t2_limit")) {
    const [lim] = await queryRows(conn, `SELECT max(t2_limit) AS t2 FROM ${src}`);
    t2Limit = typeof lim?.["t2"] === "number" ? lim["t2"] : null;
  }
  if (relative) qLimit = 1;
  if (t2Limit === null && qLimit === null) {
    const j = await view.json<{ t2_limit?: number; q_limit?: number }>(t.step, "qc_limits").catch(() => null);
    if (j) {
      t2Limit = typeof j.t2_limit === "number" ? j.t2_limit : null;
      qLimit = typeof j.q_limit === "number" ? j.q_limit : null;
    }
  }
  return {
    step: t.step,
    total: Number(tot?.["n"] ?? 0),
    t2_limit: t2Limit,
    q_limit: qLimit,
    q_relative: relative,
    rows: rows.map((r) => ({
      sample_id: r["sample_id"] ?? null,
      source: r["source"] ?? null,
      t2: sig(r["t2"]),
      q: sig(r["q"]),
      flags: r["flags"] === "" ? null : (r["flags"] ?? null),
    })),
  };
}

/** Quantile summaries per target × stage × source × method, and log1p histograms per method. */
async function targetDistributions(view: RunView, conn: DuckDBConnection): Promise<HarmonizationData["targets"]> {
  const t = findTables(view, "samples").at(-1);
  if (!t) return absentTable("samples", "target distributions by source and method");
  const cols = await columnsOf(conn, [t.path]);
  const parts: string[] = [];
  for (const target of ["c", "om"]) {
    const method = cols.has(`${target}_method`) ? `coalesce(${sqlIdent(`${target}_method`)}::VARCHAR, 'unknown')` : "'unknown'";
    const stages: [string, string][] = [];
    if (cols.has(`${target}_gkg_reported`)) stages.push(["reported", `${target}_gkg_reported`], ["harmonized", `${target}_gkg`]);
    else if (cols.has(`${target}_gkg`)) stages.push(["as stored", `${target}_gkg`]);
    for (const [stage, col] of stages) {
      parts.push(
        `SELECT ${sqlString(target)} AS target, ${sqlString(stage)} AS stage, source::VARCHAR AS source, ${method} AS method,
                ${sqlIdent(col)}::DOUBLE AS v FROM ${parquetSource([t.path])}
         WHERE ${sqlIdent(col)} IS NOT NULL AND NOT isnan(${sqlIdent(col)})`,
      );
    }
  }
  if (parts.length === 0) return { absent: "The samples table has no c_gkg/om_gkg columns." };
  await conn.run(`CREATE OR REPLACE TEMP TABLE tv AS ${parts.join(" UNION ALL ")}`);
  const summary = await queryRows(
    conn,
    `SELECT target, stage, source, method, count(*) AS n, avg(v) AS mean,
            quantile_cont(v, 0.05) AS p05, quantile_cont(v, 0.25) AS p25, median(v) AS p50,
            quantile_cont(v, 0.75) AS p75, quantile_cont(v, 0.95) AS p95
     FROM tv GROUP BY ALL ORDER BY target, stage, source, method`,
  );
  const histogram = await queryRows(
    conn,
    `WITH r AS (SELECT target, max(ln(1 + greatest(v, 0))) AS hi FROM tv GROUP BY target),
          b AS (SELECT tv.target, stage, method, least(${HIST_BINS - 1}, floor(ln(1 + greatest(v, 0)) / (r.hi / ${HIST_BINS}))) AS k, r.hi
                FROM tv JOIN r USING (target) WHERE r.hi > 0)
     SELECT target, stage, method, exp(k * hi / ${HIST_BINS}) - 1 AS x, exp((k + 1) * hi / ${HIST_BINS}) - 1 AS x2, count(*) AS n
     FROM b GROUP BY target, stage, method, k, hi ORDER BY target, stage, method, k`,
  );
  await conn.run("DROP TABLE IF EXISTS tv");
  const round = (r: Row) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && k !== "n" ? sig(v) : v]));
  return { step: t.step, summary: summary.map(round), histogram: histogram.map(round) };
}
