/** Data for the model metrics page: metric rows (with the previous run's deltas), binned
 * observed-vs-predicted, training curves and calibration. */
import { DEFAULT_PHYSICAL_RANGE } from "../core/chemometrics/physical-range.js";
import { DELTA_METRICS, METRIC_COLUMNS, metricGroup } from "../contracts/metrics.js";
import { columnsOf, parquetSource, queryRows, sig, sqlIdent, sqlString, type DuckDBConnection, type Row } from "./duck.js";
import { PUBLISHED_REFERENCE, REFERENCE_LABEL, type ReferenceValues } from "./reference.js";
import { qcFlagSource } from "./qc-flags.js";
import type { RunView } from "./run-view.js";
import { absentTable, findTables, type Absent } from "./tables.js";

/** Above this many labelled predictions per panel, observed-vs-predicted is a 2D histogram. */
export const MAX_POINTS = 2500;
export const BINS = 50;
/** QC-flagged points drawn over a binned panel at most (a deterministic sample by sample id). */
export const MAX_FLAGGED_POINTS = 1000;

export interface PanelBin {
  x: number;
  x2: number;
  y: number;
  y2: number;
  n: number;
}

/** A labelled prediction of a sample that QC flagged. */
export interface FlaggedPoint {
  o: number;
  y: number;
  /** The sample's QC flags, `;`-joined (e.g. "q_residual"). */
  flags: string;
}

export interface PredictionPanel {
  step: string;
  target: string;
  split: string;
  n: number;
  /** "log1p": bins equal on log1p(g/kg) (draw with a symlog scale); "linear" otherwise. */
  scale: "log1p" | "linear";
  lo: number;
  hi: number;
  /**
   * n ≤ MAX_POINTS: [observed, predicted] pairs — of the samples QC did not flag when the flags
   * are known (the flagged ones are in `flagged`), else of all; otherwise null and `bins` is filled.
   */
  points: [number, number][] | null;
  bins: PanelBin[] | null;
  /** Residual (observed − predicted) bins against observed, when binned. */
  residualBins: PanelBin[] | null;
  /** Rows of this panel whose sample QC flagged; null when the flags cannot be joined. */
  n_flagged: number | null;
  /** Those rows as points (all of them, or MAX_FLAGGED_POINTS on a binned panel); null when the flags cannot be joined. */
  flagged: FlaggedPoint[] | null;
  /** Why no flagged point can be marked although QC flagged samples (shown instead of marks). */
  flagNote: string | null;
}

export interface MetricsData {
  reference: { label: string; values: readonly ReferenceValues[] };
  previousRun: string | null;
  previousNote: string | null;
  /** group = "all" rows, with `prev_<metric>` and `d_<metric>` (this − previous) when known. */
  overall: Absent | Row[];
  /** Breakdown rows (group "source=..." / "depth=..."), split into `kind` and `key`. */
  groups: Absent | Row[];
  predictions: Absent | PredictionPanel[];
  /** The QC flags the prediction panels mark: their qc.outliers step and how many samples it flagged. */
  qcFlags: Absent | { step: string; flagged: number };
  history: Absent | Row[];
  calibration: Absent | Row[];
}

const metricCols = METRIC_COLUMNS.map(sqlIdent).join(", ");

async function metricRows(conn: DuckDBConnection, paths: string[]): Promise<Row[]> {
  return queryRows(conn, `SELECT ${metricCols} FROM ${parquetSource(paths)} ORDER BY target, split, scale, model, step, "group"`);
}

const rowKey = (r: Row) => [r["step"], r["model"], r["target"], r["split"], r["scale"], r["group"]].join("\u0000");

