/**
 * What `impute.hybrid` writes besides the layouts (src/core/impute/layout.ts) and coverage
 * tables: each hybrid row's sample groups, the truth metric rows (synthetic data: `value` scored
 * against the truth where the measurement was missing, src/core/stats/metric-rows.ts),
 * `hybrid_meta` and the log line.
 */
import type { MetricRow } from "../../contracts/metrics.js";
import type { SampleGroups } from "../../core/impute/coverage.js";
import { TARGETS, type HybridResult, type Target } from "../../core/impute/hybrid.js";
import { metricRows } from "../../core/stats/metric-rows.js";
import type { Table } from "../../core/table.js";
import { numberColumn, textColumn } from "./columns.js";
import type { HybridStepOptions } from "./hybrid-options.js";

/** Source, depth and position of the sample behind each hybrid row (row k = sample sampleRows[k]). */
export function groupsOf(samples: Table, sampleRows: Int32Array, n: number): SampleGroups {
  const pickNum = (a: Float64Array) => Float64Array.from(sampleRows, (i) => a[i]!);
  const source = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
  return {
    source: Array.from(sampleRows, (i) => source[i] ?? null),
    depthTop: pickNum(numberColumn(samples, "depth_top_cm", n, false)),
    lat: pickNum(numberColumn(samples, "lat", n, false)),
    lon: pickNum(numberColumn(samples, "lon", n, false)),
  };
}

/** What the truth scoring needs of the run. */
export interface TruthScoring {
  step: string;
  hybrid: Table;
  ids: readonly (string | null)[];
  sampleRows: Int32Array;
  groups: SampleGroups;
  levels: Partial<Record<Target, number>>;
}

/** Metric rows (model "impute-truth", split "missing-truth") of the predicted values with a true value, and how many were scored. */
export function truthMetricRows(truth: Table, s: TruthScoring, o: HybridStepOptions): { rows: MetricRow[]; scored: number } {
  const k = s.sampleRows.length;
  const tIds = textColumn(truth, "sample_id");
  const rowOf = new Map<string, number>();
  tIds.forEach((id, r) => id !== null && !rowOf.has(id) && rowOf.set(id, r));
  const rows: MetricRow[] = [];
  let scored = 0;
  const origin = s.hybrid.origin as string[];
  TARGETS.forEach((t, ti) => {
    const trueCol = numberColumn(truth, t === "c" ? "c_true_gkg" : "om_true_gkg", tIds.length);
    const idx: number[] = [];
    const truthVal: number[] = [];
    for (let j = 0; j < k; j++) {
      const id = s.ids[s.sampleRows[j]!];
      const r = id === null || id === undefined ? undefined : rowOf.get(id);
      if (origin[ti * k + j] !== "predicted" || r === undefined || Number.isNaN(trueCol[r]!)) continue;
      idx.push(j);
      truthVal.push(trueCol[r]!);
    }
    if (idx.length === 0) return;
    scored += idx.length;
    const pick = (name: string) => {
      const a = s.hybrid[name] as Float64Array;
      return Float64Array.from(idx, (j) => a[ti * k + j]!);
    };
    rows.push(
      ...metricRows({
        step: s.step,
        model: "impute-truth",
        target: t,
        split: "missing-truth",
        observed: Float64Array.from(truthVal),
        predicted: pick("value"),
        low: pick("pi_low"),
        high: pick("pi_high"),
        level: s.levels[t] ?? o.pi_level,
        source: idx.map((i) => s.groups.source[i] ?? null),
        depthTop: Float64Array.from(idx, (i) => s.groups.depthTop[i]!),
      }),
    );
  });
  return { rows, scored };
}

/** hybrid_meta: where the samples came from, the models and levels, the counts and the options. */
export function hybridMeta(
  samplesFrom: string,
  res: HybridResult,
  levels: Partial<Record<Target, number>>,
  sizes: { n: number; scored: number | null },
  o: HybridStepOptions,
): Record<string, unknown> {
  return {
    samples_from: samplesFrom,
    models: o.models,
    pi_level: levels,
    counts: res.counts,
    set_aside: res.setAside,
    n_samples: sizes.n,
    n_ids: res.rows.length,
    reject_out_of_domain: o.reject_out_of_domain,
    cell_deg: o.cell_deg,
    truth_scored: sizes.scored,
  };
}

/** Per target: measured, predicted, rejected, and the measured values set aside by code. */
export function hybridLogLine({ counts, setAside }: HybridResult): string {
  const asideText = (t: Target) => {
    const e = Object.entries(setAside[t]);
    return e.length ? ` (${e.reduce((a, [, v]) => a + v, 0)} measured set aside: ${e.map(([c, v]) => `${v} ${c}`).join(", ")})` : "";
  };
  return TARGETS.map(
    (t) => `${t}: ${counts[t].measured} measured, ${counts[t].predicted} predicted, ${counts[t].rejected} rejected${asideText(t)}`,
  ).join("; ");
}
