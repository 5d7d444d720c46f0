/**
 * `ingest.opus`: a folder of Bruker OPUS files (absorbance block) plus an optional lab CSV
 * joined on the sample id taken from each file name; replicate scans are averaged.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import { buildOpusLibrary, DEFAULT_REPLICATE_MAX_RMSD, type OpusFile } from "../../formats/opus-library.js";
import { decodeTextFile, TEXT_ENCODINGS } from "../../formats/text.js";
import { asStepInput, requireFile } from "./read-input.js";
import { writeIngested } from "./report.js";

const target = z.strictObject({
  column: z.string().min(1),
  unit: z.enum(["percent", "gkg"]),
  method: z.string().nullable().optional(),
});

function regex(option: string) {
  return z.string().superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `${option} is not a valid regular expression: ${(e as Error).message}` });
    }
  });
}

export const opusOptions = z.strictObject({
  dir: z.string().min(1),
  /** Which files in `dir` are OPUS files (regex on the name); OPUS numbers saves .0, .1, ... */
  file_pattern: regex("file_pattern").default("\\.\\d+$"),
  /** Sample id = capture group 1 of this regex on the file name (replicates share an id). */
  id_pattern: regex("id_pattern").default("^(.+?)\\.\\d+$"),
  source: z.string().min(1).optional(),
  instrument: z.string().min(1).optional(),
  lab_table: z.string().min(1).optional(),
  lab_id_column: z.string().min(1).default("sample_id"),
  /** Text encoding of the lab table (default utf-8, decoded strictly; latin1 = Latin-1/Windows-1252). */
  lab_encoding: z.enum(TEXT_ENCODINGS).default("utf-8"),
  lab_targets: z.strictObject({ c: target.optional(), om: target.optional() }).default({}),
  /**
   * Spectrum block read from every file: "AB" (default, the final absorbance OPUS shows as
   * AB), "AB_no_atm_comp" (before atmospheric compensation) or a type code like "15.16.0.64";
   * `ingest_report.opus_blocks` lists the blocks each file holds.
   */
  block: z
    .string()
    .regex(/^(AB|AB_no_atm_comp|15\.16\.0\.(0|64))$/, 'block: use "AB", "AB_no_atm_comp", "15.16.0.0" or "15.16.0.64"')
    .default("AB"),
  /** Replicate scans whose RMS difference from their mean exceeds this (absorbance) are flagged. */
  replicate_max_rmsd: z.number().positive().default(DEFAULT_REPLICATE_MAX_RMSD),
  lab_columns: z
    .strictObject({
      lat: z.string().optional(),
      lon: z.string().optional(),
      depth_top_cm: z.string().optional(),
      depth_bottom_cm: z.string().optional(),
    })
    .default({}),
});

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
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
    } catch (e) {
      throw new StepInputError(`dir: cannot list ${dir} (${(e as NodeJS.ErrnoException).code ?? e}); check the path`);
    }
    const pattern = new RegExp(o.file_pattern);
    const picked = names.filter((n) => pattern.test(n)).sort();
    if (picked.length === 0) {
      throw new StepInputError(`dir: no file in ${dir} matches file_pattern ${pattern} (${names.length} files there)`);
    }
    const files: OpusFile[] = [];
    for (const name of picked) files.push({ name: join(dir, name), bytes: await readFile(join(dir, name)) });
    const lab = o.lab_table ? await requireFile(o.lab_table, "lab_table") : null;
    const result = await asStepInput(async () =>
      buildOpusLibrary(files, {
        idPattern: new RegExp(o.id_pattern),
        source: o.source ?? basename(dir),
        instrument: o.instrument,
        block: o.block,
        replicateMaxRmsd: o.replicate_max_rmsd,
        lab: lab
          ? {
              file: lab.path,
              text: decodeTextFile(lab.path, await readFile(lab.path), o.lab_encoding),
              idColumn: o.lab_id_column,
              targets: o.lab_targets,
              columns: o.lab_columns,
            }
          : undefined,
      }),
    );
    ctx.record({ opus_files: files.length });
    await writeIngested(ctx, result);
  },
});
