/**
 * spectra.preprocess — every source onto one grid, as preprocessed absorbance.
 * Per block: scan-defect checks on the native grid (inside the common range) → NaN repair →
 * resample (linear, no extrapolation) → reflectance → absorbance → Savitzky–Golay → region
 * exclusion (e.g. CO2) → normalization. Inputs: `spectra` and `samples` (CONTRACTS).
 * Outputs: `spectra`, json `grid`, tables `preprocess_log` and `mean_spectra`.
 */
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import { blockShape, type SpectraBlock } from "../../core/spectra/block.js";
import { commonGrid, gridKeepIndices } from "../../core/spectra/common-grid.js";
import { resamplePlan, xResample } from "../../core/spectra/x-resample.js";
import { xAbsorbance } from "../../core/spectra/x-absorbance.js";
import { xRepairNaN } from "../../core/spectra/x-repair-nan.js";
import { NORMALIZE_METHODS, xNormalize } from "../../core/spectra/x-normalize.js";
import { savitzkyGolayFilter } from "../../core/spectra/x-savitzky-golay.js";
import { matrixScanDefects } from "../../core/spectra/scan-defects.js";
import { textColumn } from "../../core/table.js";
import { meanSpectraTable, pickInput } from "../shared/spectra-io.js";

const region = z.tuple([z.number(), z.number()]);

export const preprocessOptions = z.strictObject({
  /**
   * Common grid, cm-1 (default 600–4000 every 4 → 851 points), or "native": the first block's
   * own wavenumbers (ascending), every other block resampled onto them — a file's measured grid
   * and range as they are (pair with `exclude: []` to keep the CO2 band too).
   */
  grid: z
    .union([
      z.literal("native"),
      z.strictObject({ from: z.number().default(600), to: z.number().default(4000), step: z.number().positive().default(4) }),
    ])
    .default({ from: 600, to: 4000, step: 4 }),
  /** `error` (default): a source not covering the grid is an error; `trim`: cut the grid to the range all sources cover. */
  out_of_range: z.enum(["error", "trim"]).default("error"),
  /** Regions removed after smoothing, [lo, hi] cm-1. Default the CO2 band [[2300, 2400]]. */
  exclude: z.array(region).default([[2300, 2400]]),
  /** Savitzky–Golay smoothing/derivative on the common grid; null = off (default). */
  savgol: z
    .strictObject({
      window: z.number().int().min(3).default(11),
      polyorder: z.number().int().min(0).default(2),
      deriv: z.number().int().min(0).default(0),
    })
    .nullable()
    .default(null),
  /** Per-spectrum normalization after exclusion. Default none (absorbance kept). */
  normalize: z.enum(NORMALIZE_METHODS as [string, ...string[]]).default("none"),
  /** Spectra with defects found on the native grid (flat/saturated/spike) are kept and logged (default) or dropped. */
  on_defect: z.enum(["keep", "drop"]).default("keep"),
  /** Step name to take `spectra`/`samples` from when several needs provide them. */
  from: z.string().optional(),
});

export type PreprocessOptions = z.output<typeof preprocessOptions>;

function blockRange(b: SpectraBlock): [number, number] {
  const w = b.wavenumbers;
  return [Math.min(w[0]!, w[w.length - 1]!), Math.max(w[0]!, w[w.length - 1]!)];
}

