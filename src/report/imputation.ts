/** Data for the imputation coverage page: measured vs imputed counts, depth bands, the
 * lat/lon grid, interval widths and the hybrid dataset download. */
import { columnsOf, parquetSource, queryRows, sig, sqlString, type DuckDBConnection, type Row } from "./duck.js";
import type { RunView } from "./run-view.js";
import { absentTable, findTables, type Absent } from "./tables.js";

export const WIDTH_BINS = 40;
export const MAX_PAIRS_ROWS = 500;
/** Breakdown names treated as the lat/lon grid. */
const GRID_BREAKDOWNS = new Set(["grid", "cell", "latlon", "lat_lon", "grid_cell"]);

export interface DownloadFile {
  /** File name under `downloads/` in the built site. */
  name: string;
  bytes: number;
}

export interface GridCell {
  target: string;
  /** The cell as a reader names it ("10°S–0°, 50°W–40°W"). */
  name: string;
  lat: number;
  lon: number;
  lat2: number;
  lon2: number;
  n_measured: number;
  n_predicted: number;
  n_rejected: number;
  share_imputed: number | null;
}

export interface ImputationData {
  /** Every coverage row except grid cells and set-aside codes. */
  coverage: Absent | Row[];
  /** Measured values set aside (impossible or failed QC) per target and code, and what became of them. */
  setAside: Absent | Row[];
  totals: Absent | Row[];
  grid: Absent | { cell_deg: number; cells: GridCell[]; unparsed: number };
  pairs: Absent | { rows: Row[]; total: number };
  widths: Absent | { step: string; histogram: Row[]; summary: Row[] };
  /** Imputed values against the known truth (synthetic libraries): a deterministic sample per target. */
  truth: Absent | { rows: Row[]; total: number };
  downloads: DownloadFile[];
}

/**
 * Reads a grid-cell key: `lat=<a>;lon=<b>` (any separator) or two numbers `<lat>,<lon>`,
 * taken as the cell's south-west corner in degrees.
 */
export function parseGridKey(key: string): { lat: number; lon: number } | null {
  const lat = /lat[a-z]*\s*[=:]\s*(-?\d+(?:\.\d+)?)/i.exec(key);
  const lon = /lon[a-z]*\s*[=:]\s*(-?\d+(?:\.\d+)?)/i.exec(key);
  if (lat?.[1] && lon?.[1]) return { lat: Number(lat[1]), lon: Number(lon[1]) };
  const nums = key.match(/-?\d+(?:\.\d+)?/g);
  if (nums && nums.length === 2) return { lat: Number(nums[0]), lon: Number(nums[1]) };
  return null;
}

/** A grid cell key ("-10,-50", south-west corner) as a reader names it: "10°S–0°, 50°W–40°W". */
export function cellName(key: string, deg = 10): string {
  const p = parseGridKey(key);
  if (!p) return key;
  const lat = (v: number) => (v === 0 ? "0°" : `${Math.abs(v)}°${v < 0 ? "S" : "N"}`);
  const lon = (v: number) => (v === 0 || Math.abs(v) === 180 ? `${Math.abs(v)}°` : `${Math.abs(v)}°${v < 0 ? "W" : "E"}`);
  return `${lat(p.lat)}–${lat(p.lat + deg)}, ${lon(p.lon)}–${lon(p.lon + deg)}`;
}

function cellSize(values: number[]): number {
  const u = [...new Set(values)].sort((a, b) => a - b);
  let d = Infinity;
  for (let i = 1; i < u.length; i++) d = Math.min(d, u[i]! - u[i - 1]!);
  return Number.isFinite(d) && d > 0 ? d : 1;
}

