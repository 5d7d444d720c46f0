/**
 * The conversion `harmonize.targets` applies, read from its samples and options: each row's
 * source and clay content (refusing `units` for a source the samples lack), then per target
 * (c, om) the reported values, the unit × method factor, the converted values, the clay water
 * taken off LOI-based OM, and the (source, method, factor) groups for `target_conversion`.
 */
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";
import type { TargetsOptions } from "./targets-options.js";

const UNIT_FACTOR = { g_kg: 1, percent: 10, mg_kg: 0.001 } as const;

export type TargetName = "c" | "om";

/** Per samples row: the source (null without a source column) and clay_pct (NaN without one). */
export interface SampleRows {
  n: number;
  source: readonly (string | null)[];
  clay: Float64Array;
}

/** One target's conversion, per samples row; `groups` counts rows per "source\0method\0factor" key. */
export interface Conversion {
  reported: Float64Array;
  factor: Float64Array;
  value: Float64Array;
  /** Clay structural water subtracted (om from LOI with clay known), else NaN. */
  clayWater: Float64Array;
  groups: Map<string, number>;
  /** Method codes without a factor, kept at factor 1 (unknown_method `keep`). */
  unknown: Set<string>;
}

/** The rows' sources and clay; every source named in `units` must occur in the samples. */
export function sampleRows(s: Table, o: TargetsOptions): SampleRows {
  const n = tableRowCount(s);
  const source = s.source ? textColumn(s, "source") : new Array<string | null>(n).fill(null);
  const known = new Set(source.filter((x): x is string => x !== null));
  for (const u of Object.keys(o.units)) {
    if (!known.has(u)) throw new StepInputError(`option units: source "${u}" not found in samples (sources: ${[...known].join(", ")})`);
  }
  const clay = s.clay_pct ? numberColumn(s, "clay_pct") : new Float64Array(n).fill(NaN);
  return { n, source, clay };
}

/**
 * Converts target `t` from its reported values (`<t>_gkg_reported` when present, so a rerun on
 * this step's own output starts again from them): unit factor × method factor, then for LOI OM
 * the clay water (loi_clay_water × clay g/kg) subtracted, floored at 0.
 */
export function convertTarget(s: Table, t: TargetName, rows: SampleRows, o: TargetsOptions): Conversion {
  const { n, source, clay } = rows;
  const col = `${t}_gkg`;
  const factors = t === "c" ? o.c_factors : o.om_factors;
  const reported = s[`${col}_reported`] ? numberColumn(s, `${col}_reported`) : numberColumn(s, col);
  const method = s[`${t}_method`] ? textColumn(s, `${t}_method`) : new Array<string | null>(n).fill(null);
  const value = new Float64Array(n);
  const factor = new Float64Array(n);
  const clayWater = new Float64Array(n).fill(NaN);
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
  return { reported, factor, value, clayWater, groups, unknown };
}
