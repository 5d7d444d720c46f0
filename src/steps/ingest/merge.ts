/**
 * `library.merge`: every `needs` input with `samples` + `spectra` becomes one library.
 * Sample ids that clash across sources are prefixed with the source, or the merge is refused.
 * A `truth` output among the inputs (synthetic libraries) is merged alongside.
 */
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import { MergeError, mergeLibraries, type LibraryPart } from "../../formats/merge.js";

export const mergeOptions = z.strictObject({
  duplicates: z.enum(["prefix", "reject"]).default("prefix"),
});

export const libraryMergeStep = defineStep({
  type: "library.merge",
  version: 1,
  description: "Concatenate several ingested libraries (samples, spectra blocks, truth); resolve sample ids that clash across sources",
  options: mergeOptions,
  outputs: ["samples", "spectra", "truth", "merge_report"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const withSamples = inputs.findAll("samples");
    if (withSamples.length === 0)
      throw new StepInputError("library.merge needs at least one input step with a samples output (add ingest steps to needs)");
    const parts: LibraryPart[] = [];
    for (const a of withSamples) {
      if (!a.has("spectra")) throw new StepInputError(`input "${a.step}" has samples but no spectra output`);
      parts.push({
        name: a.step,
        samples: await a.table("samples"),
        blocks: await a.spectra("spectra"),
        ...(a.has("truth") ? { truth: await a.table("truth") } : {}),
      });
    }
    let merged;
    try {
      merged = mergeLibraries(parts, o.duplicates);
    } catch (e) {
      if (e instanceof MergeError) throw new StepInputError(e.message);
      throw e;
    }
    const r = merged.report;
    ctx.log(`${r.rows} samples from ${parts.length} inputs (${r.parts.map((p) => `${p.step} ${p.rows}`).join(", ")})`);
    if (r.duplicate_ids > 0) {
      ctx.log(
        `warning: ${r.duplicate_ids} ids clash across sources; ${r.renamed_rows} rows renamed "<source>:<id>", e.g. ${r.duplicate_examples
          .slice(0, 3)
          .map((e) => e.id)
          .join(", ")}`,
      );
    }
    ctx.record({ rows: r.rows, duplicate_ids: r.duplicate_ids, renamed_rows: r.renamed_rows });
    await ctx.outputs.table("samples", merged.samples);
    await ctx.outputs.spectra("spectra", merged.blocks);
    if (merged.truth) await ctx.outputs.table("truth", merged.truth);
    await ctx.outputs.json("merge_report", r);
  },
});
