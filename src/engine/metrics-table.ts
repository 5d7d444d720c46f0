import { METRIC_COLUMNS, type MetricRow } from "../contracts/metrics.js";
import type { Table } from "../core/table.js";

const TEXT_COLUMNS = new Set<string>(["step", "model", "target", "split", "scale", "group"]);

/** Metric rows as the standard `metrics` table (null numbers -> NaN -> SQL NULL). */
export function metricsTable(rows: readonly MetricRow[]): Table {
  const table: Table = {};
  for (const c of METRIC_COLUMNS) {
    table[c] = TEXT_COLUMNS.has(c)
      ? rows.map((r) => r[c] as string)
      : Float64Array.from(rows, (r) => (r[c] === null ? NaN : (r[c] as number)));
  }
  return table;
}
