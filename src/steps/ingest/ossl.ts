/**
 * `ingest.ossl`: an OSSL CSV export (`.csv` or `.csv.gz`), streamed through the byte-level
 * reader. Spectra stay absorbance on the OSSL grid; wt% targets become g/kg.
 */
import { z } from "zod";
import { defineStep } from "../../engine/step.js";
import { createOsslReader, OSSL_DEFAULT_COLUMNS } from "../../formats/ossl.js";
import { TEXT_ENCODINGS } from "../../formats/text.js";
import { readStreamed } from "./read-input.js";
import { writeIngested } from "./report.js";

const columnKeys = Object.keys(OSSL_DEFAULT_COLUMNS) as (keyof typeof OSSL_DEFAULT_COLUMNS)[];

export const osslOptions = z.strictObject({
  path: z.string().min(1),
  /** Overrides of the default OSSL column names (see OSSL_DEFAULT_COLUMNS); "" drops one. */
  columns: z
    .strictObject(
      Object.fromEntries(columnKeys.map((k) => [k, z.string().optional()])) as Record<
        (typeof columnKeys)[number],
        z.ZodOptional<z.ZodString>
      >,
    )
    .superRefine((c, ctx) => {
      for (const k of ["id", "spectral_prefix"] as const) {
        if (c[k] === "")
          ctx.addIssue({
            code: "custom",
            path: [k],
            message: `columns.${k} cannot be empty (it cannot be dropped); name the column${k === "id" ? " holding the sample ids" : " prefix of the spectra"}`,
          });
      }
    })
    .default({}),
  /** Text encoding (default utf-8, decoded strictly; latin1 = Latin-1/Windows-1252). */
  encoding: z.enum(TEXT_ENCODINGS).default("utf-8"),
  default_source: z.string().min(1).default("ossl"),
  c_method: z.string().nullable().default("dry_combustion"),
  om_method: z.string().nullable().default("loi"),
});

export const ingestOsslStep = defineStep({
  type: "ingest.ossl",
  version: 1,
  description: "Read an OSSL CSV export (.csv/.csv.gz): samples, absorbance spectra per dataset, targets in g/kg",
  options: osslOptions,
  outputs: ["samples", "spectra", "ingest_report"],
  inputFiles: (o) => [o.path],
  source: import.meta.url,
  async run(ctx, _inputs, o) {
    const columns = Object.fromEntries(Object.entries(o.columns).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const result = await readStreamed(ctx, o.path, (file) =>
      createOsslReader(file, {
        columns,
        defaultSource: o.default_source,
        cMethod: o.c_method,
        omMethod: o.om_method,
        encoding: o.encoding,
      }),
    );
    await writeIngested(ctx, result);
  },
});
