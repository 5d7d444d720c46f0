/** The options of `ingest.opus` (src/steps/ingest/opus.ts). */
import { z } from "zod";
import { locationColumnsOption } from "../shared/location-columns.js";
import { DEFAULT_REPLICATE_MAX_RMSD } from "../../formats/opus-library.js";
import { TEXT_ENCODINGS } from "../../formats/text.js";

const target = z.strictObject({
  column: z.string().min(1),
  unit: z.enum(["percent", "gkg"]),
  method: z.string().nullable().optional(),
});

/** A string option that must compile as a RegExp (checked when the options parse, not mid-run). */
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
  lab_columns: locationColumnsOption,
});

export type OpusOptions = z.output<typeof opusOptions>;
