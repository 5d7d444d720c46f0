/**
 * spectra.preprocess — every source onto one grid, as preprocessed absorbance.
 * Per block (preprocess-block.ts, composing src/core/spectra/): scan-defect checks on the
 * native grid (inside the common range) → NaN repair → resample (linear, no extrapolation) →
 * reflectance → absorbance → Savitzky–Golay → region exclusion (e.g. CO2) → normalization.
 * The grid and filter are set up in preprocess-setup.ts. Inputs: `spectra` and `samples`
 * (CONTRACTS). Outputs: `spectra`, json `grid`, tables `preprocess_log` and `mean_spectra`.
 */
import type { SpectraBlock } from "../../core/spectra/block.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { pickInput } from "../shared/spectra-io.js";
import { preprocessBlock } from "./preprocess-block.js";
import { preprocessOptions } from "./preprocess-options.js";
import { gridJson, meanSpectra, PreprocessLog } from "./preprocess-outputs.js";
import { gridSetup, targetGrid } from "./preprocess-setup.js";

export { preprocessOptions, type PreprocessOptions } from "./preprocess-options.js";

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
    const setup = gridSetup(
      targetGrid(blocks, o, (m) => ctx.log(m)),
      o,
    );

    const log = new PreprocessLog();
    const out: SpectraBlock[] = [];
    const rawForMeans: SpectraBlock[] = [];
    for (const b of blocks) {
      const r = preprocessBlock(b, setup, o, log);
      out.push(r.block);
      rawForMeans.push(r.raw);
    }
    if (samples) log.addMissing(samples);
    const mean = meanSpectra(rawForMeans, out);
    await ctx.outputs.spectra("spectra", out);
    await ctx.outputs.json("grid", gridJson(setup.outGrid, setup.grid, o));
    await ctx.outputs.table("preprocess_log", log.build());
    await ctx.outputs.table("mean_spectra", mean);
    const q = setup.outGrid.length;
    const counts = log.counts();
    ctx.record({ grid_points: q, sources: out.length, ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [`spectra_${k}`, v])) });
    ctx.log(
      `${out.length} source(s) on ${q} points; ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  },
});
