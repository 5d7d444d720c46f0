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
 */
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import { physicalRangeViolations } from "../../core/chemometrics/physical-range.js";
import { physicalRangeOption, toPhysicalRange } from "../shared/range-option.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { pickInput } from "../shared/spectra-io.js";

const UNIT_FACTOR = { g_kg: 1, percent: 10, mg_kg: 0.001 } as const;

export const harmonizeTargetsOptions = z.strictObject({
  /** C method → factor to dry combustion. */
  c_factors: z.record(z.string(), z.number().positive()).default({ dry_combustion: 1, walkley_black: 1.3 }),
  /** OM method → factor. */
  om_factors: z.record(z.string(), z.number().positive()).default({ loi: 1, dry_combustion: 1, walkley_black: 1.3 }),
  /** Structural water lost on ignition per unit clay mass, subtracted from LOI OM where clay_pct is known; 0 = off. */
  loi_clay_water: z.number().min(0).max(0.2).default(0.07),
  /** Source → unit of its c_gkg/om_gkg columns as delivered. Default g_kg for every source. */
  units: z.record(z.string(), z.enum(["g_kg", "percent", "mg_kg"])).default({}),
  /** A method code not in the factor table: `keep` (factor 1, logged, default) or `error`. */
  unknown_method: z.enum(["keep", "error"]).default("keep"),
  range: physicalRangeOption,
  samples_from: z.string().optional(),
});

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
    const n = tableRowCount(s);
    const source = s.source ? textColumn(s, "source") : new Array<string | null>(n).fill(null);
    const known = new Set(source.filter((x): x is string => x !== null));
    for (const u of Object.keys(o.units)) {
      if (!known.has(u)) throw new StepInputError(`option units: source "${u}" not found in samples (sources: ${[...known].join(", ")})`);
    }
    const out: Table = { ...s };
    const conv = { source: [] as string[], target: [] as string[], method: [] as string[], factor: [] as number[], count: [] as number[] };
    const converted: Record<string, Float64Array> = {};
    const clay = s.clay_pct ? numberColumn(s, "clay_pct") : new Float64Array(n).fill(NaN);
    const clayWater = new Float64Array(n).fill(NaN);
    for (const [t, factors] of [
      ["c", o.c_factors],
      ["om", o.om_factors],
    ] as const) {
      const col = `${t}_gkg`;
      if (!s[col]) continue;
      const reported = s[`${col}_reported`] ? numberColumn(s, `${col}_reported`) : numberColumn(s, col);
      const method = s[`${t}_method`] ? textColumn(s, `${t}_method`) : new Array<string | null>(n).fill(null);
      const value = new Float64Array(n);
      const factor = new Float64Array(n);
      const groups = new Map<string, number>();
      const unknown = new Set<string>();
      for (let i = 0; i < n; i++) {
        const unit = o.units[source[i] ?? ""] ?? "g_kg";
        const m = method[i] ?? null;
        let f = 1;
        if (m !== null) {
          if (factors[m] !== undefined) f = factors[m]!;
          else if (o.unknown_method === "error") {
            throw new StepInputError(
              `row ${i} (source "${source[i]}"): ${t}_method "${m}" has no factor in option ${t}_factors (known: ${Object.keys(factors).join(", ")})`,
            );
          } else unknown.add(m);
        }
        factor[i] = UNIT_FACTOR[unit] * f;
        value[i] = reported[i]! * factor[i]!;
        if (t === "om" && m === "loi" && o.loi_clay_water > 0 && Number.isFinite(clay[i]!) && Number.isFinite(value[i]!)) {
          const water = o.loi_clay_water * clay[i]! * 10;
          clayWater[i] = Math.min(water, value[i]!);
          value[i] = Math.max(0, value[i]! - water);
        }
        const key = `${source[i] ?? ""}\u0000${m ?? ""}\u0000${factor[i]}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
      if (unknown.size) ctx.log(`${t}_method ${[...unknown].join(", ")} not in ${t}_factors: kept as reported (factor 1)`);
      out[`${col}_reported`] = Float64Array.from(reported);
      out[`${t}_conversion`] = factor;
      out[col] = value;
      converted[t] = value;
      for (const [key, count] of groups) {
        const [so, me, fa] = key.split("\u0000");
        conv.source.push(so!);
        conv.target.push(t);
        conv.method.push(me!);
        conv.factor.push(Number(fa));
        conv.count.push(count);
      }
    }
    if (s.om_gkg) {
      out.om_clay_water_gkg = clayWater;
      const corrected = clayWater.filter((v) => !Number.isNaN(v)).length;
      if (corrected) ctx.log(`LOI OM corrected for clay structural water on ${corrected} samples (loi_clay_water ${o.loi_clay_water})`);
    }
    const viol = physicalRangeViolations(converted.c ?? new Float64Array(n).fill(NaN), converted.om, toPhysicalRange(o.range));
    const counts: Record<string, number> = {};
    for (const v of viol) for (const r of v) counts[r] = (counts[r] ?? 0) + 1;
    if (Object.keys(counts).length)
      ctx.log(
        `physical range: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")} (flagged by qc.outliers)`,
      );
    ctx.record(Object.fromEntries(Object.entries(counts).map(([k, v]) => [`range_${k}`, v])));
    await ctx.outputs.table("samples", out);
    await ctx.outputs.table("target_conversion", {
      source: conv.source,
      target: conv.target,
      method: conv.method.map((m) => m || null),
      factor: Float64Array.from(conv.factor),
      count: Float64Array.from(conv.count),
    });
  },
});
