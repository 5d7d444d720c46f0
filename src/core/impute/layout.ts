/**
 * Layouts of the hybrid dataset a researcher can use without a second export: the long table
 * (one row per sample and target) with the sample's own columns beside it, and the wide table
 * (one row per sample, C and OM side by side). Pure; typed arrays in and out.
 */
import { takeRows, type Column, type Table } from "../table.js";
import { TARGETS } from "./hybrid.js";

/** Columns of the samples table carried into the hybrid dataset (absent → all null/NaN). */
export const SAMPLE_COLUMNS = ["source", "depth_top_cm", "depth_bottom_cm", "lat", "lon"] as const;
const NUMERIC = new Set(["depth_top_cm", "depth_bottom_cm", "lat", "lon"]);

/** Per-target columns of the wide layout, prefixed `c_` / `om_` (long column → wide suffix). */
export const WIDE_PER_TARGET: readonly [string, string][] = [
  ["value", "value"],
  ["origin", "origin"],
  ["measured", "measured"],
  ["measured_reported", "measured_reported"],
  ["lab_method", "lab_method"],
  ["set_aside", "set_aside"],
  ["predicted_mean", "predicted_mean"],
  ["predicted_sd", "sd"],
  ["pi_low", "pi_low"],
  ["pi_high", "pi_high"],
  ["in_domain", "in_domain"],
  ["model", "model"],
  ["reason", "reason"],
  ["impute_flags", "impute_flags"],
];

function emptyLike(numeric: boolean, n: number): Column {
  return numeric ? new Float64Array(n).fill(NaN) : new Array<string | null>(n).fill(null);
}

/**
 * The long layout: `hybrid` (rows: targets × k, row k of a target = sample `rows[k]`) with the
 * samples' source, depth, lat/lon in front and, per row, the lab's reported value and method
 * (`<target>_gkg_reported`, `<target>_method` of the samples, when present).
 */
export function hybridLong(hybrid: Table, samples: Table, rows: Int32Array): Table {
  const k = rows.length;
  const picked = takeRows(samples, rows);
  const twice = (col: Column): Column =>
    col instanceof Float64Array
      ? Float64Array.from({ length: 2 * k }, (_, r) => col[r % k]!)
      : (Array.from({ length: 2 * k }, (_, r) => col[r % k] ?? null) as Column);
  const perTarget = (suffix: string, numeric: boolean): Column => {
    const cols = TARGETS.map((t) => picked[`${t}${suffix}`] ?? emptyLike(numeric, k));
    return numeric
      ? Float64Array.from({ length: 2 * k }, (_, r) => Number((cols[Math.floor(r / k)] as Float64Array)[r % k]))
      : Array.from({ length: 2 * k }, (_, r) => (cols[Math.floor(r / k)] as (string | null)[])[r % k] ?? null);
  };
  const out: Table = { sample_id: hybrid.sample_id! };
  for (const name of SAMPLE_COLUMNS) out[name] = twice(picked[name] ?? emptyLike(NUMERIC.has(name), k));
  const { sample_id: _id, target, value, origin, measured, set_aside, reason, ...rest } = hybrid;
  Object.assign(out, { target, value, origin, measured });
  out.measured_reported = perTarget("_gkg_reported", true);
  out.lab_method = perTarget("_method", false);
  return { ...out, set_aside: set_aside!, reason: reason!, ...rest };
}

/** The wide layout: one row per sample, the sample columns, then `c_*` and `om_*` (WIDE_PER_TARGET). */
export function hybridWide(long: Table): Table {
  const n = (long.sample_id as unknown[]).length / TARGETS.length;
  const range = (ti: number) => Int32Array.from({ length: n }, (_, r) => ti * n + r);
  const first = takeRows(long, range(0));
  const out: Table = { sample_id: first.sample_id! };
  for (const name of SAMPLE_COLUMNS) out[name] = first[name]!;
  TARGETS.forEach((t, ti) => {
    const part = takeRows(long, range(ti));
    for (const [col, suffix] of WIDE_PER_TARGET) if (part[col]) out[`${t}_${suffix}`] = part[col]!;
  });
  return out;
}
