/**
 * What `harmonize.spectra` writes besides the spectra: `harmonization` (one row per source:
 * harmonizationDiagnostics), `pca_scores` (before/after, subsampled), `mean_spectra` (stage
 * harmonized, then the input's as before), and its closing log line.
 */
import type { SpectraBlock } from "../../core/spectra/block.js";
import { pcaProject, type PcaModel } from "../../core/chemometrics/matrix-pca.js";
import type { Harmonized } from "../../core/harmonize/harmonize-sources.js";
import { blockRows } from "../../core/harmonize/transfer-fit.js";
import { concatTables, type Table } from "../../core/table.js";
import { meanSpectraTable, subsampleIndices } from "../shared/spectra-io.js";
import type { Opts } from "./spectra-options.js";

/** One row per source: method, reference, size and the diagnostics. */
export function harmonizationTable(h: Harmonized, blocks: readonly SpectraBlock[], ref: SpectraBlock, o: Opts): Table {
  const d = h.diagnostics;
  return {
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
  };
}

/** PC scores before (input blocks, reference model) and after (harmonized blocks, model after). */
export function pcaScoresTable(h: Harmonized, blocks: readonly SpectraBlock[], o: Opts): Table {
  const before = scoreTable(blocks, h.refModel, "before", o);
  const after = scoreTable(h.blocks, h.refModelAfter, "after", o);
  return concatTables([before, after]);
}

/** Mean spectra: harmonized, then the input's (stage "before"), so the report can show both side by side. */
export function meanSpectra(h: Harmonized, blocks: readonly SpectraBlock[]): Table {
  return concatTables([meanSpectraTable(h.blocks, "harmonized"), meanSpectraTable(blocks, "before")]);
}

/** The closing log line: each source's nearest-reference distance before → after. */
export function harmonizeLogLine(h: Harmonized, ref: SpectraBlock, o: Opts): string {
  const d = h.diagnostics;
  return (
    `${o.method} to "${ref.source}" (nearest-reference distance): ` +
    d.source.map((s, i) => `${s} ${d.nnBefore[i]!.toFixed(2)}→${d.nnAfter[i]!.toFixed(2)}`).join(", ")
  );
}

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