export async function imputationData(view: RunView, conn: DuckDBConnection, downloads: DownloadFile[] = []): Promise<ImputationData> {
  const cov = findTables(view, "coverage");
  let coverage: ImputationData["coverage"] = absentTable("coverage", "measured vs imputed counts");
  let totals: ImputationData["totals"] = coverage;
  let grid: ImputationData["grid"] = absentTable("coverage", "the lat/lon grid");
  let setAside: ImputationData["setAside"] = absentTable("coverage", "the measured values set aside");
  if (cov.length > 0) {
    const covCols = await columnsOf(
      conn,
      cov.map((t) => t.path),
    );
    const rows = await queryRows(
      conn,
      `SELECT target::VARCHAR AS target, breakdown::VARCHAR AS breakdown, key::VARCHAR AS key, n_measured, n_predicted, n_rejected,
              ${covCols.has("n_set_aside") ? "n_set_aside" : "NULL AS n_set_aside"}, mean_pi_width, share_out_of_domain
       FROM ${parquetSource(cov.map((t) => t.path))} ORDER BY target, breakdown, key`,
    );
    const isGrid = (r: Row) => GRID_BREAKDOWNS.has(String(r["breakdown"]).toLowerCase());
    const isAside = (r: Row) => String(r["breakdown"]) === "set_aside";
    setAside = covCols.has("n_set_aside")
      ? rows.filter(isAside).map((r) => ({
          target: r["target"] ?? null,
          code: r["key"] ?? null,
          n: Number(r["n_predicted"]) + Number(r["n_rejected"]) + Number(r["n_measured"]),
          n_predicted: r["n_predicted"] ?? null,
          n_rejected: r["n_rejected"] ?? null,
        }))
      : { absent: "This run's coverage table predates the set-aside rule (no n_set_aside column): rerun impute.hybrid." };
    coverage = rows
      .filter((r) => !isGrid(r) && !isAside(r))
      .map((r) => ({ ...r, mean_pi_width: sig(r["mean_pi_width"]), share_out_of_domain: sig(r["share_out_of_domain"]) }));
    const all = rows.filter((r) => String(r["breakdown"]).toLowerCase() === "all");
    if (all.length > 0) totals = all;
    else {
      // no "all" rows: sum over the first breakdown of each target (each sample counted once)
      const first = new Map<string, string>();
      for (const r of rows) if (!first.has(String(r["target"]))) first.set(String(r["target"]), String(r["breakdown"]));
      const sums = new Map<string, Row>();
      for (const r of rows) {
        if (first.get(String(r["target"])) !== String(r["breakdown"])) continue;
        const s = sums.get(String(r["target"])) ?? {
          target: r["target"] ?? null,
          breakdown: "all",
          key: "all",
          n_measured: 0,
          n_predicted: 0,
          n_rejected: 0,
        };
        for (const k of ["n_measured", "n_predicted", "n_rejected"]) s[k] = Number(s[k]) + Number(r[k] ?? 0);
        sums.set(String(r["target"]), s);
      }
      totals = [...sums.values()];
    }
    const gridRows = rows.filter(isGrid);
    if (gridRows.length === 0) grid = { absent: 'The coverage table has no grid-cell breakdown (breakdown = "grid"), so no lat/lon map.' };
    else {
      const parsed = gridRows.map((r) => ({ r, p: parseGridKey(String(r["key"])) }));
      const ok = parsed.filter((x): x is { r: Row; p: { lat: number; lon: number } } => x.p !== null);
      const size = Math.min(cellSize(ok.map((x) => x.p.lat)), cellSize(ok.map((x) => x.p.lon)));
      grid = {
        cell_deg: size,
        unparsed: parsed.length - ok.length,
        cells: ok.map(({ r, p }) => {
          const m = Number(r["n_measured"] ?? 0);
          const pr = Number(r["n_predicted"] ?? 0);
          return {
            target: String(r["target"]),
            name: cellName(String(r["key"]), size),
            lat: p.lat,
            lon: p.lon,
            lat2: p.lat + size,
            lon2: p.lon + size,
            n_measured: m,
            n_predicted: pr,
            n_rejected: Number(r["n_rejected"] ?? 0),
            share_imputed: m + pr > 0 ? sig(pr / (m + pr), 3) : null,
          };
        }),
      };
    }
  }
  return {
    coverage,
    setAside,
    totals,
    grid,
    pairs: await pairsRows(view, conn),
    widths: await widthRows(view, conn),
    truth: await truthRows(view, conn),
    downloads,
  };
}

async function pairsRows(view: RunView, conn: DuckDBConnection): Promise<ImputationData["pairs"]> {
  const t = findTables(view, "pairs");
  if (t.length === 0) return absentTable("pairs", "the pairs table");
  const src = parquetSource(t.map((x) => x.path));
  const [tot] = await queryRows(conn, `SELECT count(*) AS n FROM ${src}`);
  const rows = await queryRows(conn, `SELECT * FROM ${src} LIMIT ${MAX_PAIRS_ROWS}`);
  // grid cells by their lat/lon span, not their key
  const named = (r: Row): Row =>
    r["breakdown"] !== undefined && GRID_BREAKDOWNS.has(String(r["breakdown"])) ? { ...r, key: cellName(String(r["key"])) } : r;
  return {
    total: Number(tot?.["n"] ?? 0),
    rows: rows.map((r) => named(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? sig(v, 5) : v])))),
  };
}

