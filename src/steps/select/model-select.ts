/**
 * `model.select`: model selection by nested cross-validation (src/core/select/nested-cv.ts).
 *
 * - Candidates: every preprocessing variant in `variants` (resolution or the native grid,
 *   range, excluded bands, Savitzky–Golay, normalization; src/core/select/spectra-variant.ts)
 *   × every family in `models` (`plsr`: components 1..max_components scored as settings;
 *   `mbl`: memory-based learning, src/core/chemometrics/mbl.ts) × every scale in `targets`
 *   (`log1p` or `gkg`).
 * - Input spectra: one grid for every block (the file's native grid is fine), any unit:
 *   reflectance is converted to absorbance (log10(1/R), log10(100/R%)) here, so the raw
 *   ingest output can be used directly and the variants decide the rest. `inputs:` picks the
 *   spectra when several needs provide them.
 * - Outer folds: `folds_from` (a samples column, e.g. LimeSoDa's `fold`) or `folds` equal
 *   folds drawn with `split_seed`; inner `inner_folds`-fold CV (seed `seed`) inside each outer
 *   training part. Labelled rows with a usable spectrum take part (exclude_train rows too: the
 *   selection has no QC policy of its own; filter upstream).
 * - Outputs: `predictions` (contract: each labelled sample once with split `test`, predicted by
 *   the model selected without its fold, 90 % CV+ interval; unlabelled samples predicted by the
 *   final model, split `unlabelled`), `selection` (every candidate × setting's inner RMSE per
 *   outer fold and for the final selection, fold = "all"), `choices` (the choice per fold),
 *   `model_meta` (protocol, final choice and, for PLSR, the final coefficients).
 */
import { nestedCv, selectAndFit, type NestedCvResult } from "../../core/select/nested-cv.js";
import { numberColumn, tableRowCount, textColumn } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";
import { selectOptions } from "./select-options.js";
import { choicesTable, modelMeta, predictionsOf, selectionTable, type FoldSelection } from "./select-outputs.js";
import { candidatesOf, cnnFitterFor, outerFolds, variantInputs } from "./select-setup.js";

export { selectOptions, type SelectOptions } from "./select-options.js";

export const modelSelectStep = defineStep({
  type: "model.select",
  version: 1,
  description: "Model selection by nested CV over preprocessing × model family × target scale (PLSR, MBL, CNN, stacks), CV+ intervals",
  options: selectOptions,
  outputs: ["predictions", "selection", "choices", "model_meta"],
  // Nested CV refits many models: a longer default time limit under SLURM.
  resources: { memMiB: 4096, timeMinutes: 240 },
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const samples = await inputs.find("samples").table("samples");
    const blocks = await inputs.find("spectra").spectra("spectra");
    const n = tableRowCount(samples);
    const col = o.target === "c" ? "c_gkg" : "om_gkg";
    if (!samples[col]) throw new StepInputError(`samples has no column "${col}" for option target=${o.target}`);
    const ids = textColumn(samples, "sample_id");
    const value = numberColumn(samples, col);
    const sm = spectraMatrix(blocks, ids);
    const m = sm.sampleRow.length;
    const variants = variantInputs(blocks, sm, o);

    // labelled rows (matrix rows with a finite, non-negative target) and their outer folds
    const y = Float64Array.from(sm.sampleRow, (i) => value[i]!);
    const labelled = Array.from({ length: m }, (_, k) => k).filter((k) => Number.isFinite(y[k]!) && y[k]! >= 0);
    const negatives = Array.from(y).filter((v) => v < 0).length;
    if (labelled.length < 2 * (o.inner_folds + 2)) {
      throw new StepInputError(
        `only ${labelled.length} labelled ${o.target} samples with a usable spectrum; nested CV needs at least ${2 * (o.inner_folds + 2)}`,
      );
    }
    const candidates = candidatesOf(
      variants.map((v) => v.name),
      o,
      await cnnFitterFor(o, variants, labelled.length, ctx.threads),
    );
    const { outer, labels } = outerFolds(samples, ids, sm, labelled, o);

    const progress = ctx.progress("outer folds", labels.length + 1, "fold");
    const options = {
      innerFolds: o.inner_folds,
      seed: o.seed,
      level: o.pi_level,
      score: o.score === "gkg" ? ("identity" as const) : ("log1p" as const),
      rule: o.rule,
      averageTop: o.average_top,
      innerRepeats: o.inner_repeats,
      clip: o.clip,
      onProgress: (msg: string) => {
        ctx.log(msg);
        progress.tick();
      },
    };
    let res: NestedCvResult;
    try {
      res = await nestedCv(variants, y, outer, candidates, options);
    } catch (e) {
      if (e instanceof RangeError) throw new StepInputError(`nested CV: ${e.message}`);
      throw e;
    }
    // final: the same selection on every labelled row, refitted on all; predicts the unlabelled
    const unlabelled = Int32Array.from(Array.from({ length: m }, (_, k) => k).filter((k) => !Number.isFinite(y[k]!)));
    const final = await selectAndFit(variants, y, candidates, Int32Array.from(labelled), unlabelled, options);
    progress.done();

    const columns = {
      ids,
      sources: samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null),
      depth: samples.depth_top_cm ? numberColumn(samples, "depth_top_cm") : new Float64Array(n).fill(NaN),
    };
    await ctx.outputs.table("predictions", predictionsOf(res, final, unlabelled, y, outer, sm, columns, o));
    const rows: FoldSelection[] = [
      ...res.folds.map((f) => ({ fold: labels[f.fold]!, sel: f.selection, nTest: f.testRows.length })),
      { fold: "all", sel: final, nTest: unlabelled.length },
    ];
    await ctx.outputs.table(
      "selection",
      selectionTable(
        rows,
        candidates,
        variants.map((v) => v.name),
        o,
      ),
    );
    await ctx.outputs.table("choices", choicesTable(rows, candidates));
    const counts = { folds: labels.length, labelled: labelled.length, unlabelled: unlabelled.length, negatives };
    await ctx.outputs.json("model_meta", modelMeta(o, candidates, final, counts));
    ctx.record({
      select_final: candidates[final.chosen.candidate]!.name,
      select_candidates: candidates.length,
      select_n: labelled.length,
      select_folds: labels.length,
    });
  },
});
