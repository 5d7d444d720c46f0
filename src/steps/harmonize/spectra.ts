/**
 * harmonize.spectra — removes instrument differences between sources, towards a reference
 * source. Methods: `none`; with transfer samples (pairs of the same soil measured by the
 * reference and another source): `sst` (Du et al. 2011), `pds` (banded ridge windows + offset),
 * `epo` (projects every source off the transfer-difference directions); without them:
 * `instrument` (a 4-parameter physical instrument model — gain, wavenumber shift, baseline
 * offset and slope — fitted by nearest-neighbour matching to the reference, instrumentAlign;
 * leaves soil differences alone) and `coral` (mean + covariance alignment within the
 * reference's k PCs, pcaAlign; its mean shift also erases real soil differences between sources).
 * Evidence on the synthetic ring trial (test/steps/harmonize/synthetic.test.ts, bench/harmonize-synth.ts):
 * instrument, sst, pds, epo cut the same-soil distance ≥ 85 % and the PLSR bias ≥ 80 %; coral
 * cuts the distance ~70 % and can make the bias worse (organic boreal soils).
 *
 * Outputs `spectra`, tables `pca_scores` (before/after, subsampled), `mean_spectra` (stage harmonized, then the input's as before) and
 * `harmonization`, one row per source:
 * - distance_before/after: Mahalanobis distance of the source's centroid from the reference's
 *   in the reference's PCA space. Includes real soil differences; coral with mean_shift full
 *   sets it to 0 by construction, so "after" says what the method removed, not that it is right.
 * - nn_distance_before/after: mean Mahalanobis distance (same space) from each source spectrum to
 *   its nearest reference spectrum — do the spectra look like some reference soil? The reference
 *   row (nearest other reference spectrum) is the floor. No method fits it directly. On at most
 *   max_scores evenly spaced spectra of each source.
 * - pairs, pair_distance_before/after: same-soil pairs with the reference (transfer_csv /
 *   transfer_table if given — for any method, so a reference-free run can be scored on them —
 *   else ids shared with the reference): mean Euclidean distance between the two spectra of a
 *   soil. For sst/pds/epo "after" is out of fold (5 folds), never zero by construction. NaN
 *   without pairs.
 * - gain, shift_cm1, offset, slope: the fitted instrument model (method instrument; NaN else).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { matrixPca, pcaProject, type PcaModel } from "../../core/chemometrics/matrix-pca.js";
import { meanNearestDistance, pcaAlign, pcaCentroidDistance, whitenedScores } from "../../core/chemometrics/pca-align.js";
import { matrixSstApply, matrixSstFit } from "../../core/chemometrics/matrix-sst.js";
import { matrixPdsApply, matrixPdsFit } from "../../core/chemometrics/matrix-pds.js";
import { matrixEpoApply, matrixEpoFit } from "../../core/chemometrics/matrix-epo.js";
import { evenRows } from "../../core/chemometrics/even-rows.js";
import { IDENTITY, instrumentAlignApply, instrumentAlignFit, type InstrumentModel } from "../../core/chemometrics/instrument-align.js";
import { concatTables, textColumn, type Table } from "../../core/table.js";
import { meanSpectraTable, pickInput, subsampleIndices } from "../shared/spectra-io.js";

export const harmonizeSpectraOptions = z.strictObject({
  method: z.enum(["none", "sst", "pds", "coral", "epo", "instrument"]).default("coral"),
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
  instrument: z
    .strictObject({
      match: z.enum(["neighbours", "mean"]).default("neighbours"),
      trim: z.number().gt(0).max(1).default(0.8),
      iterations: z.number().int().min(1).default(15),
      /** Most spectra per source (and of the reference) the neighbour matching uses; the fit applies to all. */
      max_rows: z.number().int().min(10).default(2000),
    })
    .default({ match: "neighbours", trim: 0.8, iterations: 15, max_rows: 2000 }),
  /** CSV with columns reference_id, sample_id: transfer pairs (sst/pds/epo). */
  transfer_csv: z.string().optional(),
  /** Name of an upstream table output with columns reference_id, sample_id. */
  transfer_table: z.string().optional(),
  /** Fewest transfer pairs accepted per source. Default 10. */
  min_transfer: z.number().int().min(3).default(10),
  /** Spectra kept for the diagnostics: pca_scores (over all sources) and the nearest-reference distances (per source). */
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
  version: 2,
  description:
    "Align every source's spectra to a reference instrument (SST, PDS, EPO with transfer samples; a fitted instrument model or CORAL-in-PCA-space without).",
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
          throw new StepInputError(
            `source "${b.source}": spectrum "${b.ids[Math.floor(i / p)]}" has non-finite values; repair or drop it in spectra.preprocess`,
          );
        }
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
    const shape = (b: SpectraBlock) => ({ rows: b.ids.length, cols: p });
    const refModel = matrixPca(ref.values, { ...shape(ref), components: o.components });

    const transfer = o.method === "sst" || o.method === "pds" || o.method === "epo";
    const pairs = await transferPairs(inputs, o);
    const refRow = new Map(ref.ids.map((id, i) => [id, i]));
    /** Rows of the same soils in the reference (m) and in b (s): transfer pairs, else shared ids. */
    const matchPairs = (b: SpectraBlock): [number[], number[]] => {
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
      return [m, s];
    };
    const pairsFor = (b: SpectraBlock): [number[], number[]] => {
      const [m, s] = matchPairs(b);
      if (m.length < o.min_transfer) {
        const how = o.transfer_csv
          ? `option transfer_csv "${o.transfer_csv}"`
          : o.transfer_table
            ? `option transfer_table "${o.transfer_table}"`
            : "ids shared with the reference (no transfer_csv/transfer_table given)";
        throw new StepInputError(
          `source "${b.source}": ${m.length} transfer pair(s) match spectra of "${b.source}" and reference "${ref.source}" by ${how}; ` +
            `method ${o.method} needs at least min_transfer ${o.min_transfer} — check the ids (reference_id must be in "${ref.source}", sample_id in "${b.source}")`,
        );
      }
      return [m, s];
    };
    /** A source's correction fitted on the transfer pairs with the given indices (sst/pds). */
    const fitPairwise = (b: SpectraBlock, m: number[], s: number[]): ((x: Float32Array) => Float32Array) => {
      const xm = rowsOf(ref, m);
      const xs = rowsOf(b, s);
      const t = m.length;
      const sh = (x: Float32Array) => ({ rows: x.length / p, cols: p });
      if (o.method === "sst") {
        if (o.sst.components > t - 1)
          throw new StepInputError(`source "${b.source}": ${t} transfer pairs are too few for option sst.components ${o.sst.components}`);
        const model = matrixSstFit(xm, xs, { rows: t, cols: p, components: o.sst.components });
        return (x) => matrixSstApply(x, sh(x), model);
      }
      const model = matrixPdsFit(xm, xs, { rows: t, cols: p, halfWindow: o.pds.half_window, ridge: o.pds.ridge });
      return (x) => matrixPdsApply(x, sh(x), model);
    };
    const epoFit = (drop: (b: SpectraBlock, i: number) => boolean): Float64Array | null => {
      const ms: Float32Array[] = [];
      const ss: Float32Array[] = [];
      for (const b of blocks) {
        if (b === ref) continue;
        const [m, s] = pairsFor(b);
        const keep = m.flatMap((_, i) => (drop(b, i) ? [] : [i]));
        ms.push(
          rowsOf(
            ref,
            keep.map((i) => m[i]!),
          ),
        );
        ss.push(
          rowsOf(
            b,
            keep.map((i) => s[i]!),
          ),
        );
      }
      if (!ms.length) return null;
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
      return matrixEpoFit(cat(ms), cat(ss), { rows: t, cols: p, components: Math.min(o.epo.components, t) });
    };

    const out: SpectraBlock[] = [];
    const fitted = new Map<string, InstrumentModel>();
    const epoV = o.method === "epo" ? epoFit(() => false) : null;
    for (const b of blocks) {
      let values: Float32Array;
      try {
        if (o.method === "none") values = b.values;
        else if (o.method === "epo") values = epoV ? matrixEpoApply(b.values, shape(b), epoV) : b.values;
        else if (b === ref) values = b.values;
        else if (o.method === "coral") {
          if (b.ids.length < o.components + 2) {
            throw new StepInputError(
              `source "${b.source}" has ${b.ids.length} spectra: too few for coral with components ${o.components} (need ≥ ${o.components + 2}); lower option components or use method none for it`,
            );
          }
          values = pcaAlign(b.values, shape(b), refModel, { meanShift: o.coral.mean_shift, shrinkage: o.coral.shrinkage });
        } else if (o.method === "instrument") {
          const m = instrumentAlignFit(b.values, shape(b), b.wavenumbers, ref.values, shape(ref), refModel, {
            match: o.instrument.match,
            trim: o.instrument.trim,
            iterations: o.instrument.iterations,
            maxRows: o.instrument.max_rows,
          });
          fitted.set(b.source, m);
          values = instrumentAlignApply(b.values, shape(b), b.wavenumbers, m);
        } else {
          const [m, s] = pairsFor(b);
          values = fitPairwise(b, m, s)(b.values);
        }
      } catch (e) {
        if (e instanceof StepInputError) throw e;
        throw new StepInputError(`source "${b.source}", method ${o.method}: ${(e as Error).message}`);
      }
      out.push({ ...b, values });
    }
    const refAfter = out.find((b) => b.source === ref.source)!;
    const refModelAfter =
      refAfter.values === ref.values ? refModel : matrixPca(refAfter.values, { ...shape(refAfter), components: o.components });

    /**
     * Mean Euclidean distance between a source's and the reference's spectra of the same soils,
     * after harmonization; for the transfer methods out of fold (5 folds: each pair corrected by
     * a fit that did not see it), so it is never zero by construction.
     */
    const epoFolds = new Map<string, Float64Array | null>();
    const pairDistance = (bi: number, m: number[], s: number[], stage: "before" | "after"): number => {
      const b = blocks[bi]!;
      const dist = (x: Float32Array, y: Float32Array) => {
        let tot = 0;
        for (let i = 0; i < x.length / p; i++) {
          let d = 0;
          for (let j = 0; j < p; j++) d += (x[i * p + j]! - y[i * p + j]!) ** 2;
          tot += Math.sqrt(d);
        }
        return tot / (x.length / p);
      };
      if (stage === "before") return dist(rowsOf(b, s), rowsOf(ref, m));
      if (b === ref) return 0;
      if (!transfer) return dist(rowsOf(out[bi]!, s), rowsOf(refAfter, m));
      const folds = Math.min(5, m.length);
      let tot = 0;
      for (let f = 0; f < folds; f++) {
        const test = m.flatMap((_, i) => (i % folds === f ? [i] : []));
        const train = m.flatMap((_, i) => (i % folds === f ? [] : [i]));
        let xs: Float32Array;
        let xm: Float32Array;
        try {
          if (o.method === "epo") {
            // one global refit per fold, shared by all sources (fold f of every source held out)
            const key = `${folds}:${f}`;
            if (!epoFolds.has(key))
              epoFolds.set(
                key,
                epoFit((_, i) => i % folds === f),
              );
            const v = epoFolds.get(key)!;
            xs = v
              ? matrixEpoApply(
                  rowsOf(
                    b,
                    test.map((i) => s[i]!),
                  ),
                  { rows: test.length, cols: p },
                  v,
                )
              : rowsOf(
                  b,
                  test.map((i) => s[i]!),
                );
            xm = v
              ? matrixEpoApply(
                  rowsOf(
                    ref,
                    test.map((i) => m[i]!),
                  ),
                  { rows: test.length, cols: p },
                  v,
                )
              : rowsOf(
                  ref,
                  test.map((i) => m[i]!),
                );
          } else {
            xs = fitPairwise(
              b,
              train.map((i) => m[i]!),
              train.map((i) => s[i]!),
            )(
              rowsOf(
                b,
                test.map((i) => s[i]!),
              ),
            );
            xm = rowsOf(
              ref,
              test.map((i) => m[i]!),
            );
          }
        } catch {
          return NaN; // too few pairs in a training fold
        }
        tot += dist(xs, xm) * test.length;
      }
      return tot / m.length;
    };

    const hs: string[] = [];
    const before: number[] = [];
    const after: number[] = [];
    const nPairs: number[] = [];
    const pairBefore: number[] = [];
    const pairAfter: number[] = [];
    const nnBefore: number[] = [];
    const nnAfter: number[] = [];
    // Nearest-reference distances compare every source row with every reference row: on at most
    // max_scores evenly spaced rows of each (the same rows before and after), so they stay linear in n.
    const scoresOf = (values: Float32Array, model: PcaModel) => {
      const sub = evenRows(values, { rows: values.length / p, cols: p }, o.max_scores);
      return whitenedScores(sub.values, sub.shape, model);
    };
    const refScoresBefore = scoresOf(ref.values, refModel);
    const refScoresAfter = refModelAfter === refModel ? refScoresBefore : scoresOf(refAfter.values, refModelAfter);
    blocks.forEach((b, i) => {
      hs.push(b.source);
      before.push(pcaCentroidDistance(b.values, shape(b), refModel));
      after.push(pcaCentroidDistance(out[i]!.values, shape(b), refModelAfter));
      nnBefore.push(
        meanNearestDistance(b === ref ? refScoresBefore : scoresOf(b.values, refModel), refScoresBefore, refModel.k, b === ref),
      );
      nnAfter.push(
        meanNearestDistance(
          b === ref ? refScoresAfter : scoresOf(out[i]!.values, refModelAfter),
          refScoresAfter,
          refModelAfter.k,
          b === ref,
        ),
      );
      const [m, s] = b === ref ? [[], []] : matchPairs(b);
      nPairs.push(m.length);
      pairBefore.push(m.length ? pairDistance(i, m, s, "before") : NaN);
      pairAfter.push(m.length ? pairDistance(i, m, s, "after") : NaN);
    });
    const param = (f: (m: InstrumentModel) => number) =>
      Float64Array.from(hs, (h) => (fitted.has(h) ? f(fitted.get(h)!) : h === ref.source && o.method === "instrument" ? f(IDENTITY) : NaN));
    await ctx.outputs.spectra("spectra", out);
    await ctx.outputs.table("harmonization", {
      source: hs,
      method: hs.map(() => o.method),
      reference: hs.map(() => ref.source),
      n: Float64Array.from(blocks, (b) => b.ids.length),
      distance_before: Float64Array.from(before),
      distance_after: Float64Array.from(after),
      nn_distance_before: Float64Array.from(nnBefore),
      nn_distance_after: Float64Array.from(nnAfter),
      pairs: Float64Array.from(nPairs),
      pair_distance_before: Float64Array.from(pairBefore),
      pair_distance_after: Float64Array.from(pairAfter),
      gain: param((m) => m.gain),
      shift_cm1: param((m) => m.shift),
      offset: param((m) => m.offset),
      slope: param((m) => m.slope),
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
    // the input's means too (stage "before"), so the report can show both side by side
    await ctx.outputs.table("mean_spectra", concatTables([meanSpectraTable(out, "harmonized"), meanSpectraTable(blocks, "before")]));
    ctx.record({ harmonize_method: o.method, harmonize_reference: ref.source, harmonize_components: o.components });
    ctx.log(
      `${o.method} to "${ref.source}" (nearest-reference distance): ` +
        hs.map((s, i) => `${s} ${nnBefore[i]!.toFixed(2)}→${nnAfter[i]!.toFixed(2)}`).join(", "),
    );
  },
});
