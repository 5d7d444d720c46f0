/**
 * harmonize.targets — lab values to dry-combustion-equivalent g/kg.
 * Per source unit (`units`: g_kg default, percent ×10, mg_kg ÷1000), then per method factor
 * (`c_factors`/`om_factors`: Walkley–Black recovers ~75–77 % of organic C → ×1.3 for C and for OM
 * derived from WB C; LOI is kept as OM (×1.0) by default). Loss on ignition also burns off the
 * structural water of clays, so LOI over-estimates OM in clay-rich soils: where a sample's
 * `clay_pct` is known, `loi_clay_water` × clay (g/kg) is subtracted from LOI-based OM
 * (Hoogsteen et al. 2015 measured ~4–9 % of the clay mass; default 0.07), floored at 0, and
 * recorded in `om_clay_water_gkg`. Keeps the reported values (`c_gkg_reported`,
 * `om_gkg_reported`) and the total factor applied (`c_conversion`, `om_conversion`); rewrites
 * `c_gkg`, `om_gkg`. Re-running on its own output starts again from the reported values.
 * Physical-range violations (physicalRangeViolations) are counted and logged, not removed —
 * qc.outliers flags them.
 *
 * Options: targets-options.ts; sources, clay and the conversion: targets-setup.ts; tables, log
 * lines and run record: targets-outputs.ts.
 */
import { defineStep } from "../../engine/step.js";
import { pickInput } from "../shared/spectra-io.js";
import { harmonizeTargetsOptions } from "./targets-options.js";
import { clayWaterLine, conversionTable, rangeCounts, rangeLine, rangeRecord, samplesTable, type Conversions } from "./targets-outputs.js";
import { convertTarget, sampleRows } from "./targets-setup.js";

export { harmonizeTargetsOptions, type TargetsOptions } from "./targets-options.js";

export const harmonizeTargets = defineStep({
  type: "harmonize.targets",
  version: 2,
  description: "Convert lab C/OM to dry-combustion-equivalent g/kg (units per source, method factors).",
  options: harmonizeTargetsOptions,
  outputs: ["samples", "target_conversion"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const src = pickInput(inputs, "samples", ["qc.outliers"], o.samples_from, "samples_from");
    const s = await src.table("samples");
    const rows = sampleRows(s, o);
    const converted: Conversions = {};
    for (const t of ["c", "om"] as const) {
      if (!s[`${t}_gkg`]) continue;
      const r = (converted[t] = convertTarget(s, t, rows, o));
      if (r.unknown.size) ctx.log(`${t}_method ${[...r.unknown].join(", ")} not in ${t}_factors: kept as reported (factor 1)`);
    }
    const clayLine = converted.om ? clayWaterLine(converted.om, o) : null;
    if (clayLine) ctx.log(clayLine);
    const counts = rangeCounts(converted, rows.n, o);
    if (Object.keys(counts).length) ctx.log(rangeLine(counts));
    ctx.record(rangeRecord(counts));
    await ctx.outputs.table("samples", samplesTable(s, converted));
    await ctx.outputs.table("target_conversion", conversionTable(converted));
  },
});
