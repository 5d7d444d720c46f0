/** Logging, recording and writing an ingested library the same way in every ingest step. */
import type { StepContext } from "../../engine/step.js";
import { reportWarnings, type IngestReport, type IngestResult } from "../../formats/assemble.js";

export function logReport(ctx: StepContext, r: IngestReport): void {
  ctx.log(
    `${r.file}: ${r.rows} samples, ${r.bands} bands ${r.wavenumber_range[0]}-${r.wavenumber_range[1]} cm-1 (${r.unit}), sources ${Object.entries(
      r.sources,
    )
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}`,
  );
  for (const w of reportWarnings(r)) ctx.log(`warning: ${w}`);
  ctx.record({
    rows: r.rows,
    bands: r.bands,
    missing_values_interpolated: r.missing_values_interpolated,
    rows_without_spectrum: r.rows_without_spectrum,
    reflectance_values_above_full: r.reflectance_values_above_full,
    c_impossible: r.targets.c_impossible,
    om_below_c: r.targets.om_below_c,
  });
}

/** Logs the report, then writes the step's three outputs: samples, spectra, ingest_report. */
export async function writeIngested(ctx: StepContext, result: IngestResult): Promise<void> {
  logReport(ctx, result.report);
  await ctx.outputs.table("samples", result.samples);
  await ctx.outputs.spectra("spectra", result.blocks);
  await ctx.outputs.json("ingest_report", result.report);
}
