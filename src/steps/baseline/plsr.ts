/**
 * `baseline.plsr`: the PLSR baseline on the same split as the CNNs.
 *
 * - Fits PLS1 (src/core/chemometrics/pls-regression.ts) on log1p(target), mean-centered X
 *   (spectra on the common grid, matched to `samples` by sample_id), with the number of
 *   components chosen by `cv_folds`-fold CV over 1..max_components (`component_rule`).
 * - Split: the CNN's options and assignment (src/steps/shared/split-options.ts: random, whole
 *   sources, whole lat/lon cells, or fold `test_fold` of a k-fold). PLSR fits on train+val
 *   (it has no early stopping to feed), calibrates a plain split-conformal interval on the
 *   cal split (score |log1p y − ŷ|, no σ̂), and is scored on test.
 * - Samples with `exclude_train` true (when the column exists) or a negative target are kept
 *   in `predictions` with their split but not fitted on. Excluded cal rows with a usable label
 *   do calibrate (option `cal_excluded`, default true): `metrics.evaluate` scores every test row,
 *   QC-flagged ones included, so the conformal set must come from that same population for the
 *   coverage to hold (flagged test rows alone covered ~0.5 when they were left out of cal).
 * - Back-transform: predicted = expm1(ŷ) and interval [expm1(ŷ − q), expm1(ŷ + q)], both clamped to
 *   the physical range (0 to 580 g/kg C, 1000 g/kg OM)
 *   (monotone, so the conformal coverage carries over; the clamp at 0 only touches values that
 *   are impossible for a concentration).
 * - `predictions`: every sample with a usable spectrum (labelled with its split, the rest
 *   `unlabelled`); samples without a spectrum (or with a non-finite value) are left out and
 *   counted in the run record. sd is NaN and in_domain null (no σ̂, no domain model).
 *
 * Options: plsr-options.ts; rows, fit and calibration: plsr-setup.ts; what it writes: plsr-outputs.ts.
 */
import { defineStep } from "../../engine/step.js";
import { splitSamples, stepSplit } from "../shared/split-options.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";
import { plsrOptions } from "./plsr-options.js";
import { plsrLogLine, plsrMeta, plsrRecord, predictionsTable } from "./plsr-outputs.js";
import { calQuantile, fitAndCalRows, fitPlsr, sampleColumns } from "./plsr-setup.js";

export { plsrOptions, type PlsrOptions } from "./plsr-options.js";

export const plsrStep = defineStep({
  type: "baseline.plsr",
  version: 1,
  description: "PLSR baseline (PLS1 on log1p target, components by k-fold CV, split-conformal intervals)",
  options: plsrOptions,
  outputs: ["predictions", "model_meta"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const t0 = performance.now();
    const samples = await inputs.find("samples").table("samples");
    const blocks = await inputs.find("spectra").spectra("spectra");
    const s = sampleColumns(samples, o);
    const sm = spectraMatrix(blocks, s.ids);
    const split = stepSplit(o, s.col);
    const splitOf = splitSamples(samples, split);

    const { fitRows, calRows, excluded } = fitAndCalRows(sm, s, splitOf, o);
    const { fit, yHat } = fitPlsr(sm, s.value, fitRows, o);
    const q = calQuantile(sm, s.value, yHat, calRows, o);
    if (calRows.length === 0) ctx.log("no calibration samples: prediction intervals are NaN");
    else if (q === Infinity) ctx.log(`only ${calRows.length} calibration samples: the ${o.pi_level} interval is unbounded`);

    await ctx.outputs.table("predictions", predictionsTable(sm, s, splitOf, yHat, q, o));
    const seconds = (performance.now() - t0) / 1000;
    const counts = { fitRows: fitRows.length, calRows: calRows.length, excluded };
    await ctx.outputs.json("model_meta", plsrMeta(fit, sm, split, q, counts, o));
    ctx.record(plsrRecord(fit, sm, counts, seconds));
    ctx.log(plsrLogLine(fit, sm, counts, o));
  },
});
