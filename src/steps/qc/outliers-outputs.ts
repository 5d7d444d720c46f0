/**
 * What `qc.outliers` writes: `samples` with the QC columns, `qc` (T²/Q and their limits per
 * sample), `pca_scores` (subsampled), `qc_limits`, and its run facts and closing log line.
 */
import type { StepContext, StepInputs } from "../../engine/step.js";
import type { OutlierQc } from "../../core/qc/outlier-qc.js";
import { defectScores } from "../../core/chemometrics/defect-scores.js";
import { textColumn, type Table } from "../../core/table.js";
import { subsampleIndices } from "../shared/spectra-io.js";
import type { Options } from "./outliers-options.js";
import type { SampleColumns } from "./outliers-setup.js";

/** The input samples with qc_flags, spectral_outlier and exclude_train (replaced when present). */
export function flaggedSamples(samples: Table, r: OutlierQc): Table {
  const { qcFlags, spectralOutlier, excludeTrain } = r.flags;
  return { ...samples, qc_flags: qcFlags, spectral_outlier: spectralOutlier, exclude_train: excludeTrain };
}

/** Per sample: T², Q and their limits (NaN without a spectrum), and the flags. */
export function qcTable(r: OutlierQc, cols: SampleColumns): Table {
  const perSample = (f: (row: number) => number) => Float64Array.from(r.rowOf, (row) => (row >= 0 ? f(row) : NaN));
  return {
    sample_id: cols.sampleId,
    source: cols.source,
    t2: perSample((row) => r.pca.t2[row]!),
    q: perSample((row) => r.pca.q[row]!),
    t2_limit: perSample(() => r.pca.t2Limit),
    q_limit: perSample((row) => r.qLimit[row]!),
    flags: r.flags.qcFlags,
  };
}

/** PC1/PC2 of at most max_scores spectra (seeded), for the report's scatter. */
export function pcaScoresTable(r: OutlierQc, spectra: { ids: readonly string[]; source: readonly string[] }, o: Options): Table {
  const k = r.pca.model.k;
  const pick = subsampleIndices(spectra.ids.length, o.max_scores, o.seed);
  return {
    sample_id: Array.from(pick, (i) => spectra.ids[i]!),
    source: Array.from(pick, (i) => spectra.source[i]!),
    pc1: Float64Array.from(pick, (i) => r.pca.scores[i * k]!),
    pc2: Float64Array.from(pick, (i) => (k > 1 ? r.pca.scores[i * k + 1]! : NaN)),
    stage: Array.from(pick, () => "qc"),
  };
}

const perSource = (lims: Record<string, number>) => Object.fromEntries(Object.entries(lims).filter(([s]) => s !== ""));

export function limitsJson(r: OutlierQc, o: Options) {
  return {
    t2_limit: r.pca.t2Limit,
    /** All spectra pooled (the limit of any class or source too small for its own). */
    q_limit: r.limits.pooled,
    /** Mineral soils (lab C below organic_c_gkg or unknown): pooled and per source. */
    q_limit_mineral: r.limits.mineral[""] ?? null,
    q_limit_by_source: perSource(r.limits.mineral),
    /** Organic soils: pooled and per source; null when fewer than 20 organic spectra. */
    q_limit_organic: r.limits.organic[""] ?? null,
    q_limit_organic_by_source: perSource(r.limits.organic),
    organic_c_gkg: o.organic_c_gkg,
    organic_spectra: r.organicSpectra,
    alpha: o.alpha,
    q_z: o.q_limit === "robust-log" ? o.q_z : null,
    components: r.pca.model.k,
    q_formula: o.q_limit,
    limits_by: o.q_limit === "robust-log" ? o.limits_by : "pooled",
    fit_rows: r.pca.fitRows.length,
  };
}

/** Run facts and the log line; precision and recall when an input has the synthetic truth. */
export async function recordFacts(ctx: StepContext, inputs: StepInputs, r: OutlierQc, sampleId: readonly (string | null)[]) {
  const { pca, limits } = r;
  const facts: Record<string, number> = {
    qc_components: pca.model.k,
    qc_explained: pca.model.explained,
    qc_t2_limit: pca.t2Limit,
    qc_q_limit: limits.pooled,
    qc_flagged: r.flags.qcFlags.filter((f) => f !== null).length,
    qc_excluded: r.flags.excludeTrain.filter(Boolean).length,
  };
  const truthIn = inputs.findAll("truth");
  if (truthIn.length) {
    const truth = await truthIn[0]!.table("truth", ["sample_id", "defect"]);
    const s = defectScores(
      { sampleId, flagged: r.flags.qcFlags.map((f) => f !== null) },
      { sampleId: textColumn(truth, "sample_id"), defect: textColumn(truth, "defect") },
    );
    facts.qc_precision = s.precision;
    facts.qc_recall = s.recall;
    const byDefect = Object.entries(s.byDefect).map(([d, e]) => `${d} ${e.found}/${e.total}`);
    ctx.log(`vs truth: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${byDefect.join(", ")})`);
  }
  ctx.record(facts);
  const bySource = Object.values(perSource(limits.mineral)).map((v) => v.toPrecision(3));
  ctx.log(
    `PCA k=${pca.model.k} (${(100 * pca.model.explained).toFixed(1)} %), T² limit ${pca.t2Limit.toFixed(2)}, Q limit ${limits.pooled.toPrecision(4)}` +
      (bySource.length ? ` (per source ${bySource.join("/")})` : "") +
      (limits.organic[""] !== undefined ? `, organic soils ${limits.organic[""].toPrecision(3)}` : "") +
      `; ${facts.qc_flagged} of ${sampleId.length} flagged`,
  );
}
