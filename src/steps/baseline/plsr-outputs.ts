/**
 * What `baseline.plsr` writes: `predictions` (every matrix row back-transformed with expm1 and
 * clamped to the physical range, conformal interval, sd NaN, in_domain null), `model_meta`
 * (protocol, CV curve, split, conformal calibration, counts), and its run record.
 */
import { DEFAULT_PHYSICAL_RANGE } from "../../core/chemometrics/physical-range.js";
import type { PlsCvResult } from "../../core/chemometrics/pls-regression.js";
import { conformalIntervals } from "../../core/stats/conformal.js";
import type { SplitName } from "../../core/stats/split.js";
import type { Table } from "../../core/table.js";
import { PredictionsBuilder } from "../../contracts/predictions.js";
import type { StepSplit } from "../shared/split-options.js";
import type { SpectraMatrix } from "../shared/spectra-matrix.js";
import type { PlsrOptions } from "./plsr-options.js";
import type { SampleColumns } from "./plsr-setup.js";

/** Every matrix row's prediction; back-transformed values stay inside the physical range (log-scale PLSR can extrapolate far). */
export function predictionsTable(
  sm: SpectraMatrix,
  s: SampleColumns,
  splitOf: readonly SplitName[],
  yHat: Float64Array,
  q: number,
  o: PlsrOptions,
): Table {
  const upper = o.target === "c" ? DEFAULT_PHYSICAL_RANGE.cMax : DEFAULT_PHYSICAL_RANGE.omMax;
  const pi = conformalIntervals(yHat, new Float64Array(sm.sampleRow.length).fill(1), q, Math.expm1, { lower: 0, upper });
  const rows = new PredictionsBuilder();
  sm.sampleRow.forEach((i, r) =>
    rows.push({
      sample_id: s.ids[i] ?? null,
      target: o.target,
      split: Number.isFinite(s.value[i]!) ? splitOf[i]! : "unlabelled",
      source: s.sources[i] ?? null,
      depth_top_cm: s.depth[i]!,
      observed: s.value[i]!,
      predicted: Math.min(upper, Math.max(0, Math.expm1(yHat[r]!))),
      sd: NaN,
      pi_low: pi.low[r]!,
      pi_high: pi.high[r]!,
      in_domain: null,
    }),
  );
  return rows.build();
}

export interface PlsrCounts {
  fitRows: number;
  calRows: number;
  excluded: number;
}

/** The `model_meta` json. */
export function plsrMeta(fit: PlsCvResult, sm: SpectraMatrix, split: StepSplit, q: number, c: PlsrCounts, o: PlsrOptions) {
  const p = sm.wavenumbers.length;
  return {
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
    conformal: { kind: "split, absolute log1p residual", n_cal: c.calRows, quantile_log1p: Number.isFinite(q) ? q : null },
    n_fit: c.fitRows,
    n_excluded: c.excluded,
    n_predicted: sm.sampleRow.length,
    grid: { n: p, first: sm.wavenumbers[0] ?? null, last: sm.wavenumbers[p - 1] ?? null },
  };
}

/** The run record. */
export function plsrRecord(fit: PlsCvResult, sm: SpectraMatrix, c: PlsrCounts, seconds: number) {
  return {
    plsr_components: fit.model.components,
    plsr_n_fit: c.fitRows,
    plsr_n_cal: c.calRows,
    plsr_no_spectrum: sm.missing,
    plsr_nonfinite_spectrum: sm.nonFinite,
    plsr_seconds: Math.round(seconds * 100) / 100,
  };
}

/** The closing log line. */
export function plsrLogLine(fit: PlsCvResult, sm: SpectraMatrix, c: PlsrCounts, o: PlsrOptions): string {
  return (
    `plsr ${o.target}: ${fit.model.components} components (rule ${fit.rule}), fit on ${c.fitRows}, ` +
    `cal ${c.calRows}, predicted ${sm.sampleRow.length}; ${sm.missing} samples without spectrum, ${sm.nonFinite} non-finite`
  );
}
