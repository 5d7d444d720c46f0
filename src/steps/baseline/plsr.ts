/**
 * `baseline.plsr`: the PLSR baseline on the same split as the CNNs.
 *
 * - Fits PLS1 (src/core/chemometrics/pls-regression.ts) on log1p(target), mean-centered X
 *   (spectra on the common grid, matched to `samples` by sample_id), with the number of
 *   components chosen by `cv_folds`-fold CV over 1..max_components (`component_rule`).
 * - Split: the CNN's options and assignment (src/steps/split-options.ts: random, whole
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
 */
import { z } from "zod";
import { DEFAULT_PHYSICAL_RANGE } from "../../core/chemometrics/physical-range.js";
import { plsPredict, plsRegressionCv } from "../../core/chemometrics/pls-regression.js";
import { conformalIntervals, conformalQuantile } from "../../core/stats/conformal.js";
import { numberColumn, tableRowCount, textColumn, type FlagColumn, type Table } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { splitOptionFields, splitSamples, stepSplit } from "../shared/split-options.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";

export const plsrOptions = z.strictObject({
  /** Target: organic C (`c_gkg`) or organic matter (`om_gkg`). */
  target: z.enum(["c", "om"]),
  /** Largest number of PLS components tried by CV. */
  max_components: z.number().int().min(1).max(200).default(20),
  /** Folds of the inner CV that picks the number of components. */
  cv_folds: z.number().int().min(2).max(20).default(5),
  /** "one_se": fewest components within one SE of the RMSECV minimum; "min": the minimum. */
  component_rule: z.enum(["min", "one_se"]).default("one_se"),
  /** Split options, identical to the CNN steps (src/steps/split-options.ts). */
  ...splitOptionFields,
  seed: z.number().int().default(1),
  /** Nominal level of the split-conformal interval. */
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /** Calibrate on QC-excluded cal rows too (the population test is scored on). */
  cal_excluded: z.boolean().default(true),
});

export type PlsrOptions = z.output<typeof plsrOptions>;

function flagColumn(table: Table, name: string, n: number): (boolean | null)[] {
  const c = table[name];
  if (c === undefined) return new Array<boolean | null>(n).fill(null);
  if (!Array.isArray(c)) throw new StepInputError(`samples column "${name}" must be a flag column`);
  return c as FlagColumn;
}

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
    const n = tableRowCount(samples);
    const col = o.target === "c" ? "c_gkg" : "om_gkg";
    if (!samples[col]) throw new StepInputError(`samples has no column "${col}" for option target=${o.target}`);
    const ids = textColumn(samples, "sample_id");
    const sources = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
    const depth = samples.depth_top_cm ? numberColumn(samples, "depth_top_cm") : new Float64Array(n).fill(NaN);
    const value = numberColumn(samples, col);
    const exclude = flagColumn(samples, "exclude_train", n);

    const sm = spectraMatrix(blocks, ids);
    const p = sm.wavenumbers.length;
    const m = sm.sampleRow.length;
    const split = stepSplit(o, col);
    const splitOf = splitSamples(samples, split);

    const fitRows: number[] = [];
    const calRows: number[] = [];
    let excluded = 0;
    for (let k = 0; k < m; k++) {
      const i = sm.sampleRow[k]!;
      const v = value[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < 0 || (exclude[i] === true && !(o.cal_excluded && splitOf[i] === "cal"))) {
        excluded++;
        continue;
      }
      const s = splitOf[i]!;
      if (s === "train" || s === "val") fitRows.push(k);
      else if (s === "cal") calRows.push(k);
    }
    const minRows = Math.max(o.cv_folds + 2, 3);
    if (fitRows.length < minRows) {
      throw new StepInputError(
        `only ${fitRows.length} labelled ${o.target} samples with a usable spectrum in train+val; ` +
          `PLSR needs at least ${minRows} (check the spectra/samples inputs and the split fractions)`,
      );
    }
    const xFit = new Float32Array(fitRows.length * p);
    fitRows.forEach((k, r) => xFit.set(sm.values.subarray(k * p, (k + 1) * p), r * p));
    const yFit = Float64Array.from(fitRows, (k) => Math.log1p(value[sm.sampleRow[k]!]!));
    const fit = plsRegressionCv(xFit, p, yFit, {
      maxComponents: o.max_components,
      folds: o.cv_folds,
      seed: o.seed,
      rule: o.component_rule,
    });
    const yHat = plsPredict(fit.model, sm.values);

    const scores = Float64Array.from(calRows, (k) => Math.abs(Math.log1p(value[sm.sampleRow[k]!]!) - yHat[k]!));
    const q = calRows.length > 0 ? conformalQuantile(scores, o.pi_level) : NaN;
    if (calRows.length === 0) ctx.log("no calibration samples: prediction intervals are NaN");
    else if (q === Infinity) ctx.log(`only ${calRows.length} calibration samples: the ${o.pi_level} interval is unbounded`);

    // Back-transformed values stay inside the physical range: log-scale PLSR can extrapolate far.
    const upper = o.target === "c" ? DEFAULT_PHYSICAL_RANGE.cMax : DEFAULT_PHYSICAL_RANGE.omMax;
    const pi = conformalIntervals(yHat, new Float64Array(m).fill(1), q, Math.expm1, { lower: 0, upper });
    const rows = new PredictionsBuilder();
    sm.sampleRow.forEach((i, r) =>
      rows.push({
        sample_id: ids[i] ?? null,
        target: o.target,
        split: Number.isFinite(value[i]!) ? splitOf[i]! : "unlabelled",
        source: sources[i] ?? null,
        depth_top_cm: depth[i]!,
        observed: value[i]!,
        predicted: Math.min(upper, Math.max(0, Math.expm1(yHat[r]!))),
        sd: NaN,
        pi_low: pi.low[r]!,
        pi_high: pi.high[r]!,
        in_domain: null,
      }),
    );
    await ctx.outputs.table("predictions", rows.build());
    const seconds = (performance.now() - t0) / 1000;
    await ctx.outputs.json("model_meta", {
      model: "plsr",
      target: o.target,
      transform: "log1p",
      preprocessing: { centering: "mean", scaling: "none" },
      algorithm: "PLS1, improved kernel algorithm (Dayal & MacGregor 1997)",
      components: fit.model.components,
      component_rule: fit.rule,
      min_rmsecv_components: fit.minComponents,
      cv: { folds: fit.folds, seed: o.seed, components: fit.cv.components, rmsecv_log1p: fit.cv.rmsecv, se_log1p: fit.cv.se },
      split,
      pi_level: o.pi_level,
      conformal: { kind: "split, absolute log1p residual", n_cal: calRows.length, quantile_log1p: Number.isFinite(q) ? q : null },
      n_fit: fitRows.length,
      n_excluded: excluded,
      n_predicted: m,
      grid: { n: p, first: sm.wavenumbers[0] ?? null, last: sm.wavenumbers[p - 1] ?? null },
    });
    ctx.record({
      plsr_components: fit.model.components,
      plsr_n_fit: fitRows.length,
      plsr_n_cal: calRows.length,
      plsr_no_spectrum: sm.missing,
      plsr_nonfinite_spectrum: sm.nonFinite,
      plsr_seconds: Math.round(seconds * 100) / 100,
    });
    ctx.log(
      `plsr ${o.target}: ${fit.model.components} components (rule ${fit.rule}), fit on ${fitRows.length}, ` +
        `cal ${calRows.length}, predicted ${m}; ${sm.missing} samples without spectrum, ${sm.nonFinite} non-finite`,
    );
  },
});
