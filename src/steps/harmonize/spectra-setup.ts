/**
 * What `harmonize.spectra` hands to harmonizeSources (src/core/harmonize/harmonize-sources.ts),
 * read from its inputs and options: the checked blocks and the reference, the transfer pairs
 * (`transfer_csv` or `transfer_table`), and the core's refusals in the words of the options.
 */
import { readFile } from "node:fs/promises";
import { StepInputError, type StepInputs } from "../../engine/step.js";
import { offGridBlock, type SpectraBlock } from "../../core/spectra/block.js";
import type { HarmonizeProblem } from "../../core/harmonize/harmonize-error.js";
import type { TransferPairs } from "../../core/harmonize/transfer-fit.js";
import { textColumn, type Table } from "../../core/table.js";
import type { Opts } from "./spectra-options.js";

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

/** The transfer pairs of `transfer_csv` or `transfer_table` (reference_id, sample_id), or null without either. */
export async function transferPairs(inputs: StepInputs, o: Opts): Promise<TransferPairs | null> {
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
export function problemText(p: HarmonizeProblem, o: Opts): string {
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
export function checkedBlocks(blocks: SpectraBlock[], o: Opts): { blocks: SpectraBlock[]; ref: SpectraBlock } {
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