/** Histogram of pi_high − pi_low (log1p bins) per target, and quantiles, over the imputed rows only. */
async function widthRows(view: RunView, conn: DuckDBConnection): Promise<ImputationData["widths"]> {
  const t = findTables(view, "hybrid").at(-1);
  if (!t) return absentTable("hybrid", "interval width distributions");
  const cols = await columnsOf(conn, [t.path]);
  if (!cols.has("pi_low") || !cols.has("pi_high")) return { absent: "The hybrid table has no pi_low/pi_high columns." };
  const target = cols.has("target") ? "target::VARCHAR" : sqlString("all");
  // measured rows carry the model's interval too (for comparison); the widths that matter are the imputed values'
  const originCol = cols.has("origin") ? "origin" : cols.has("status") ? "status" : null;
  const imputed = originCol ? `${originCol} = 'predicted' AND ` : "";
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE w AS SELECT ${target} AS target, (pi_high - pi_low)::DOUBLE AS w FROM ${parquetSource([t.path])}
     WHERE ${imputed}pi_high IS NOT NULL AND pi_low IS NOT NULL AND NOT isnan(pi_high) AND NOT isnan(pi_low)`,
  );
  const histogram = await queryRows(
    conn,
    `WITH r AS (SELECT target, max(ln(1 + greatest(w, 0))) AS hi FROM w GROUP BY target),
          b AS (SELECT w.target, least(${WIDTH_BINS - 1}, floor(ln(1 + greatest(w, 0)) / (r.hi / ${WIDTH_BINS}))) AS k, r.hi
                FROM w JOIN r USING (target) WHERE r.hi > 0)
     SELECT target, exp(k * hi / ${WIDTH_BINS}) - 1 AS x, exp((k + 1) * hi / ${WIDTH_BINS}) - 1 AS x2, count(*) AS n
     FROM b GROUP BY target, k, hi ORDER BY target, k`,
  );
  const summary = await queryRows(
    conn,
    `SELECT target, count(*) AS n, avg(w) AS mean, quantile_cont(w, 0.05) AS p05, median(w) AS p50, quantile_cont(w, 0.95) AS p95
     FROM w GROUP BY target ORDER BY target`,
  );
  await conn.run("DROP TABLE IF EXISTS w");
  const round = (r: Row) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && k !== "n" ? sig(v) : v]));
  if (histogram.length === 0) return { absent: "The hybrid table has no rows with a prediction interval." };
  return { step: t.step, histogram: histogram.map(round), summary: summary.map(round) };
}

/** Points per target in the imputed-vs-truth chart. */
export const TRUTH_POINTS = 1500;

/** Imputed rows of the hybrid table joined with the truth table (c_true_gkg / om_true_gkg), sampled by hash. */
async function truthRows(view: RunView, conn: DuckDBConnection): Promise<ImputationData["truth"]> {
  const h = findTables(view, "hybrid").at(-1);
  const t = findTables(view, "truth").at(-1);
  if (!t)
    return {
      absent:
        "No step of this run has a truth table (only synthetic libraries know the true values), so imputed values cannot be compared with the truth.",
    };
  if (!h) return absentTable("hybrid", "imputed values against the truth");
  const hc = await columnsOf(conn, [h.path]);
  const tc = await columnsOf(conn, [t.path]);
  const origin = hc.has("origin") ? "origin" : hc.has("status") ? "status" : null;
  if (!origin || !hc.has("target") || !hc.has("value") || !tc.has("c_true_gkg"))
    return { absent: "The hybrid or truth table lacks the columns to compare (origin, target, value; c_true_gkg)." };
  const omTrue = tc.has("om_true_gkg") ? "t.om_true_gkg" : "NULL";
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE tv AS
     SELECT h.sample_id::VARCHAR AS sample_id, h.target::VARCHAR AS target, h.value::DOUBLE AS imputed,
            CASE WHEN h.target = 'c' THEN t.c_true_gkg ELSE ${omTrue} END::DOUBLE AS truth
     FROM ${parquetSource([h.path])} h JOIN ${parquetSource([t.path])} t ON h.sample_id = t.sample_id
     WHERE h.${origin} = 'predicted' AND h.value IS NOT NULL AND NOT isnan(h.value)`,
  );
  await conn.run("DELETE FROM tv WHERE truth IS NULL OR isnan(truth)");
  const [tot] = await queryRows(conn, "SELECT count(*) AS n FROM tv");
  const rows = await queryRows(
    conn,
    `SELECT target, imputed, truth FROM (
       SELECT *, row_number() OVER (PARTITION BY target ORDER BY hash(sample_id)) AS k FROM tv) WHERE k <= ${TRUTH_POINTS}
     ORDER BY target, sample_id`,
  );
  await conn.run("DROP TABLE IF EXISTS tv");
  if (rows.length === 0) return { absent: "No imputed value has a known true value in this run." };
  return {
    total: Number(tot?.["n"] ?? 0),
    rows: rows.map((r) => ({ target: r["target"] ?? null, imputed: sig(r["imputed"]), truth: sig(r["truth"]) })),
  };
}
