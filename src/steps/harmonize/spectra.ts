/**
 * harmonize.spectra — removes instrument differences between sources, towards a reference
 * source. Methods: `none`; with transfer samples (pairs of the same soil measured by the
 * reference and another source): `sst` (Du et al. 2011), `pds` (banded ridge windows + offset),
 * `epo` (projects every source off the transfer-difference directions); without them: `coral`
 * (mean + covariance alignment within the reference's k PCs, pcaAlign).
 * Outputs `spectra`, tables `harmonization` (Mahalanobis centroid distance to the reference in
 * the reference's PCA space, before/after), `pca_scores` (before/after, subsampled) and
 * `mean_spectra` (after).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { matrixPca, pcaProject, type PcaModel } from "../../core/chemometrics/matrix-pca.js";
import { pcaAlign, pcaCentroidDistance } from "../../core/chemometrics/pca-align.js";
import { matrixSstApply, matrixSstFit } from "../../core/chemometrics/matrix-sst.js";
import { matrixPdsApply, matrixPdsFit } from "../../core/chemometrics/matrix-pds.js";
import { matrixEpoApply, matrixEpoFit } from "../../core/chemometrics/matrix-epo.js";
import { textColumn, type Table } from "../../core/table.js";
import { meanSpectraTable, pickInput, subsampleIndices } from "../spectra/step-io.js";

export const harmonizeSpectraOptions = z.strictObject({
  method: z.enum(["none", "sst", "pds", "coral", "epo"]).default("coral"),
  /** Reference (master) source; default the source with most spectra. */
  reference: z.string().optional(),
  /** Reference PCA components for coral and for the distance metric. Default 10. */
  components: z.number().int().min(1).default(10),
  sst: z.strictObject({ components: z.number().int().min(1).default(5) }).default({ components: 5 }),
  pds: z
    .strictObject({ half_window: z.number().int().min(0).default(5), ridge: z.number().min(0).default(0.01) })
    .default({ half_window: 5, ridge: 0.01 }),
  epo: z.strictObject({ components: z.number().int().min(1).default(2) }).default({ components: 2 }),
  coral: z
    .strictObject({ mean_shift: z.enum(["full", "none"]).default("full"), shrinkage: z.number().min(0).default(1e-3) })
    .default({ mean_shift: "full", shrinkage: 1e-3 }),
  /** CSV with columns reference_id, sample_id: transfer pairs (sst/pds/epo). */
  transfer_csv: z.string().optional(),
  /** Name of an upstream table output with columns reference_id, sample_id. */
  transfer_table: z.string().optional(),
  /** Fewest transfer pairs accepted per source. Default 10. */
  min_transfer: z.number().int().min(3).default(10),
  max_scores: z.number().int().min(1).default(5000),
  seed: z.number().int().default(1),
  spectra_from: z.string().optional(),
});

type Opts = z.output<typeof harmonizeSpectraOptions>;

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