export async function metricsData(view: RunView, conn: DuckDBConnection): Promise<MetricsData> {
  const tables = findTables(view, "metrics");
  let overall: MetricsData["overall"] = absentTable("metrics", "model metrics");
  let groups: MetricsData["groups"] = absentTable("metrics", "metrics per source and depth");
  let previousNote: string | null = view.previous ? null : "No previous run of this pipeline: no deltas.";
  if (tables.length > 0) {
    const rows = await metricRows(
      conn,
      tables.map((t) => t.path),
    );
    let prev = new Map<string, Row>();
    if (view.previous) {
      const pv = view.openPrevious ? await view.openPrevious() : null;
      if (pv) {
        const pt = findTables(pv, "metrics");
        if (pt.length > 0)
          prev = new Map(
            (
              await metricRows(
                conn,
                pt.map((t) => t.path),
              )
            ).map((r) => [rowKey(r), r]),
          );
        else previousNote = `The previous run (${view.previous.run_id}) has no metrics table.`;
      } else {
        previousNote = `The previous run (${view.previous.run_id}) is recorded but its artifacts are not readable here: no deltas.`;
      }
    }
    const all = rows.filter((r) => r["group"] === "all");
    overall = all.map((r) => {
      const p = prev.get(rowKey(r));
      const out: Row = { ...r };
      for (const m of DELTA_METRICS) {
        const a = r[m];
        const b = p?.[m];
        out[`prev_${m}`] = typeof b === "number" ? b : null;
        out[`d_${m}`] = typeof a === "number" && typeof b === "number" ? a - b : null;
      }
      return out;
    });
    const g = rows.filter((r) => r["group"] !== "all");
    groups =
      g.length > 0
        ? g.map((r) => {
            const group = String(r["group"]);
            const parsed = group.includes("=") ? metricGroup(group) : null;
            const breakdown = parsed?.kind === "breakdown" ? parsed : null;
            return {
              step: r["step"] ?? null,
              model: r["model"] ?? null,
              target: r["target"] ?? null,
              split: r["split"] ?? null,
              scale: r["scale"] ?? null,
              kind: breakdown?.key ?? "group",
              key: breakdown?.value ?? group,
              n: r["n"] ?? null,
              r2: r["r2"] ?? null,
              rmse: r["rmse"] ?? null,
              mae: r["mae"] ?? null,
              bias: r["bias"] ?? null,
              rpiq: r["rpiq"] ?? null,
              ccc: r["ccc"] ?? null,
            };
          })
        : { absent: 'The metrics tables hold no per-source or per-depth rows (group other than "all").' };
  }
  return {
    reference: { label: REFERENCE_LABEL, values: PUBLISHED_REFERENCE },
    previousRun: view.previous?.run_id ?? null,
    previousNote,
    overall,
    groups,
    ...(await predictionPanels(view, conn)),
    history: await historyRows(view, conn),
    calibration: await calibrationRows(view, conn),
  };
}

const R = DEFAULT_PHYSICAL_RANGE;
/** SQL over `pr`: an observed value outside the physical range of its target (what metrics.evaluate does not score). */
const IMPOSSIBLE_OBSERVED = `(pr.target::VARCHAR = 'c' AND (pr.observed < ${R.cMin} OR pr.observed > ${R.cMax}))
  OR (pr.target::VARCHAR = 'om' AND (pr.observed < ${R.omMin} OR pr.observed > ${R.omMax}))`;

