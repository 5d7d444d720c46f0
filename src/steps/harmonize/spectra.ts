/**
 * harmonize.spectra — removes instrument differences between sources, towards a reference
 * source; the science (methods, evidence, the diagnostics' meaning) is harmonizeSources in
 * src/core/harmonize/harmonize-sources.ts. Outputs `spectra`, tables `harmonization` (one row
 * per source: harmonizationDiagnostics), `pca_scores` (before/after, subsampled) and
 * `mean_spectra` (stage harmonized, then the input's as before).
 *
 * Options: spectra-options.ts; blocks, pairs and refusals: spectra-setup.ts; tables: spectra-outputs.ts.
 */
import { defineStep, StepInputError } from "../../engine/step.js";
import { harmonizeSources, type Harmonized } from "../../core/harmonize/harmonize-sources.js";
import { HarmonizeError } from "../../core/harmonize/harmonize-error.js";
import { pickInput } from "../shared/spectra-io.js";
import { coreOptions, harmonizeSpectraOptions } from "./spectra-options.js";
import { harmonizationTable, harmonizeLogLine, meanSpectra, pcaScoresTable } from "./spectra-outputs.js";
import { checkedBlocks, problemText, transferPairs } from "./spectra-setup.js";

export const harmonizeSpectra = defineStep({
  type: "harmonize.spectra",
  version: 2,
  description:
    "Align every source's spectra to a reference instrument (SST, PDS, EPO with transfer samples; a fitted instrument model or CORAL-in-PCA-space without).",
  options: harmonizeSpectraOptions,
  outputs: ["spectra", "harmonization", "pca_scores", "mean_spectra"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const src = pickInput(inputs, "spectra", ["spectra.preprocess"], o.spectra_from, "spectra_from");
    const read = (await src.spectra("spectra")).filter((b) => b.ids.length > 0);
    if (!read.length) throw new StepInputError(`input "${src.step}" has no spectra`);
    const { blocks, ref } = checkedBlocks(read, o);
    const pairs = await transferPairs(inputs, o);
    let h: Harmonized;
    try {
      h = harmonizeSources({ blocks, reference: ref, pairs }, coreOptions(o));
    } catch (e) {
      if (e instanceof HarmonizeError) throw new StepInputError(problemText(e.problem, o));
      throw e;
    }
    await ctx.outputs.spectra("spectra", h.blocks);
    await ctx.outputs.table("harmonization", harmonizationTable(h, blocks, ref, o));
    await ctx.outputs.table("pca_scores", pcaScoresTable(h, blocks, o));
    await ctx.outputs.table("mean_spectra", meanSpectra(h, blocks));
    ctx.record({ harmonize_method: o.method, harmonize_reference: ref.source, harmonize_components: o.components });
    ctx.log(harmonizeLogLine(h, ref, o));
  },
});
