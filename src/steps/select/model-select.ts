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
 *
 * Options: select-options.ts; target, variants, rows, folds and candidates: select-setup.ts; the
 * nested-CV run: select-cv.ts; tables and model_meta: select-outputs.ts.
 */
import { defineStep } from "../../engine/step.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";
import { foldSelections, nestedCvOptions, nestedSelection } from "./select-cv.js";
import { selectOptions } from "./select-options.js";
import { choicesTable, modelMeta, predictionsOf, selectionTable } from "./select-outputs.js";
import { candidatesOf, cnnFitterFor, labelledRows, outerFolds, sampleColumns, targetColumns, variantInputs } from "./select-setup.js";

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
    const { n, ids, value } = targetColumns(samples, o);
    const sm = spectraMatrix(blocks, ids);
    const variants = variantInputs(blocks, sm, o);
    const names = variants.map((v) => v.name);
    const rows = labelledRows(sm, value, o);
    const candidates = candidatesOf(names, o, await cnnFitterFor(o, variants, rows.labelled.length, ctx.threads));
    const { outer, labels } = outerFolds(samples, ids, sm, rows.labelled, o);

    const progress = ctx.progress("outer folds", labels.length + 1, "fold");
    const options = nestedCvOptions(o, (msg) => {
      ctx.log(msg);
      progress.tick();
    });
    const { res, final } = await nestedSelection(variants, rows, outer, candidates, options);
    progress.done();

    const columns = sampleColumns(samples, ids, n);
    await ctx.outputs.table("predictions", predictionsOf(res, final, rows.unlabelled, rows.y, outer, sm, columns, o));
    const folds = foldSelections(res, final, labels, rows.unlabelled.length);
    await ctx.outputs.table("selection", selectionTable(folds, candidates, names, o));
    await ctx.outputs.table("choices", choicesTable(folds, candidates));
    const counts = { folds: labels.length, labelled: rows.labelled.length, unlabelled: rows.unlabelled.length, negatives: rows.negatives };
    await ctx.outputs.json("model_meta", modelMeta(o, candidates, final, counts));
    ctx.record({
      select_final: candidates[final.chosen.candidate]!.name,
      select_candidates: candidates.length,
      select_n: rows.labelled.length,
      select_folds: labels.length,
    });
  },
});
