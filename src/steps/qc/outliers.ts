/**
 * qc.outliers — flags samples whose spectra or lab values cannot be trusted; the science
 * (robust PCA T²/Q limits per source and soil class, scan defects, physical range, unit
 * mistakes) is outlierQc in src/core/qc/outlier-qc.ts. Flagged samples stay in the data;
 * `exclude_train` keeps them out of model fitting.
 *
 * Options: outliers-options.ts; inputs: outliers-setup.ts; tables, limits and run facts: outliers-outputs.ts.
 */
import { defineStep, StepInputError } from "../../engine/step.js";
import { outlierQc, SpectralModelError, type OutlierQc } from "../../core/qc/outlier-qc.js";
import { pickInput } from "../shared/spectra-io.js";
import { coreOptions, outliersOptions } from "./outliers-options.js";
import { flaggedSamples, limitsJson, pcaScoresTable, qcTable, recordFacts } from "./outliers-outputs.js";
import { qcSpectra, sampleColumns } from "./outliers-setup.js";

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
    const spectra = await qcSpectra(blocks, inputs);
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
    await ctx.outputs.table("samples", flaggedSamples(samples, r));
    await ctx.outputs.table("qc", qcTable(r, cols));
    for (const s of r.percentSources)
      ctx.log(`source "${s.source}": C median ${s.median} g/kg — looks like % not g/kg; set harmonize.targets option units`);
    await ctx.outputs.table("qc_summary", { ...r.summary });
    await ctx.outputs.table("pca_scores", pcaScoresTable(r, spectra, o));
    await ctx.outputs.json("qc_limits", limitsJson(r, o));
    await recordFacts(ctx, inputs, r, cols.sampleId);
  },
});
