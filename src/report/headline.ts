/**
 * The report's headline, read before any scrolling: what the data are (derived from the run's
 * steps: a synthetic library with known truth, or the real sources), and the model chosen per
 * target on its held-out test split beside the published study's values.
 */
import { METRIC_COLUMNS } from "../contracts/metrics.js";
import { parquetSource, queryRows, sqlIdent, type DuckDBConnection, type Row } from "./duck.js";
import { PUBLISHED_REFERENCE, REFERENCE_LABEL, STUDY } from "./reference.js";
import type { RunView } from "./run-view.js";
import { findTables } from "./tables.js";

export interface HeadlineRow {
  target: string;
  /** Pipeline step of the model, or the reference label. */
  step: string;
  model: string;
  /** How it was chosen: "impute.hybrid models", "lowest test RMSE", or "reference". */
  chosen: string;
  n: number | null;
  r2: number | null;
  rmse: number | null;
  mae: number | null;
  rpiq: number | null;
  pi_coverage: number | null;
  pi_level: number | null;
}

export interface Headline {
  /** One or two plain sentences on the data set. */
  data: string;
  /** "synthetic" | "real" */
  kind: "synthetic" | "real";
  rows: HeadlineRow[];
  study: string;
  /** Explanations of the split names a reader meets (test, missing-truth, …), present ones only. */
  splits: { split: string; meaning: string }[];
  /** Why the numbers differ from the study's, when they cannot be compared directly. */
  caveat: string | null;
}

const SPLIT_MEANING: Record<string, string> = {
  test: "held-out samples no model used for fitting, early stopping or interval calibration",
  cv: "k-fold cross-validation: every labelled sample predicted by the fold that did not train on it",
  "missing-truth":
    "the imputed values (samples whose lab value is missing or was set aside) scored against the synthetic library's hidden true values — possible only because the data are synthetic",
  calibration: "the samples that calibrated the prediction intervals",
  cal: "the samples that calibrated the prediction intervals",
  train: "the training samples (optimistic)",
};

const int = (n: number) => Math.round(n).toLocaleString("en-US");

async function dataSentence(view: RunView, conn: DuckDBConnection): Promise<{ data: string; kind: "synthetic" | "real" }> {
  const steps = view.run.steps;
  const synth = steps.filter((s) => s.type.startsWith("synth."));
  const samples = findTables(view, "samples")[0];
  let n: number | null = null;
  let sources: { source: string; n: number }[] = [];
  if (samples) {
    sources = (
      await queryRows(
        conn,
        `SELECT source::VARCHAR AS source, count(*)::INTEGER AS n FROM ${parquetSource([samples.path])} GROUP BY 1 ORDER BY 1`,
      )
    ).map((r: Row) => ({ source: String(r["source"] ?? "unknown"), n: Number(r["n"]) }));
    n = sources.reduce((a, s) => a + s.n, 0);
  }
  const truth = view.stepsWith("truth").length > 0;
  if (synth.length > 0) {
    return {
      kind: "synthetic",
      data:
        `Synthetic demo library${n !== null ? `, n = ${int(n)} samples` : ""}${sources.length ? ` from ${sources.length} simulated sources` : ""}` +
        `${truth ? ", known ground truth" : ""} (step ${synth.map((s) => `${s.name}: ${s.type}`).join(", ")}). ` +
        "No real soil was measured: the numbers show how the method behaves on simulated spectra, not how well real soils are predicted.",
    };
  }
  const ingest = steps.filter((s) => s.type.startsWith("ingest."));
  return {
    kind: "real",
    data:
      `Real spectral libraries${n !== null ? `, n = ${int(n)} samples` : ""}` +
      `${sources.length ? `: ${sources.map((s) => `${s.source} (${int(s.n)})`).join(", ")}` : ""}` +
      `${ingest.length ? ` (read by ${ingest.map((s) => `${s.name}: ${s.type}`).join(", ")})` : ""}.`,
  };
}

export async function headline(view: RunView, conn: DuckDBConnection): Promise<Headline> {
  const { data, kind } = await dataSentence(view, conn);
  const tables = findTables(view, "metrics");
  const rows: Row[] = tables.length
    ? await queryRows(conn, `SELECT ${METRIC_COLUMNS.map(sqlIdent).join(", ")} FROM ${parquetSource(tables.map((t) => t.path))}`)
    : [];
  // the models the hybrid dataset uses; without an impute step, the lowest test RMSE per target
  const metaStep = view.stepsWith("hybrid_meta")[0];
  const meta = metaStep ? await view.json<{ models?: Record<string, string> }>(metaStep, "hybrid_meta").catch(() => null) : null;
  const test = rows.filter((r) => r["split"] === "test" && r["scale"] === "gkg" && r["group"] === "all");
  const out: HeadlineRow[] = [];
  const targets = [...new Set([...test.map((r) => String(r["target"])), ...PUBLISHED_REFERENCE.map((p) => p.target)])].sort();
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  for (const target of targets) {
    const mine = test.filter((r) => r["target"] === target);
    const named = meta?.models?.[target];
    let pick = named ? mine.find((r) => r["step"] === named) : undefined;
    let chosen = "used by the hybrid dataset";
    if (!pick && mine.length) {
      pick = [...mine].sort((a, b) => (num(a["rmse"]) ?? Infinity) - (num(b["rmse"]) ?? Infinity))[0];
      chosen = "lowest test RMSE (no imputation step chose one)";
    }
    if (pick) {
      out.push({
        target,
        step: String(pick["step"]),
        model: String(pick["model"]),
        chosen,
        n: num(pick["n"]),
        r2: num(pick["r2"]),
        rmse: num(pick["rmse"]),
        mae: num(pick["mae"]),
        rpiq: num(pick["rpiq"]),
        pi_coverage: num(pick["pi_coverage"]),
        pi_level: num(pick["pi_level"]),
      });
    }
    const ref = PUBLISHED_REFERENCE.find((p) => p.target === target);
    if (ref) {
      out.push({
        target,
        step: REFERENCE_LABEL,
        model: "CNN",
        chosen: "reference",
        n: null,
        r2: ref.r2,
        rmse: ref.rmse,
        mae: ref.mae,
        rpiq: ref.rpiq,
        pi_coverage: null,
        pi_level: null,
      });
    }
  }
  const present = new Set(rows.map((r) => String(r["split"])));
  return {
    data,
    kind,
    rows: out,
    study: STUDY,
    splits: Object.entries(SPLIT_MEANING)
      .filter(([s]) => present.has(s))
      .map(([split, meaning]) => ({ split, meaning })),
    caveat:
      kind === "synthetic"
        ? "The synthetic spectra are generated from C and OM by a known model with modest noise, so fits are much tighter than on real libraries: compare the models with each other here, not with the study."
        : null,
  };
}
