/**
 * `synth.library`: the synthetic global MIR library (see src/core/synth/library.ts).
 * Outputs samples (as labs report them, with biases, gaps and defects), spectra (one block
 * per source on its native grid and unit), truth (true C/OM, defects, composition) and
 * instruments (each instrument's grid and distortions).
 */
import { z } from "zod";
import { generateLibrary } from "../../core/synth/library.js";
import { defineStep } from "../../engine/step.js";

export const synthLibraryOptions = z.strictObject({
  n: z.number().int().min(50).max(2_000_000).default(3000),
  seed: z.number().int().min(0).default(1),
  defect_rate: z.number().min(0).max(0.2).default(0.03),
  c_measured: z.number().min(0).max(1).default(0.9),
  om_measured: z.number().min(0).max(1).default(0.1),
});

export const synthLibraryStep = defineStep({
  type: "synth.library",
  version: 1,
  description: "Synthetic global MIR library: 7 sources/instruments, lab biases, gaps, defects and ground truth",
  options: synthLibraryOptions,
  outputs: ["samples", "spectra", "truth", "instruments"],
  source: import.meta.url,
  async run(ctx, _inputs, o) {
    const progress = ctx.progress("synthesizing", o.n, "samples");
    let last = 0;
    const lib = generateLibrary({
      n: o.n,
      seed: o.seed,
      defectRate: o.defect_rate,
      cMeasured: o.c_measured,
      omMeasured: o.om_measured,
      onProgress: (done) => {
        progress.tick(done - last);
        last = done;
      },
    });
    progress.done();
    ctx.record({ seed: o.seed, n: o.n, sources: lib.blocks.length });
    ctx.log(
      `${o.n} samples from ${lib.blocks.length} sources: ${lib.blocks.map((b) => `${b.source} ${b.ids.length} (${b.unit}, ${b.wavenumbers.length} pts)`).join(", ")}`,
    );
    await ctx.outputs.table("samples", lib.samples);
    await ctx.outputs.spectra("spectra", lib.blocks);
    await ctx.outputs.table("truth", lib.truth);
    await ctx.outputs.json("instruments", lib.instruments);
  },
});
