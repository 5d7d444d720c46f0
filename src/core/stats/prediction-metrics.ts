/**
 * Metric rows of a `predictions` table (docs/CONTRACTS.md): per target and split, overall /
 * per source / per depth band, on the g/kg and log1p scales, with interval coverage and
 * width when the table has finite `pi_low`/`pi_high`. Shared by the model steps (their own
 * test metrics) and `metrics.evaluate`, so both give the same numbers.
 */
import type { Table } from "../table.js";
import type { MetricRow } from "../../contracts/metrics.js";
import { metricRows, type MetricScale } from "./metric-rows.js";

export interface PredictionMetricsOptions {
  step: string;
  model: string;
  /** Splits to score; default ["test"]. Rows of other splits are ignored. */
  splits?: readonly string[];
  /** Nominal level of the table's intervals; default 0.9. */
  level?: number;
  scales?: readonly MetricScale[];
}

function num(table: Table, name: string, n: number): Float64Array {
  const c = table[name];
  if (c === undefined) return new Float64Array(n).fill(NaN);
  if (!(c instanceof Float64Array)) throw new TypeError(`predictions column "${name}" is not numeric`);
  return c;
}

function text(table: Table, name: string): (string | null)[] {
  const c = table[name];
  if (!Array.isArray(c)) throw new TypeError(`predictions column "${name}" is ${c === undefined ? "missing" : "not text"}`);
  return c as (string | null)[];
}

export function predictionMetricRows(table: Table, opts: PredictionMetricsOptions): MetricRow[] {
  const splits = opts.splits ?? ["test"];
  const target = text(table, "target");
  const split = text(table, "split");
  const n = target.length;
  const observed = num(table, "observed", n);
  const predicted = num(table, "predicted", n);
  const low = num(table, "pi_low", n);
  const high = num(table, "pi_high", n);
  const depth = num(table, "depth_top_cm", n);
  const source = table.source ? text(table, "source") : undefined;
  const targets = [...new Set(target.filter((t): t is string => t !== null))].sort();
  const rows: MetricRow[] = [];
  for (const t of targets) {
    for (const s of splits) {
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (target[i] === t && split[i] === s) idx.push(i);
      if (idx.length === 0) continue;
      const pick = (x: Float64Array) => Float64Array.from(idx, (i) => x[i]!);
      const lo = pick(low);
      const hi = pick(high);
      const hasPi = lo.some((v, k) => !Number.isNaN(v) && !Number.isNaN(hi[k]!));
      rows.push(
        ...metricRows({
          step: opts.step,
          model: opts.model,
          target: t,
          split: s,
          observed: pick(observed),
          predicted: pick(predicted),
          ...(hasPi ? { low: lo, high: hi } : {}),
          level: opts.level ?? 0.9,
          ...(source ? { source: idx.map((i) => source[i] ?? null) } : {}),
          depthTop: pick(depth),
          ...(opts.scales ? { scales: opts.scales } : {}),
        }),
      );
    }
  }
  return rows;
}
