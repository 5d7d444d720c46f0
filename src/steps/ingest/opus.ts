/**
 * `ingest.opus`: a folder of Bruker OPUS files (absorbance block) plus an optional lab CSV
 * joined on the sample id taken from each file name; replicate scans are averaged.
 * Options: opus-options.ts; the files and the builder's options: opus-setup.ts.
 */
import { resolve } from "node:path";
import { defineStep } from "../../engine/step.js";
import { buildOpusLibrary } from "../../formats/opus-library.js";
import { opusOptions } from "./opus-options.js";
import { opusLibraryOptions, readOpusFolder } from "./opus-setup.js";
import { asStepInput, requireFile } from "./read-input.js";
import { writeIngested } from "./report.js";

export { opusOptions, type OpusOptions } from "./opus-options.js";

export const ingestOpusStep = defineStep({
  type: "ingest.opus",
  version: 2,
  description: "Read a folder of Bruker OPUS files (AB block), average replicates, join a lab table by sample id",
  options: opusOptions,
  outputs: ["samples", "spectra", "ingest_report"],
  inputFiles: (o) => (o.lab_table ? [o.dir, o.lab_table] : [o.dir]),
  source: import.meta.url,
  async run(ctx, _inputs, o) {
    const dir = resolve(o.dir);
    const files = await readOpusFolder(dir, o.file_pattern);
    const lab = o.lab_table ? await requireFile(o.lab_table, "lab_table") : null;
    // Format errors, the lab table's decoding included, become StepInputErrors.
    const result = await asStepInput(async () => buildOpusLibrary(files, await opusLibraryOptions(o, dir, lab)));
    ctx.record({ opus_files: files.length });
    await writeIngested(ctx, result);
  },
});
