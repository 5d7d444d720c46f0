/**
 * qc.outliers — flags samples whose spectra or lab values cannot be trusted; the science
 * (robust PCA T²/Q limits per source and soil class, scan defects, physical range, unit
 * mistakes) is outlierQc in src/core/qc/outlier-qc.ts. Flagged samples stay in the data;
 * `exclude_train` keeps them out of model fitting.
 */
import { defineStep, StepInputError, type StepContext, type StepInputs } from "../../engine/step.js";
import { offGridBlock, stackBlocks } from "../../core/spectra/block.js";
import { outlierQc, SpectralModelError, type OutlierQc } from "../../core/qc/outlier-qc.js";
import { defectScores } from "../../core/chemometrics/defect-scores.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { pickInput, subsampleIndices } from "../shared/spectra-io.js";
import { coreOptions, outliersOptions, type Options } from "./outliers-options.js";

/** spectra.preprocess's native-grid scan defects by spectrum id (its preprocess_log), if an input has them. */
async function knownDefects(inputs: StepInputs): Promise<Map<string, string[]> | undefined> {
  const logs = inputs.findAll("preprocess_log");
  if (!logs.length) return undefined;
  const log = await logs[0]!.table("preprocess_log");
  if (!log.defects) return undefined;
  const ids = textColumn(log, "sample_id");
  const defects = textColumn(log, "defects");
  const map = new Map<string, string[]>();
  ids.forEach((id, i) => {
    if (id && defects[i]) map.set(id, [...(map.get(id) ?? []), ...defects[i]!.split(";")]);
  });
  return map;
}

function sampleColumns(samples: Table) {
  const n = tableRowCount(samples);
  const text = (name: string) => (samples[name] ? textColumn(samples, name) : new Array<string | null>(n).fill(null));
  const num = (name: string) => (samples[name] ? numberColumn(samples, name) : new Float64Array(n).fill(NaN));
  return {
    sampleId: textColumn(samples, "sample_id"),
    source: text("source"),
    c: num("c_gkg"),
    om: num("om_gkg"),
    cMethod: text("c_method"),
    omMethod: text("om_method"),
  };
}

export const qcOutliers = defineStep({
  type: "qc.outliers",
  version: 1,
  description: "Spectral (robust PCA T²/Q, scan defects) and target (range, units, duplicates) quality control.",
  options: outliersOptions,
  outputs: ["samples", "qc", "qc_summary", "pca_scores", "qc_limits"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const specIn = pickInput(inputs, "spectra", ["harmonize.spectra", "spectra.preprocess"], o.spectra_from, "spectra_from");
    const sampIn = pickInput(inputs, "samples", ["harmonize.targets", "qc.outliers"], o.samples_from, "samples_from");
    const blocks = (await specIn.spectra("spectra")).filter((b) => b.ids.length > 0);
    const samples = await sampIn.table("samples");
    if (blocks.length === 0) throw new StepInputError(`input "${specIn.step}" has no spectra`);
    const cols = sampleColumns(samples);
    const off = offGridBlock(blocks);
    if (off) {
      throw new StepInputError(
        `source "${off.source}" is on a different grid than "${blocks[0]!.source}": qc.outliers needs spectra on one grid (run spectra.preprocess first)`,
      );
    }
    const spectra = { ...stackBlocks(blocks), knownDefects: await knownDefects(inputs) };
    let r: OutlierQc;
    try {
      r = outlierQc({ spectra, samples: cols }, coreOptions(o));
    } catch (e) {
      if (!(e instanceof SpectralModelError)) throw e;
      throw new StepInputError(`spectra from "${specIn.step}": ${e.message} (options components/max_components)`);
    }
    for (const u of r.unit.skipped) {
      if (u.samples)
        ctx.log(
          `unit check for ${u.name}: ${u.samples} clean labelled samples < unit_check.min_samples ${o.unit_check.min_samples}, skipped`,
        );
    }
    const { qcFlags, spectralOutlier, excludeTrain } = r.flags;
    await ctx.outputs.table("samples", { ...samples, qc_flags: qcFlags, spectral_outlier: spectralOutlier, exclude_train: excludeTrain });
    const perSample = (f: (row: number) => number) => Float64Array.from(r.rowOf, (row) => (row >= 0 ? f(row) : NaN));
    await ctx.outputs.table("qc", {
      sample_id: cols.sampleId,
      source: cols.source,
      t2: perSample((row) => r.pca.t2[row]!),
      q: perSample((row) => r.pca.q[row]!),
      t2_limit: perSample(() => r.pca.t2Limit),
      q_limit: perSample((row) => r.qLimit[row]!),
      flags: qcFlags,
    });
    for (const s of r.percentSources)
      ctx.log(`source "${s.source}": C median ${s.median} g/kg — looks like % not g/kg; set harmonize.targets option units`);
    await ctx.outputs.table("qc_summary", { ...r.summary });
    const k = r.pca.model.k;
    const pick = subsampleIndices(spectra.ids.length, o.max_scores, o.seed);
    await ctx.outputs.table("pca_scores", {
      sample_id: Array.from(pick, (i) => spectra.ids[i]!),
      source: Array.from(pick, (i) => spectra.source[i]!),
      pc1: Float64Array.from(pick, (i) => r.pca.scores[i * k]!),
      pc2: Float64Array.from(pick, (i) => (k > 1 ? r.pca.scores[i * k + 1]! : NaN)),
      stage: Array.from(pick, () => "qc"),
    });
    await ctx.outputs.json("qc_limits", limitsJson(r, o));
    await recordFacts(ctx, inputs, r, cols.sampleId);
  },
});

const perSource = (lims: Record<string, number>) => Object.fromEntries(Object.entries(lims).filter(([s]) => s !== ""));

function limitsJson(r: OutlierQc, o: Options) {
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
async function recordFacts(ctx: StepContext, inputs: StepInputs, r: OutlierQc, sampleId: readonly (string | null)[]) {
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
