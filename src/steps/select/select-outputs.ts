/**
 * The tables and metadata `model.select` writes, from the nested-CV result: `predictions` (the
 * shared contract, src/contracts/predictions.ts), `selection`, `choices` and `model_meta`.
 */
import { DEFAULT_PHYSICAL_RANGE } from "../../core/chemometrics/physical-range.js";
import { plsPathCoefficients } from "../../core/chemometrics/pls-nipals.js";
import { isStack, type Candidate, type FittedModel, type NestedCvResult, type Selection } from "../../core/select/nested-cv.js";
import type { Table } from "../../core/table.js";
import { PredictionsBuilder, type PredictionsTable } from "../../contracts/predictions.js";
import type { SpectraMatrix } from "../shared/spectra-matrix.js";
import type { SelectOptions } from "./select-options.js";

/** One selection: an outer fold's (by label) or the final one ("all"), with the rows it predicted. */
export interface FoldSelection {
  fold: string;
  sel: Selection;
  nTest: number;
}

/** The samples' identity columns, per samples row. */
export interface SampleColumns {
  ids: readonly (string | null)[];
  sources: readonly (string | null)[];
  depth: Float64Array;
}

/**
 * Every labelled sample once (split `test`, from its outer fold's selection) and every
 * unlabelled one (split `unlabelled`, from the final model); clamped to the physical range.
 * Negative targets are labelled but not selectable: left out rather than given a made-up split.
 */
export function predictionsOf(
  res: NestedCvResult,
  final: Selection,
  unlabelled: Int32Array,
  y: Float64Array,
  outer: Int32Array,
  sm: SpectraMatrix,
  s: SampleColumns,
  o: SelectOptions,
): PredictionsTable {
  const m = y.length;
  const upper = o.target === "c" ? DEFAULT_PHYSICAL_RANGE.cMax : DEFAULT_PHYSICAL_RANGE.omMax;
  const clamp = (v: number) => (Number.isFinite(v) ? Math.min(upper, Math.max(0, v)) : v);
  const clampHigh = (v: number) => (v === Infinity ? Infinity : clamp(v));
  const predicted = Float64Array.from(res.predicted, clamp);
  const low = Float64Array.from(res.low, clamp);
  const high = Float64Array.from(res.high, clampHigh);
  unlabelled.forEach((k, r) => {
    predicted[k] = clamp(final.predicted[r]!);
    low[k] = clamp(final.low[r]!);
    high[k] = clampHigh(final.high[r]!);
  });
  const out = new PredictionsBuilder();
  for (let k = 0; k < m; k++) {
    const split = !Number.isFinite(y[k]!) ? "unlabelled" : outer[k]! >= 0 ? "test" : null;
    if (split === null) continue;
    const i = sm.sampleRow[k]!;
    out.push({
      sample_id: s.ids[i] ?? null,
      target: o.target,
      split,
      source: s.sources[i] ?? null,
      depth_top_cm: s.depth[i]!,
      observed: y[k]!,
      predicted: predicted[k]!,
      sd: NaN,
      pi_low: low[k]!,
      pi_high: high[k]!,
      in_domain: null,
    });
  }
  return out.build();
}

/** Every candidate × setting's inner RMSE and SE per selection, and whether it was chosen. */
export function selectionTable(
  rows: readonly FoldSelection[],
  candidates: readonly Candidate[],
  names: readonly string[],
  o: SelectOptions,
): Table {
  const sel = {
    fold: [] as string[],
    candidate: [] as string[],
    variant: [] as string[],
    model: [] as string[],
    target_scale: [] as string[],
    setting: [] as number[],
    inner_rmse: [] as number[],
    inner_se: [] as number[],
    chosen: [] as boolean[],
  };
  for (const { fold, sel: s } of rows) {
    for (const r of s.scores) {
      const c = candidates[r.candidate]!;
      sel.fold.push(fold);
      sel.candidate.push(c.name);
      // a stack: its bases' variants are in its bases' rows; its scale is the score's
      sel.variant.push(isStack(c) ? "" : names[c.variant]!);
      sel.model.push(isStack(c) ? "stack" : c.model.family);
      sel.target_scale.push(isStack(c) ? o.score : c.target === "identity" ? "gkg" : "log1p");
      sel.setting.push(r.setting);
      sel.inner_rmse.push(r.rmse);
      sel.inner_se.push(r.se);
      sel.chosen.push((s.members ?? [s.chosen]).some((m) => r.candidate === m.candidate && r.setting === m.setting));
    }
  }
  return {
    ...sel,
    setting: Float64Array.from(sel.setting),
    inner_rmse: Float64Array.from(sel.inner_rmse),
    inner_se: Float64Array.from(sel.inner_se),
  };
}

