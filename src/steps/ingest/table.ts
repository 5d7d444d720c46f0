/**
 * `ingest.table`: any wide CSV library with a spectral column prefix, in absorbance or
 * reflectance (fraction or %), targets in % or g/kg. Spectra keep their unit and grid.
 */
import { z } from "zod";
import { locationColumnsOption } from "../shared/location-columns.js";
import { defineStep } from "../../engine/step.js";
import { createWideTableReader } from "../../formats/wide-table.js";
import { TEXT_ENCODINGS } from "../../formats/text.js";
import { readStreamed } from "./read-input.js";
import { writeIngested } from "./report.js";

const target = z.strictObject({
  column: z.string().min(1),
  unit: z.enum(["percent", "gkg"]),
  method: z.string().nullable().optional(),
});

export const tableOptions = z.strictObject({
  path: z.string().min(1),
  spectral_prefix: z.string().default("wn_"),
  spectral_suffix: z.string().default(""),
  unit: z.enum(["absorbance", "reflectance", "reflectance_percent"]),
  id_column: z.string().min(1).default("sample_id"),
  /** Source for every row (default: file name without extension)... */
  source: z.string().min(1).optional(),
  /** ...or a column naming the source per row. */
  source_column: z.string().min(1).optional(),
  instrument: z.string().min(1).optional(),
  targets: z.strictObject({ c: target.optional(), om: target.optional() }).default({}),
  columns: locationColumnsOption,
  delimiter: z.string().length(1).default(","),
  /** Text encoding (default utf-8, decoded strictly; latin1 = Latin-1/Windows-1252). */
  encoding: z.enum(TEXT_ENCODINGS).default("utf-8"),
  /** Extra columns carried into samples under their own names (e.g. `fold` for k-fold's folds_from). */
  keep_columns: z.array(z.string().min(1)).default([]),
});

export const ingestTableStep = defineStep({
  type: "ingest.table",
  version: 1,
  description: "Read a wide CSV spectral library (prefix-named spectral columns, any unit) with id/target/metadata mapping",
  options: tableOptions,
  outputs: ["samples", "spectra", "ingest_report"],
  inputFiles: (o) => [o.path],
  source: import.meta.url,
  async run(ctx, _inputs, o) {
    const result = await readStreamed(ctx, o.path, (file) =>
      createWideTableReader(file, {
        spectralPrefix: o.spectral_prefix,
        spectralSuffix: o.spectral_suffix,
        unit: o.unit,
        idColumn: o.id_column,
        source: o.source,
        sourceColumn: o.source_column,
        instrument: o.instrument,
        targets: o.targets,
        columns: o.columns,
        delimiter: o.delimiter,
        encoding: o.encoding,
        keep: o.keep_columns,
      }),
    );
    await writeIngested(ctx, result);
  },
});
