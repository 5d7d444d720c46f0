/**
 * harmonize.spectra — removes instrument differences between sources, towards a reference
 * source; the science (methods, evidence, the diagnostics' meaning) is harmonizeSources in
 * src/core/harmonize/harmonize-sources.ts. Outputs `spectra`, tables `harmonization` (one row
 * per source: harmonizationDiagnostics), `pca_scores` (before/after, subsampled) and
 * `mean_spectra` (stage harmonized, then the input's as before).
 */
import { readFile } from "node:fs/promises";
import { defineStep, StepInputError, type StepInputs } from "../../engine/step.js";
import { offGridBlock, type SpectraBlock } from "../../core/spectra/block.js";
import { pcaProject, type PcaModel } from "../../core/chemometrics/matrix-pca.js";
import { harmonizeSources, type Harmonized } from "../../core/harmonize/harmonize-sources.js";
import { HarmonizeError, type HarmonizeProblem } from "../../core/harmonize/harmonize-error.js";
import { blockRows, type TransferPairs } from "../../core/harmonize/transfer-fit.js";
import { concatTables, textColumn, type Table } from "../../core/table.js";
import { meanSpectraTable, pickInput, subsampleIndices } from "../shared/spectra-io.js";
import { coreOptions, harmonizeSpectraOptions, type Opts } from "./spectra-options.js";

function parseCsv(text: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = lines[0]!.split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const cols: Record<string, string[]> = Object.fromEntries(head.map((h) => [h, []]));
  for (const l of lines.slice(1)) {
    const cells = l.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    head.forEach((h, i) => cols[h]!.push(cells[i] ?? ""));
  }
  return cols;
}

async function transferPairs(inputs: StepInputs, o: Opts): Promise<TransferPairs | null> {
  let table: Table | null = null;
  let where = "";
  if (o.transfer_csv) {
    where = `transfer_csv "${o.transfer_csv}"`;
    try {
      table = parseCsv(await readFile(o.transfer_csv, "utf8"));
    } catch (e) {
      throw new StepInputError(`option ${where}: cannot read it (${(e as Error).message})`);
    }
  } else if (o.transfer_table) {
    where = `transfer_table "${o.transfer_table}"`;
    const src = inputs.findAll(o.transfer_table);
    if (!src.length) throw new StepInputError(`option ${where}: no upstream step has a table of that name`);
    table = await src[0]!.table(o.transfer_table);
  }
  if (!table) return null;
  if (!table.reference_id || !table.sample_id) {
    throw new StepInputError(`option ${where}: needs columns reference_id and sample_id (found ${Object.keys(table).join(", ")})`);
  }
  const r = textColumn(table, "reference_id");
  const s = textColumn(table, "sample_id");
  return r.flatMap((id, i) => (id && s[i] ? [[id, s[i]!] as [string, string]] : []));
}

/** A core refusal in the words of this step's options. */
function problemText(p: HarmonizeProblem, o: Opts): string {
  switch (p.kind) {
    case "pairs": {
      const how = o.transfer_csv
        ? `option transfer_csv "${o.transfer_csv}"`
        : o.transfer_table
          ? `option transfer_table "${o.transfer_table}"`
          : "ids shared with the reference (no transfer_csv/transfer_table given)";
      return (
        `source "${p.source}": ${p.found} transfer pair(s) match spectra of "${p.source}" and reference "${p.reference}" by ${how}; ` +
        `method ${o.method} needs at least min_transfer ${p.needed} — check the ids (reference_id must be in "${p.reference}", sample_id in "${p.source}")`
      );
    }
    case "sst-components":
      return `source "${p.source}": ${p.pairs} transfer pairs are too few for option sst.components ${p.components}`;
    case "coral-rows":
      return `source "${p.source}" has ${p.rows} spectra: too few for coral with components ${p.components} (need ≥ ${p.components + 2}); lower option components or use method none for it`;
    case "fit":
      return `source "${p.source}", method ${o.method}: ${p.message}`;
  }
}

