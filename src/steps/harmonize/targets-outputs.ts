/**
 * What `harmonize.targets` writes: `samples` (the input's columns, plus per converted target
 * `<t>_gkg_reported`, `<t>_conversion` and the rewritten `<t>_gkg`, and `om_clay_water_gkg`),
 * `target_conversion` (one row per source × target × method × factor), and the physical-range
 * counts it logs and records (not removed: qc.outliers flags them).
 */
import { physicalRangeViolations } from "../../core/chemometrics/physical-range.js";
import type { Table } from "../../core/table.js";
import { toPhysicalRange } from "../shared/range-option.js";
import type { TargetsOptions } from "./targets-options.js";
import type { Conversion, TargetName } from "./targets-setup.js";

export type Conversions = Partial<Record<TargetName, Conversion>>;

/** The samples with the converted columns; c's before om's, as the columns were always ordered. */
export function samplesTable(s: Table, converted: Conversions): Table {
  const out: Table = { ...s };
  for (const t of ["c", "om"] as const) {
    const r = converted[t];
    if (!r) continue;
    out[`${t}_gkg_reported`] = Float64Array.from(r.reported);
    out[`${t}_conversion`] = r.factor;
    out[`${t}_gkg`] = r.value;
  }
  if (converted.om) out.om_clay_water_gkg = converted.om.clayWater;
  return out;
}

/** One row per (source, target, method, factor) group with its row count; no method → null. */
export function conversionTable(converted: Conversions): Table {
  const conv = { source: [] as string[], target: [] as string[], method: [] as string[], factor: [] as number[], count: [] as number[] };
  for (const t of ["c", "om"] as const) {
    for (const [key, count] of converted[t]?.groups ?? []) {
      const [so, me, fa] = key.split("\u0000");
      conv.source.push(so!);
      conv.target.push(t);
      conv.method.push(me!);
      conv.factor.push(Number(fa));
      conv.count.push(count);
    }
  }
  return {
    source: conv.source,
    target: conv.target,
    method: conv.method.map((m) => m || null),
    factor: Float64Array.from(conv.factor),
    count: Float64Array.from(conv.count),
  };
}

/** The log line for LOI OM corrected for clay water, or null when no sample was. */
export function clayWaterLine(om: Conversion, o: TargetsOptions): string | null {
  const corrected = om.clayWater.filter((v) => !Number.isNaN(v)).length;
  return corrected ? `LOI OM corrected for clay structural water on ${corrected} samples (loi_clay_water ${o.loi_clay_water})` : null;
}

/** Samples per physical-range violation of the converted values (c NaN where not converted). */
export function rangeCounts(converted: Conversions, n: number, o: TargetsOptions): Record<string, number> {
  const viol = physicalRangeViolations(converted.c?.value ?? new Float64Array(n).fill(NaN), converted.om?.value, toPhysicalRange(o.range));
  const counts: Record<string, number> = {};
  for (const v of viol) for (const r of v) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** The log line of the range counts. */
export function rangeLine(counts: Record<string, number>): string {
  return `physical range: ${Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")} (flagged by qc.outliers)`;
}

/** The run record: `range_<violation>` counts. */
export function rangeRecord(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`range_${k}`, v]));
}
