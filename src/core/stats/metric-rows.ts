/**
 * Builds the standard `MetricRow`s of one model, target and split: overall, per source and
 * per depth band (src/core/stats/depth-band.ts), on the g/kg scale and on the log1p scale.
 * On the log1p scale observed, predicted and the interval ends are transformed with log1p
 * (monotone, so coverage is the same; widths are log1p widths). Values below −1 become NaN
 * there (and are skipped). Groups with no scorable pair are left out.
 */
import { DEPTH_BANDS, depthBand } from "./depth-band.js";
import { groupLabel, type MetricRow } from "../../contracts/metrics.js";
import { regressionMetrics } from "./metrics.js";

export type MetricScale = "gkg" | "log1p";

export interface MetricRowsInput {
  step: string;
  model: string;
  target: string;
  split: string;
  observed: Float64Array;
  predicted: Float64Array;
  low?: Float64Array;
  high?: Float64Array;
  /** Nominal level of [low, high]; default 0.9. Recorded as `pi_level` (null without intervals). */
  level?: number;
  /** Source of each row (per-source breakdown); omitted → no source rows. */
  source?: readonly (string | null)[];
  /** Top depth (cm) of each row (per-depth-band breakdown); omitted → no depth rows. */
  depthTop?: Float64Array;
  /** Scales to report; default both ["gkg", "log1p"]. */
  scales?: readonly MetricScale[];
}

function log1pArray(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! >= -1 ? Math.log1p(x[i]!) : NaN;
  return out;
}

function subset(x: Float64Array, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!;
  return out;
}

export function metricRows(input: MetricRowsInput): MetricRow[] {
  const { observed, predicted, low, high, source, depthTop } = input;
  const n = observed.length;
  if (source && source.length !== n) throw new RangeError(`source has ${source.length} rows, expected ${n}`);
  if (depthTop && depthTop.length !== n) throw new RangeError(`depthTop has ${depthTop.length} rows, expected ${n}`);
  const level = input.level ?? 0.9;
  const scales = input.scales ?? ["gkg", "log1p"];

  const groups: { group: string; idx: number[] }[] = [{ group: groupLabel({ kind: "all" }), idx: Array.from({ length: n }, (_, i) => i) }];
  if (source) {
    const by = new Map<string, number[]>();
    source.forEach((s, i) => {
      const key = s ?? "unknown";
      let list = by.get(key);
      if (!list) by.set(key, (list = []));
      list.push(i);
    });
    for (const key of [...by.keys()].sort())
      groups.push({ group: groupLabel({ kind: "breakdown", key: "source", value: key }), idx: by.get(key)! });
  }
  if (depthTop) {
    const by = new Map<string, number[]>();
    depthTop.forEach((d, i) => {
      const band = depthBand(d);
      if (band === null) return;
      let list = by.get(band);
      if (!list) by.set(band, (list = []));
      list.push(i);
    });
    for (const b of DEPTH_BANDS)
      if (by.has(b.label)) groups.push({ group: groupLabel({ kind: "breakdown", key: "depth", value: b.label }), idx: by.get(b.label)! });
  }

  const rows: MetricRow[] = [];
  for (const scale of scales) {
    const o = scale === "log1p" ? log1pArray(observed) : observed;
    const p = scale === "log1p" ? log1pArray(predicted) : predicted;
    const lo = low ? (scale === "log1p" ? log1pArray(low) : low) : undefined;
    const hi = high ? (scale === "log1p" ? log1pArray(high) : high) : undefined;
    for (const g of groups) {
      const all = g.group === "all";
      const m = regressionMetrics(
        all ? o : subset(o, g.idx),
        all ? p : subset(p, g.idx),
        lo && hi ? { low: all ? lo : subset(lo, g.idx), high: all ? hi : subset(hi, g.idx), level } : { level },
      );
      if (m.n === 0) continue;
      rows.push({
        step: input.step,
        model: input.model,
        target: input.target,
        split: input.split,
        scale,
        group: g.group,
        n: m.n,
        r2: m.r2,
        rmse: m.rmse,
        mae: m.mae,
        bias: m.bias,
        rpiq: m.rpiq,
        rpd: m.rpd,
        ccc: m.ccc,
        pi_level: m.pi_coverage === null ? null : level,
        pi_coverage: m.pi_coverage,
        pi_width: m.pi_width,
      });
    }
  }
  return rows;
}