/** The input's blocks, refused unless on one grid and finite, and the reference among them. */
function checkedBlocks(blocks: SpectraBlock[], o: Opts): { blocks: SpectraBlock[]; ref: SpectraBlock } {
  for (const b of blocks) {
    if (offGridBlock([blocks[0]!, b]))
      throw new StepInputError(`source "${b.source}" is not on the common grid: run spectra.preprocess before harmonize.spectra`);
    const i = b.values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new StepInputError(
        `source "${b.source}": spectrum "${b.ids[Math.floor(i / b.wavenumbers.length)]}" has non-finite values; repair or drop it in spectra.preprocess`,
      );
    }
  }
  const ref =
    o.reference !== undefined
      ? blocks.find((b) => b.source === o.reference)
      : [...blocks].sort((a, b) => b.ids.length - a.ids.length || a.source.localeCompare(b.source))[0];
  if (!ref)
    throw new StepInputError(`option reference: source "${o.reference}" not found (sources: ${blocks.map((b) => b.source).join(", ")})`);
  const kMax = ref.ids.length - 2;
  if (o.components > kMax) {
    throw new StepInputError(
      `reference source "${ref.source}" has ${ref.ids.length} spectra: too few for option components ${o.components} (at most ${Math.max(kMax, 0)}); lower components`,
    );
  }
  return { blocks, ref };
}

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
    const d = h.diagnostics;
    await ctx.outputs.spectra("spectra", h.blocks);
    await ctx.outputs.table("harmonization", {
      source: d.source,
      method: d.source.map(() => o.method),
      reference: d.source.map(() => ref.source),
      n: Float64Array.from(blocks, (b) => b.ids.length),
      distance_before: d.distanceBefore,
      distance_after: d.distanceAfter,
      nn_distance_before: d.nnBefore,
      nn_distance_after: d.nnAfter,
      pairs: d.pairs,
      pair_distance_before: d.pairBefore,
      pair_distance_after: d.pairAfter,
      gain: d.gain,
      shift_cm1: d.shift,
      offset: d.offset,
      slope: d.slope,
    });
    const before = scoreTable(blocks, h.refModel, "before", o);
    const after = scoreTable(h.blocks, h.refModelAfter, "after", o);
    await ctx.outputs.table("pca_scores", concatTables([before, after]));
    // the input's means too (stage "before"), so the report can show both side by side
    await ctx.outputs.table("mean_spectra", concatTables([meanSpectraTable(h.blocks, "harmonized"), meanSpectraTable(blocks, "before")]));
    ctx.record({ harmonize_method: o.method, harmonize_reference: ref.source, harmonize_components: o.components });
    ctx.log(
      `${o.method} to "${ref.source}" (nearest-reference distance): ` +
        d.source.map((s, i) => `${s} ${d.nnBefore[i]!.toFixed(2)}→${d.nnAfter[i]!.toFixed(2)}`).join(", "),
    );
  },
});

/** PC1/PC2 of at most max_scores spectra (each source its share, seeded), for the report's scatter. */
function scoreTable(blocks: readonly SpectraBlock[], model: PcaModel, stage: string, o: Opts): Table {
  const ids: string[] = [];
  const srcs: string[] = [];
  const pc1: number[] = [];
  const pc2: number[] = [];
  const total = blocks.reduce((s, b) => s + b.ids.length, 0);
  for (const b of blocks) {
    const take = subsampleIndices(b.ids.length, Math.max(1, Math.floor((o.max_scores * b.ids.length) / Math.max(total, 1))), o.seed);
    const proj = pcaProject(blockRows(b, Array.from(take)), { rows: take.length, cols: b.wavenumbers.length }, model);
    take.forEach((r, i) => {
      ids.push(b.ids[r]!);
      srcs.push(b.source);
      pc1.push(proj.scores[i * model.k]!);
      pc2.push(model.k > 1 ? proj.scores[i * model.k + 1]! : NaN);
    });
  }
  return { sample_id: ids, source: srcs, pc1: Float64Array.from(pc1), pc2: Float64Array.from(pc2), stage: ids.map(() => stage) };
}