export const spectraPreprocess = defineStep({
  type: "spectra.preprocess",
  version: 1,
  description: "Resample every source to a common grid, convert to absorbance, smooth/derive, trim regions, normalize.",
  options: preprocessOptions,
  outputs: ["spectra", "grid", "preprocess_log", "mean_spectra"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const src = pickInput(inputs, "spectra", ["spectra.preprocess"], o.from, "from");
    const blocks = await src.spectra("spectra");
    const samplesIn = inputs.findAll("samples");
    const samples = samplesIn.length ? await pickInput(inputs, "samples", [], o.from, "from").table("samples", ["sample_id"]) : null;
    if (blocks.length === 0) throw new StepInputError(`input "${src.step}" has no spectra blocks`);

    let grid: Float64Array;
    try {
      grid = o.grid === "native" ? Float64Array.from(blocks[0]!.wavenumbers).sort() : commonGrid(o.grid);
    } catch (e) {
      throw new StepInputError(`option grid: ${(e as Error).message}`);
    }
    const ranges = blocks.map(blockRange);
    const uncovered = blocks.filter((_, b) => ranges[b]![0] > grid[0]! + 1e-6 || ranges[b]![1] < grid[grid.length - 1]! - 1e-6);
    if (uncovered.length) {
      if (o.out_of_range === "error") {
        throw new StepInputError(
          `grid ${grid[0]}–${grid[grid.length - 1]} cm-1 is not covered by source(s) ` +
            uncovered.map((b) => `"${b.source}" (${blockRange(b).join("–")} cm-1)`).join(", ") +
            `: no extrapolation. Set option grid.from/grid.to inside every source's range, or out_of_range: trim`,
        );
      }
      const disjoint = blocks.filter((_, b) => ranges[b]![1] <= grid[0]! || ranges[b]![0] >= grid[grid.length - 1]!);
      if (disjoint.length > 0) {
        throw new StepInputError(
          `source(s) ${disjoint.map((b) => `"${b.source}" (${blockRange(b).join("–")} cm-1)`).join(", ")} do not overlap the grid ${grid[0]}–${grid[grid.length - 1]} cm-1 at all: remove them or set option grid to their range`,
        );
      }
      const lo = Math.max(...ranges.map((r) => r[0]));
      const hi = Math.min(...ranges.map((r) => r[1]));
      const before = grid.length;
      grid = grid.filter((w) => w >= lo - 1e-6 && w <= hi + 1e-6);
      if (grid.length < 10) {
        throw new StepInputError(
          `out_of_range: trim leaves ${grid.length} grid points (common range ${lo}–${hi} cm-1): check the sources' grids`,
        );
      }
      ctx.log(
        `grid trimmed to ${grid[0]}–${grid[grid.length - 1]} cm-1 (${grid.length} of ${before} points) to fit ${uncovered.map((b) => b.source).join(", ")}`,
      );
    }
    const keep = gridKeepIndices(grid, o.exclude);
    if (keep.length < 5) throw new StepInputError(`option exclude removes all but ${keep.length} grid points`);
    const outGrid = Float64Array.from(keep, (j) => grid[j]!);
    const sg = o.savgol
      ? (() => {
          try {
            return savitzkyGolayFilter(grid.length, {
              windowSize: o.savgol.window,
              polynomial: o.savgol.polyorder,
              derivative: o.savgol.deriv,
              deltaX: o.grid === "native" ? (grid[grid.length - 1]! - grid[0]!) / (grid.length - 1) : grid[1]! - grid[0]!,
            });
          } catch (e) {
            throw new StepInputError(`option savgol: ${(e as Error).message}`);
          }
        })()
      : null;

    const logId: string[] = [];
    const logSource: string[] = [];
    const logStatus: string[] = [];
    const logNote: (string | null)[] = [];
    const logDefects: (string | null)[] = [];
    const out: SpectraBlock[] = [];
    const rawForMeans: SpectraBlock[] = [];
    const seen = new Set<string>();
    const q = outGrid.length;
    for (const b of blocks) {
      const { rows, cols } = blockShape(b);
      const name = `source "${b.source}"`;
      if (cols < 2) throw new StepInputError(`${name}: grid has ${cols} wavenumber(s)`);
      let plan;
      try {
        plan = resamplePlan(b.wavenumbers, grid);
      } catch (e) {
        throw new StepInputError(`${name}: ${(e as Error).message}`);
      }
      // scan checks on the native points inside the common range
      const inRange: number[] = [];
      const ignoreList: number[] = [];
      for (let j = 0; j < cols; j++) {
        const w = b.wavenumbers[j]!;
        if (w < grid[0]! - 1e-6 || w > grid[grid.length - 1]! + 1e-6) continue;
        // excluded regions widened by 20 cm-1 are not scored for spikes: the CO2 band's edges
        // (~2401 cm-1 in the NRW and H LimeSoDa spectra) are atmospheric lines, not scan defects
        if (o.exclude.some(([x, y]) => w >= Math.min(x, y) - 20 && w <= Math.max(x, y) + 20)) ignoreList.push(inRange.length);
        inRange.push(j);
      }
      const ignore = new Uint8Array(inRange.length);
      for (const j of ignoreList) ignore[j] = 1;
      const native = new Float64Array(rows * inRange.length);
      for (let i = 0; i < rows; i++)
        for (let c = 0; c < inRange.length; c++) native[i * inRange.length + c] = b.values[i * cols + inRange[c]!]!;
      const allNaN = new Array<boolean>(rows).fill(false);
      const row = new Float64Array(cols);
      const repairedCount = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        row.set(b.values.subarray(i * cols, (i + 1) * cols));
        const r = xRepairNaN(row);
        if (r < 0) allNaN[i] = true;
        else repairedCount[i] = r;
        if (r > 0) for (let c = 0; c < inRange.length; c++) native[i * inRange.length + c] = row[inRange[c]!]!;
      }
      if (allNaN.every(Boolean)) {
        throw new StepInputError(`${name}: every spectrum is entirely NaN — check the ingest of this source (unit "${b.unit}")`);
      }
      // Scan checks in absorbance, the scale every later step sees: a reflectance spike is
      // compressed where R is high (a ±1 absorbance spike in a reflectance_percent source scored
      // z 74 as measured, 213 in absorbance, clean scans ≤ 13 and ≤ 5).
      const nativeAbs = xAbsorbance(native, { unit: b.unit }).values;
      if (b.unit !== "absorbance")
        for (let i = 0; i < rows; i++) xRepairNaN(nativeAbs.subarray(i * inRange.length, (i + 1) * inRange.length));
      const scan = inRange.length >= 5 ? matrixScanDefects(nativeAbs, { rows, cols: inRange.length, ignore }) : null;
      const ids: string[] = [];
      const vals: number[][] = [];
      const rawRows: Float64Array[] = [];
      for (let i = 0; i < rows; i++) {
        const id = b.ids[i]!;
        seen.add(id);
        logId.push(id);
        logSource.push(b.source);
        const notes: string[] = [];
        const defects = allNaN[i] ? [] : (scan?.defects[i] ?? []);
        logDefects.push(defects.length ? defects.join(";") : null);
        if (allNaN[i]) {
          logStatus.push("dropped");
          logNote.push("all values NaN");
          continue;
        }
        row.set(b.values.subarray(i * cols, (i + 1) * cols));
        xRepairNaN(row);
        if (repairedCount[i]! > 0) notes.push(`${repairedCount[i]} NaN repaired`);
        const res = xResample(row, plan);
        rawRows.push(res);
        const abs = xAbsorbance(res, { unit: b.unit });
        if (abs.nonpositive > 0) {
          notes.push(`${abs.nonpositive} nonpositive reflectance`);
          xRepairNaN(abs.values);
        }
        if (abs.aboveOne > 0) notes.push(`${abs.aboveOne} reflectance above 100 % (negative absorbance kept)`);
        let y = sg ? sg(abs.values) : abs.values;
        const kept = new Float64Array(q);
        for (let c = 0; c < q; c++) kept[c] = y[keep[c]!]!;
        y = kept;
        if (!xNormalize(y, { method: o.normalize as never })) notes.push(`degenerate for ${o.normalize} (left unnormalized)`);
        if (defects.length) notes.push(`scan defect: ${defects.join(", ")}`);
        const drop = defects.length > 0 && o.on_defect === "drop";
        logStatus.push(drop ? "dropped" : defects.length || abs.nonpositive ? "flagged" : repairedCount[i]! > 0 ? "repaired" : "ok");
        logNote.push(notes.length ? notes.join("; ") : null);
        if (drop) continue;
        ids.push(id);
        vals.push(Array.from(y));
      }
      const values = new Float32Array(ids.length * q);
      vals.forEach((v, i) => values.set(v, i * q));
      out.push({ source: b.source, instrument: b.instrument, unit: "absorbance", wavenumbers: outGrid, ids, values });
      const rawVals = new Float32Array(rawRows.length * grid.length);
      rawRows.forEach((v, i) => rawVals.set(v, i * grid.length));
      rawForMeans.push({ ...b, wavenumbers: grid, ids: rawRows.map((_, i) => String(i)), values: rawVals });
    }
    if (samples) {
      for (const id of textColumn(samples, "sample_id")) {
        if (id !== null && !seen.has(id)) {
          logId.push(id);
          logSource.push(null as never);
          logStatus.push("no_spectrum");
          logNote.push("sample has no spectrum in any block");
          logDefects.push(null);
        }
      }
    }
    const raw = meanSpectraTable(rawForMeans, "raw");
    const pre = meanSpectraTable(out, "preprocessed");
    const mean = Object.fromEntries(
      Object.keys(raw).map((k) => {
        const a = raw[k]!;
        const b = pre[k]!;
        return [
          k,
          a instanceof Float64Array ? Float64Array.from([...a, ...(b as Float64Array)]) : [...(a as string[]), ...(b as string[])],
        ];
      }),
    );
    await ctx.outputs.spectra("spectra", out);
    await ctx.outputs.json("grid", {
      wavenumbers: Array.from(outGrid),
      from: grid[0],
      to: grid[grid.length - 1],
      step: o.grid === "native" ? "native" : o.grid.step,
      exclude: o.exclude,
      savgol: o.savgol,
      normalize: o.normalize,
      unit: "absorbance",
    });
    await ctx.outputs.table("preprocess_log", {
      sample_id: logId,
      source: logSource,
      status: logStatus,
      note: logNote,
      defects: logDefects,
    });
    await ctx.outputs.table("mean_spectra", mean);
    const counts = logStatus.reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});
    ctx.record({ grid_points: q, sources: out.length, ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [`spectra_${k}`, v])) });
    ctx.log(
      `${out.length} source(s) on ${q} points; ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  },
});
