/**
 * The nested-CV run of `model.select` (src/core/select/nested-cv.ts): the core's options from
 * the step's, the outer folds' selections, then the same selection on every labelled row,
 * refitted on all, which predicts the unlabelled rows. The core's RangeErrors (what the data
 * cannot support) become StepInputErrors.
 */
import {
  nestedCv,
  selectAndFit,
  type Candidate,
  type NestedCvOptions,
  type NestedCvResult,
  type Selection,
  type VariantInput,
} from "../../core/select/nested-cv.js";
import { StepInputError } from "../../engine/step.js";
import type { SelectOptions } from "./select-options.js";
import type { FoldSelection } from "./select-outputs.js";

/** The core's options; `onProgress` gets each outer fold's closing line. */
export function nestedCvOptions(o: SelectOptions, onProgress: (msg: string) => void): NestedCvOptions {
  return {
    innerFolds: o.inner_folds,
    seed: o.seed,
    level: o.pi_level,
    score: o.score === "gkg" ? "identity" : "log1p",
    rule: o.rule,
    averageTop: o.average_top,
    innerRepeats: o.inner_repeats,
    clip: o.clip,
    onProgress,
  };
}

/** The outer folds' result and the final selection (fitted on `labelled`, predicting `unlabelled`). */
export async function nestedSelection(
  variants: readonly VariantInput[],
  rows: { y: Float64Array; labelled: readonly number[]; unlabelled: Int32Array },
  outer: Int32Array,
  candidates: readonly Candidate[],
  options: NestedCvOptions,
): Promise<{ res: NestedCvResult; final: Selection }> {
  let res: NestedCvResult;
  try {
    res = await nestedCv(variants, rows.y, outer, candidates, options);
  } catch (e) {
    if (e instanceof RangeError) throw new StepInputError(`nested CV: ${e.message}`);
    throw e;
  }
  const final = await selectAndFit(variants, rows.y, candidates, Int32Array.from(rows.labelled), rows.unlabelled, options);
  return { res, final };
}

/** One row per outer fold (by its label), then the final selection as fold "all". */
export function foldSelections(res: NestedCvResult, final: Selection, labels: readonly string[], nUnlabelled: number): FoldSelection[] {
  return [
    ...res.folds.map((f) => ({ fold: labels[f.fold]!, sel: f.selection, nTest: f.testRows.length })),
    { fold: "all", sel: final, nTest: nUnlabelled },
  ];
}