async function transferPairs(inputs: Parameters<(typeof harmonizeSpectra)["run"]>[1], o: Opts): Promise<[string, string][] | null> {
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

function rowsOf(block: SpectraBlock, rows: readonly number[]): Float32Array {
  const p = block.wavenumbers.length;
  const out = new Float32Array(rows.length * p);
  rows.forEach((r, i) => out.set(block.values.subarray(r * p, (r + 1) * p), i * p));
  return out;
}

export const harmonizeSpectra = defineStep({
  type: "harmonize.spectra",
  version: 1,
  description: "Align every source's spectra to a reference instrument (SST, PDS, EPO with transfer samples; CORAL-in-PCA-space without).",
  options: harmonizeSpectraOptions,
  outputs: ["spectra", "harmonization", "pca_scores", "mean_spectra"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const src = pickInput(inputs, "spectra", ["spectra.preprocess"], o.spectra_from, "spectra_from");
    const blocks = (await src.spectra("spectra")).filter((b) => b.ids.length > 0);
    if (!blocks.length) throw new StepInputError(`input "${src.step}" has no spectra`);
    const p = blocks[0]!.wavenumbers.length;
    for (const b of blocks) {
      if (b.wavenumbers.length !== p || b.wavenumbers.some((w, j) => Math.abs(w - blocks[0]!.wavenumbers[j]!) > 1e-6)) {
        throw new StepInputError(`source "${b.source}" is not on the common grid: run spectra.preprocess before harmonize.spectra`);
      }
      for (let i = 0; i < b.values.length; i++) {
        if (!Number.isFinite(b.values[i]!)) {
          throw new StepInputError(`source "${b.source}": spectrum "${b.ids[Math.floor(i / p)]}" has non-finite values; repair or drop it in spectra.preprocess`);
        }
      }
    }
    const ref =
      o.reference !== undefined
        ? blocks.find((b) => b.source === o.reference)
        : [...blocks].sort((a, b) => b.ids.length - a.ids.length || a.source.localeCompare(b.source))[0];
    if (!ref) throw new StepInputError(`option reference: source "${o.reference}" not found (sources: ${blocks.map((b) => b.source).join(", ")})`);
    const kMax = ref.ids.length - 2;
    if (o.components > kMax) {
      throw new StepInputError(`reference source "${ref.source}" has ${ref.ids.length} spectra: too few for option components ${o.components} (at most ${Math.max(kMax, 0)}); lower components`);
    }
    const shape = (b: SpectraBlock) => ({ rows: b.ids.length, cols: p });
    const refModel = matrixPca(ref.values, { ...shape(ref), components: o.components });

    const pairs = o.method === "sst" || o.method === "pds" || o.method === "epo" ? await transferPairs(inputs, o) : null;
    const pairsFor = (b: SpectraBlock): [number[], number[]] => {
      const refRow = new Map(ref.ids.map((id, i) => [id, i]));
      const row = new Map(b.ids.map((id, i) => [id, i]));
      const list = pairs ?? ref.ids.filter((id) => row.has(id)).map((id) => [id, id] as [string, string]);
      const m: number[] = [];
      const s: number[] = [];
      for (const [r, x] of list) {
        if (refRow.has(r) && row.has(x)) {
          m.push(refRow.get(r)!);
          s.push(row.get(x)!);
        }
      }
      if (m.length < o.min_transfer) {
        const how = o.transfer_csv ? `option transfer_csv "${o.transfer_csv}"` : o.transfer_table ? `option transfer_table "${o.transfer_table}"` : "ids shared with the reference (no transfer_csv/transfer_table given)";
        throw new StepInputError(
          `source "${b.source}": ${m.length} transfer pair(s) match spectra of "${b.source}" and reference "${ref.source}" by ${how}; ` +
            `method ${o.method} needs at least min_transfer ${o.min_transfer} — check the ids (reference_id must be in "${ref.source}", sample_id in "${b.source}")`,
        );
      }
      return [m, s];
    };

    const out: SpectraBlock[] = [];
    let epoV: Float64Array | null = null;
    if (o.method === "epo") {
      const ms: Float32Array[] = [];
      const ss: Float32Array[] = [];
      for (const b of blocks) {
        if (b === ref) continue;
        const [m, s] = pairsFor(b);
        ms.push(rowsOf(ref, m));
        ss.push(rowsOf(b, s));
      }
      if (ms.length) {
        const t = ms.reduce((a, x) => a + x.length / p, 0);
        const cat = (xs: Float32Array[]) => {
          const v = new Float32Array(t * p);
          let off = 0;
          for (const x of xs) {
            v.set(x, off);
            off += x.length;
          }
          return v;
        };
        epoV = matrixEpoFit(cat(ms), cat(ss), { rows: t, cols: p, components: Math.min(o.epo.components, t) });
      }
    }
    for (const b of blocks) {
      let values: Float32Array;
      try {
        if (o.method === "none") values = b.values;
        else if (o.method === "epo") values = epoV ? matrixEpoApply(b.values, shape(b), epoV) : b.values;
        else if (b === ref) values = b.values;
        else if (o.method === "coral") {
          if (b.ids.length < o.components + 2) {
            throw new StepInputError(`source "${b.source}" has ${b.ids.length} spectra: too few for coral with components ${o.components} (need ≥ ${o.components + 2}); lower option components or use method none for it`);
          }
          values = pcaAlign(b.values, shape(b), refModel, { meanShift: o.coral.mean_shift, shrinkage: o.coral.shrinkage });
        } else {
          const [m, s] = pairsFor(b);
          const xm = rowsOf(ref, m);
          const xs = rowsOf(b, s);
          const t = m.length;
          if (o.method === "sst") {
            if (o.sst.components > t - 1) throw new StepInputError(`source "${b.source}": ${t} transfer pairs are too few for option sst.components ${o.sst.components}`);
            values = matrixSstApply(b.values, shape(b), matrixSstFit(xm, xs, { rows: t, cols: p, components: o.sst.components }));
          } else {
            values = matrixPdsApply(b.values, shape(b), matrixPdsFit(xm, xs, { rows: t, cols: p, halfWindow: o.pds.half_window, ridge: o.pds.ridge }));
          }
        }
      } catch (e) {
        if (e instanceof StepInputError) throw e;
        throw new StepInputError(`source "${b.source}", method ${o.method}: ${(e as Error).message}`);
      }
      out.push({ ...b, values });
    }
    const refAfter = out.find((b) => b.source === ref.source)!;
    const refModelAfter = refAfter.values === ref.values ? refModel : matrixPca(refAfter.values, { ...shape(refAfter), components: o.components });

    const hs: string[] = [];
    const before: number[] = [];
    const after: number[] = [];
    blocks.forEach((b, i) => {
      hs.push(b.source);
      before.push(pcaCentroidDistance(b.values, shape(b), refModel));
      after.push(pcaCentroidDistance(out[i]!.values, shape(b), refModelAfter));
    });
    await ctx.outputs.spectra("spectra", out);
    await ctx.outputs.table("harmonization", {
      source: hs,
      method: hs.map(() => o.method),
      reference: hs.map(() => ref.source),
      n: Float64Array.from(blocks, (b) => b.ids.length),
      distance_before: Float64Array.from(before),
      distance_after: Float64Array.from(after),
    });
    const scores = (bs: SpectraBlock[], model: PcaModel, stage: string, seed: number): Table => {
      const ids: string[] = [];
      const srcs: string[] = [];
      const pc1: number[] = [];
      const pc2: number[] = [];
      const total = bs.reduce((s, b) => s + b.ids.length, 0);
      for (const b of bs) {
        const take = subsampleIndices(b.ids.length, Math.max(1, Math.floor((o.max_scores * b.ids.length) / Math.max(total, 1))), seed);
        const sub = rowsOf(b, Array.from(take));
        const proj = pcaProject(sub, { rows: take.length, cols: p }, model);
        take.forEach((r, i) => {
          ids.push(b.ids[r]!);
          srcs.push(b.source);
          pc1.push(proj.scores[i * model.k]!);
          pc2.push(model.k > 1 ? proj.scores[i * model.k + 1]! : NaN);
        });
      }
      return { sample_id: ids, source: srcs, pc1: Float64Array.from(pc1), pc2: Float64Array.from(pc2), stage: ids.map(() => stage) };
    };
    const sb = scores(blocks, refModel, "before", o.seed);
    const sa = scores(out, refModelAfter, "after", o.seed);
    const cat: Table = {};
    for (const key of Object.keys(sb)) {
      const x = sb[key]!;
      const y = sa[key]!;
      cat[key] = x instanceof Float64Array ? Float64Array.from([...x, ...(y as Float64Array)]) : [...(x as string[]), ...(y as string[])];
    }
    await ctx.outputs.table("pca_scores", cat);
    await ctx.outputs.table("mean_spectra", meanSpectraTable(out, "harmonized"));
    ctx.record({ harmonize_method: o.method, harmonize_reference: ref.source, harmonize_components: o.components });
    ctx.log(
      `${o.method} to "${ref.source}": ` + hs.map((s, i) => `${s} ${before[i]!.toFixed(2)}→${after[i]!.toFixed(2)}`).join(", "),
    );
  },
});
