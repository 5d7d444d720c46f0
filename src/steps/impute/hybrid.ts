/**
 * `impute.hybrid`: the hybrid dataset of measured and predicted C and OM
 * (src/core/impute/hybrid.ts for the rules), its coverage tables and, on synthetic data, the
 * score of the imputed values against the truth.
 *
 * Inputs: one with `samples` (option `samples_from` when several inputs have one; without it
 * the single candidate with an `exclude_train` column, i.e. the QC'd version, is used), the
 * model steps named in `models` (their `predictions`), and optionally one with `truth`.
 * A sample's prediction is rejected for QC when its `spectral_outlier` flag is true (or, when
 * the samples have no such column, its `exclude_train` flag).
 *
 * Outputs: `hybrid` (table, long: one row per sample id and target, with the sample's source,
 * depth, lat/lon and lab method), `hybrid_wide` (one row per sample id, C and OM side by side;
 * src/core/impute/layout.ts), `coverage`, `pairs` (src/core/impute/coverage.ts), json
 * `hybrid_meta` (models, counts, interval levels — what the export sidecar needs) and, with
 * truth, metric rows (model "impute-truth", split "missing-truth", both scales, overall / per
 * source / per depth band) scoring `value` on the samples whose measurement was missing.
 * Here: options in hybrid-options.ts, inputs in hybrid-setup.ts, truth scoring and metadata in
 * hybrid-outputs.ts.
 */
import { hybridCoverage, hybridPairs } from "../../core/impute/coverage.js";
import { buildHybrid, TARGETS } from "../../core/impute/hybrid.js";
import { hybridLong, hybridWide } from "../../core/impute/layout.js";
import { hybridDescription } from "../../core/impute/sidecar.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { hybridOptions } from "./hybrid-options.js";
import { groupsOf, hybridLogLine, hybridMeta, truthMetricRows } from "./hybrid-outputs.js";
import { modelPredictions, resolveSamples, sampleInputs } from "./hybrid-setup.js";

export { hybridOptions, type HybridStepOptions } from "./hybrid-options.js";

export const hybridStep = defineStep({
  type: "impute.hybrid",
  version: 2,
  description: "Hybrid dataset of measured and predicted C/OM with intervals, flags and coverage",
  options: hybridOptions,
  outputs: ["hybrid", "hybrid_columns", "hybrid_wide", "hybrid_wide_columns", "coverage", "pairs", "hybrid_meta", "metrics"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const { step: samplesStep, table: samples } = await resolveSamples(inputs, o.samples_from);
    const { n, ids, measured, qcFlags, qcReject } = sampleInputs(samples);
    const { predictions, levels } = await modelPredictions(inputs, ids, o);
    const res = buildHybrid({ sampleId: ids, measured, qcFlags, qcReject, predictions }, { rejectOutOfDomain: o.reject_out_of_domain });
    // row k of each target is sample res.rows[k] (duplicated ids collapsed to their first sample)
    const groups = groupsOf(samples, res.rows, n);
    const hybrid = hybridLong(res.table, samples, res.rows);
    await ctx.outputs.table("hybrid", hybrid);
    await ctx.outputs.table("hybrid_wide", hybridWide(hybrid));
    await ctx.outputs.table("coverage", hybridCoverage(hybrid, groups, { cellDeg: o.cell_deg }));
    await ctx.outputs.table("pairs", hybridPairs(hybrid, groups, { cellDeg: o.cell_deg }));

    const truthInputs = inputs.findAll("truth");
    if (truthInputs.length > 1) {
      throw new StepInputError(`several inputs have truth (${truthInputs.map((a) => a.step).join(", ")}): keep one in needs`);
    }
    let scored: number | null = null;
    if (truthInputs.length === 1) {
      const truth = await truthInputs[0]!.table("truth");
      const r = truthMetricRows(truth, { step: ctx.name, hybrid, ids, sampleRows: res.rows, groups, levels }, o);
      scored = r.scored;
      await ctx.metrics(r.rows);
    }

    const about = { models: o.models, piLevel: levels, counts: res.counts, setAside: res.setAside };
    await ctx.outputs.json("hybrid_columns", hybridDescription(about));
    await ctx.outputs.json("hybrid_wide_columns", hybridDescription(about, "wide"));
    await ctx.outputs.json("hybrid_meta", hybridMeta(samplesStep, res, levels, { n, scored }, o));
    ctx.record({
      hybrid_samples: n,
      ...Object.fromEntries(TARGETS.flatMap((t) => Object.entries(res.counts[t]).map(([k, v]) => [`hybrid_${t}_${k}`, v]))),
    });
    ctx.log(hybridLogLine(res));
  },
});
