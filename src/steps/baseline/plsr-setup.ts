/**
 * What `baseline.plsr` fits on, read from its inputs and options: the samples' columns, which
 * spectrum rows fit (train+val) and calibrate (cal), the PLS1 fit on log1p(target) with its
 * CV-chosen components, and the split-conformal quantile of the absolute log1p residuals.
 */
import { requireTargetColumn } from "../shared/target-column.js";
import { plsPredict, plsRegressionCv } from "../../core/chemometrics/pls-regression.js";
import { conformalQuantile } from "../../core/stats/conformal.js";
import type { SplitName } from "../../core/stats/split.js";
import { numberColumn, tableRowCount, textColumn, type FlagColumn, type Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";
import type { SpectraMatrix } from "../shared/spectra-matrix.js";
import type { PlsrOptions } from "./plsr-options.js";

function flagColumn(table: Table, name: string, n: number): (boolean | null)[] {
  const c = table[name];
  if (c === undefined) return new Array<boolean | null>(n).fill(null);
  if (!Array.isArray(c)) throw new StepInputError(`samples column "${name}" must be a flag column`);
  return c as FlagColumn;
}

/** The samples' columns the step uses; refuses samples without the target's column. */
export function sampleColumns(samples: Table, o: PlsrOptions) {
  const n = tableRowCount(samples);
  const col = requireTargetColumn(samples, o.target);
  return {
    col,
    ids: textColumn(samples, "sample_id"),
    sources: samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null),
    depth: samples.depth_top_cm ? numberColumn(samples, "depth_top_cm") : new Float64Array(n).fill(NaN),
    value: numberColumn(samples, col),
    exclude: flagColumn(samples, "exclude_train", n),
  };
}

export type SampleColumns = ReturnType<typeof sampleColumns>;

/**
 * Matrix rows that fit (train+val) and calibrate (cal): labelled, non-negative, and not
 * excluded — except excluded cal rows when `cal_excluded`. `excluded` counts the rest.
 */
export function fitAndCalRows(sm: SpectraMatrix, s: SampleColumns, splitOf: readonly SplitName[], o: PlsrOptions) {
  const fitRows: number[] = [];
  const calRows: number[] = [];
  let excluded = 0;
  for (let k = 0; k < sm.sampleRow.length; k++) {
    const i = sm.sampleRow[k]!;
    const v = s.value[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < 0 || (s.exclude[i] === true && !(o.cal_excluded && splitOf[i] === "cal"))) {
      excluded++;
      continue;
    }
    const split = splitOf[i]!;
    if (split === "train" || split === "val") fitRows.push(k);
    else if (split === "cal") calRows.push(k);
  }
  return { fitRows, calRows, excluded };
}

/** PLS1 on log1p(target) of the fit rows, components by CV; ŷ (log1p scale) for every matrix row. */
export function fitPlsr(sm: SpectraMatrix, value: Float64Array, fitRows: readonly number[], o: PlsrOptions) {
  const p = sm.wavenumbers.length;
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
  return { fit, yHat: plsPredict(fit.model, sm.values) };
}

/** The split-conformal quantile of |log1p y − ŷ| over the cal rows (NaN without any). */
export function calQuantile(sm: SpectraMatrix, value: Float64Array, yHat: Float64Array, calRows: readonly number[], o: PlsrOptions) {
  const scores = Float64Array.from(calRows, (k) => Math.abs(Math.log1p(value[sm.sampleRow[k]!]!) - yHat[k]!));
  return calRows.length > 0 ? conformalQuantile(scores, o.pi_level) : NaN;
}