/** The choice per selection; an average lists its members, best first. */
export function choicesTable(rows: readonly FoldSelection[], candidates: readonly Candidate[]): Table {
  return {
    fold: rows.map((r) => r.fold),
    candidate: rows.map((r) => (r.sel.members ?? [r.sel.chosen]).map((m) => candidates[m.candidate]!.name).join(" + ")),
    setting: Float64Array.from(rows, (r) => r.sel.chosen.setting),
    inner_rmse: Float64Array.from(rows, (r) => r.sel.chosen.rmse),
    n_train: Float64Array.from(rows, (r) => r.sel.nTrain),
    n_test: Float64Array.from(rows, (r) => r.nTest),
  };
}

/** model_meta: the protocol, the candidates, the counts and the final model. */
export function modelMeta(
  o: SelectOptions,
  candidates: readonly Candidate[],
  final: Selection,
  counts: { folds: number; labelled: number; unlabelled: number; negatives: number },
): Record<string, unknown> {
  const chosen = candidates[final.chosen.candidate]!;
  return {
    model: "model.select",
    target: o.target,
    protocol: {
      outer: o.folds_from !== undefined ? { folds_from: o.folds_from, folds: counts.folds } : { folds: o.folds, split_seed: o.split_seed },
      inner_folds: o.inner_folds,
      seed: o.seed,
      score: `RMSE of inner out-of-fold predictions on the ${o.score} scale, rule ${o.rule}, ${o.inner_repeats} repeat(s)`,
      clip_to_training_range: o.clip,
      intervals: `CV+ (Barber et al. 2021) at ${o.pi_level}, from each outer fold's inner CV`,
    },
    candidates: candidates.map((c) => c.name),
    variants: o.variants,
    n_labelled: counts.labelled,
    n_unlabelled: counts.unlabelled,
    n_negative_target_left_out: counts.negatives,
    final: {
      candidate: chosen.name,
      setting: final.chosen.setting,
      inner_rmse: final.chosen.rmse,
      ...finalModelJson(final.model, (ci) => candidates[ci]!.name, final, final.chosen),
    },
  };
}

type Chosen = { candidate: number; setting: number; rmse: number };

/** The final model in model_meta: PLSR coefficients, MBL or CNN settings, a stack's weighted bases or an average's members. */
function finalModelJson(model: FittedModel, nameOf: (candidate: number) => string, sel: Selection, self?: Chosen): Record<string, unknown> {
  const label = (c: Chosen | undefined) => (c ? { candidate: nameOf(c.candidate), setting: c.setting, inner_rmse: c.rmse } : {});
  switch (model.family) {
    case "plsr":
      return {
        components: model.components,
        x_mean: Array.from(model.path.xMean),
        y_mean: model.path.yMean,
        coefficients: Array.from(plsPathCoefficients(model.path, model.components)),
      };
    case "mbl":
      return { k: model.model.k, pca_components: model.model.m, nnv: model.model.nnv };
    case "cnn":
      return { cnn: model.describe };
    case "stack": {
      const bases = sel.stacks?.find((s) => s.candidate === self?.candidate)?.bases;
      return {
        stack_of: model.members.map((m, j) => ({
          weight: model.weights[j],
          ...label(bases?.[j]),
          ...finalModelJson(m.model, nameOf, sel),
        })),
        weights_fitted_on: model.score === "log1p" ? "log1p" : "gkg",
      };
    }
    case "average":
      return {
        average_of: model.members.map((m, j) => ({
          ...label(sel.members?.[j]),
          ...finalModelJson(m.model, nameOf, sel, sel.members?.[j]),
        })),
        averaged_on: model.score === "log1p" ? "log1p" : "gkg",
      };
  }
}