async function predictionPanels(
  view: RunView,
  conn: DuckDBConnection,
): Promise<{ predictions: MetricsData["predictions"]; qcFlags: MetricsData["qcFlags"] }> {
  const flags = await qcFlagSource(view, conn);
  const qcFlags: MetricsData["qcFlags"] = flags
    ? { step: flags.step, flagged: flags.flagged }
    : { absent: "No qc.outliers step of this run left sample flags (a `qc` table or `qc_flags`), so QC-flagged points cannot be marked." };
  const tables = findTables(view, "predictions");
  if (tables.length === 0) return { predictions: absentTable("predictions", "observed vs predicted"), qcFlags };
  if (flags) await conn.run(`CREATE OR REPLACE TEMP TABLE qf AS ${flags.sql}`);
  const panels: PredictionPanel[] = [];
  for (const t of tables) {
    const src = parquetSource([t.path]);
    const joinable = flags !== null && (await columnsOf(conn, [t.path])).has("sample_id");
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE p AS SELECT ${joinable ? "pr.sample_id::VARCHAR" : "NULL::VARCHAR"} AS sample_id,
              pr.target::VARCHAR AS target, pr.split::VARCHAR AS split, pr.observed::DOUBLE AS o, pr.predicted::DOUBLE AS y,
              ${joinable ? "qf.flags" : "NULL::VARCHAR"} AS flags
       FROM ${src} pr ${joinable ? "LEFT JOIN qf ON pr.sample_id::VARCHAR = qf.sample_id" : ""}
       WHERE pr.observed IS NOT NULL AND NOT isnan(pr.observed) AND pr.predicted IS NOT NULL AND NOT isnan(pr.predicted)
         AND NOT (${IMPOSSIBLE_OBSERVED})`,
    );
    // Impossible observed values are not scored by metrics.evaluate: not drawn either, said per panel.
    const impossible = new Map(
      (
        await queryRows(
          conn,
          `SELECT pr.target::VARCHAR AS target, pr.split::VARCHAR AS split, count(*) AS n FROM ${src} pr
           WHERE pr.observed IS NOT NULL AND NOT isnan(pr.observed) AND (${IMPOSSIBLE_OBSERVED}) GROUP BY ALL`,
        )
      ).map((r) => [`${r["target"]}|${r["split"]}`, Number(r["n"])]),
    );
    const impossibleNote = (target: string, split: string) => {
      const k = impossible.get(`${target}|${split}`) ?? 0;
      return k > 0
        ? `${k.toLocaleString("en-US")} observed value(s) of step ${t.step} (${target}, ${split}) lie outside the physical range (C ${R.cMin}–${R.cMax}, OM ${R.omMin}–${R.omMax} g/kg): not drawn and not scored.`
        : null;
    };
    // A step whose predictions hold no flagged sample at all (any split) left them out: say so.
    let flagNote: string | null = null;
    if (flags && flags.flagged > 0) {
      if (!joinable) flagNote = `The predictions of step ${t.step} have no sample_id column: QC-flagged samples cannot be marked.`;
      else {
        const [hit] = await queryRows(conn, `SELECT count(*) AS n FROM ${src} WHERE sample_id::VARCHAR IN (SELECT sample_id FROM qf)`);
        if (Number(hit?.["n"] ?? 0) === 0)
          flagNote = `The predictions of step ${t.step} leave out all ${flags.flagged.toLocaleString("en-US")} samples that QC (step ${flags.step}) flagged, so none is marked.`;
      }
    }
    const combos = await queryRows(
      conn,
      `SELECT target, split, count(*) AS n, count(*) FILTER (WHERE flags IS NOT NULL) AS nf,
              min(least(o, y)) AS lo, max(greatest(o, y)) AS hi, min(o - y) AS rlo, max(o - y) AS rhi
       FROM p GROUP BY target, split ORDER BY target, split`,
    );
    for (const c of combos) {
      const target = String(c["target"]);
      const split = String(c["split"]);
      const n = Number(c["n"]);
      const lo = Number(c["lo"]);
      const hi = Number(c["hi"]);
      const scale = lo >= 0 ? "log1p" : "linear";
      const where = `target = ${sqlString(target)} AND split = ${sqlString(split)}`;
      const panel: PredictionPanel = {
        step: t.step,
        target,
        split,
        n,
        scale,
        lo: sig(lo, 6) ?? 0,
        hi: sig(hi, 6) ?? 0,
        points: null,
        bins: null,
        residualBins: null,
        n_flagged: joinable ? Number(c["nf"]) : null,
        flagged: null,
        flagNote: [flagNote, impossibleNote(target, split)].filter(Boolean).join(" ") || null,
      };
      if (joinable) {
        const fl = await queryRows(
          conn,
          `SELECT o, y, flags FROM p WHERE ${where} AND flags IS NOT NULL ORDER BY hash(sample_id), sample_id LIMIT ${n <= MAX_POINTS ? n : MAX_FLAGGED_POINTS}`,
        );
        panel.flagged = fl.map((r) => ({ o: sig(r["o"]) ?? 0, y: sig(r["y"]) ?? 0, flags: String(r["flags"]) }));
      }
      if (n <= MAX_POINTS) {
        const pts = await queryRows(conn, `SELECT o, y FROM p WHERE ${where}${joinable ? " AND flags IS NULL" : ""}`);
        panel.points = pts.map((r) => [sig(r["o"]) ?? 0, sig(r["y"]) ?? 0]);
      } else {
        const f = (v: string) => (scale === "log1p" ? `ln(1 + ${v})` : v);
        const inv = (v: string) => (scale === "log1p" ? `(exp(${v}) - 1)` : v);
        const flo = scale === "log1p" ? Math.log1p(lo) : lo;
        const fhi = scale === "log1p" ? Math.log1p(hi) : hi;
        const w = (fhi - flo) / BINS || 1;
        const bx = (v: string) => `least(${BINS - 1}, floor((${f(v)} - ${flo}) / ${w}))`;
        const bins = await queryRows(
          conn,
          `SELECT ${inv(`${flo} + bx * ${w}`)} AS x, ${inv(`${flo} + (bx + 1) * ${w}`)} AS x2,
                  ${inv(`${flo} + kb * ${w}`)} AS y, ${inv(`${flo} + (kb + 1) * ${w}`)} AS y2, count(*) AS n
           FROM (SELECT ${bx("o")} AS bx, ${bx("y")} AS kb FROM p WHERE ${where}) GROUP BY bx, kb ORDER BY bx, kb`,
        );
        panel.bins = bins.map(toBin);
        const rlo = Number(c["rlo"]);
        const rhi = Number(c["rhi"]);
        const rw = (rhi - rlo) / BINS || 1;
        const rb = await queryRows(
          conn,
          `SELECT ${inv(`${flo} + bx * ${w}`)} AS x, ${inv(`${flo} + (bx + 1) * ${w}`)} AS x2,
                  ${rlo} + br * ${rw} AS y, ${rlo} + (br + 1) * ${rw} AS y2, count(*) AS n
           FROM (SELECT ${bx("o")} AS bx, least(${BINS - 1}, floor((o - y - ${rlo}) / ${rw})) AS br FROM p WHERE ${where})
           GROUP BY bx, br ORDER BY bx, br`,
        );
        panel.residualBins = rb.map(toBin);
      }
      panels.push(panel);
    }
    await conn.run("DROP TABLE IF EXISTS p");
  }
  await conn.run("DROP TABLE IF EXISTS qf");
  return { predictions: panels, qcFlags };
}

function toBin(r: Row): PanelBin {
  return { x: sig(r["x"]) ?? 0, x2: sig(r["x2"]) ?? 0, y: sig(r["y"]) ?? 0, y2: sig(r["y2"]) ?? 0, n: Number(r["n"]) };
}

async function historyRows(view: RunView, conn: DuckDBConnection): Promise<MetricsData["history"]> {
  const tables = findTables(view, "history");
  if (tables.length === 0) return absentTable("history", "training curves");
  const out: Row[] = [];
  for (const t of tables) {
    const cols = await columnsOf(conn, [t.path]);
    const series = ["member", "fold", "target"].filter((c) => cols.has(c));
    const seriesExpr = series.length ? `concat_ws(' ', ${series.map((c) => `'${c} ' || ${c}::VARCHAR`).join(", ")})` : "''";
    const val = cols.has("val_loss") ? "val_loss" : "NULL";
    // long format; averaged per epoch when a series has several rows per epoch
    const rows = await queryRows(
      conn,
      `SELECT ${sqlString(t.step)} AS step, ${seriesExpr} AS series, epoch::INTEGER AS epoch,
              avg(loss) AS loss, avg(${val}) AS val_loss
       FROM ${parquetSource([t.path])} GROUP BY ALL ORDER BY series, epoch`,
    );
    for (const r of rows) {
      out.push({
        step: r["step"] ?? null,
        series: r["series"] ?? null,
        epoch: r["epoch"] ?? null,
        metric: "loss",
        value: sig(r["loss"], 5),
      });
      if (r["val_loss"] !== null)
        out.push({
          step: r["step"] ?? null,
          series: r["series"] ?? null,
          epoch: r["epoch"] ?? null,
          metric: "val_loss",
          value: sig(r["val_loss"], 5),
        });
    }
  }
  return out;
}

async function calibrationRows(view: RunView, conn: DuckDBConnection): Promise<MetricsData["calibration"]> {
  // metrics.evaluate's table: per model step and target, nominal level vs empirical coverage
  // ("reported" = the model's own interval, "rescaled" = conformal curve over levels,
  // "resplit" = mean and 5–95 % range over random cal/test re-partitions).
  const tables = findTables(view, "calibration");
  if (tables.length === 0) return absentTable("calibration", "the calibration of prediction intervals");
  const out: Row[] = [];
  for (const t of tables) {
    // Calibration tables written before the "resplit" rows have no spread columns.
    const cols = await columnsOf(conn, [t.path]);
    const spread = cols.has("coverage_p95")
      ? "coverage_p05::DOUBLE AS p05, coverage_p95::DOUBLE AS p95"
      : "NULL::DOUBLE AS p05, NULL::DOUBLE AS p95";
    const rows = await queryRows(
      conn,
      `SELECT step, model, target, method, n::INTEGER AS n, level::DOUBLE AS nominal, coverage::DOUBLE AS empirical,
              mean_width::DOUBLE AS mean_width, ${spread}
       FROM ${parquetSource([t.path])} WHERE coverage IS NOT NULL ORDER BY step, target, method, nominal`,
    );
    out.push(...rows);
  }
  return out;
}
