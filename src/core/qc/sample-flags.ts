/**
 * Per-sample QC flags ("reasons") and what is derived from them: the flag columns added to
 * `samples`, the per-source counts of `qc_summary`, and the per-source rule that a C column
 * looks like % rather than g/kg.
 */

/** Reasons that say the spectrum is not to be trusted (`no_spectrum` is in the list but never makes an outlier). */
const SPECTRAL_REASONS = new Set(["flat", "saturated", "spike", "q_residual", "t2", "no_spectrum"]);

/**
 * Each sample's spectrum row, by id: the k-th sample with an id gets the k-th spectrum with it
 * (the last one once they run out); −1 when no spectrum has the id.
 */
export function spectrumRowOfSample(sampleIds: readonly (string | null)[], spectrumIds: readonly string[]): Int32Array {
  const rowsOf = new Map<string, number[]>();
  spectrumIds.forEach((id, i) => rowsOf.set(id, [...(rowsOf.get(id) ?? []), i]));
  const used = new Map<string, number>();
  const rowOf = new Int32Array(sampleIds.length).fill(-1);
  sampleIds.forEach((id, i) => {
    if (id === null) return;
    const list = rowsOf.get(id);
    const u = used.get(id) ?? 0;
    if (list && list.length) {
      rowOf[i] = list[Math.min(u, list.length - 1)]!;
      used.set(id, u + 1);
    }
  });
  return rowOf;
}

export interface SampleReasonInput {
  sampleId: readonly (string | null)[];
  /** Per sample: its spectrum row, or −1. */
  rowOf: Int32Array;
  /** Per spectrum row: scan defects, Q, its Q limit, T². */
  scan: readonly (readonly string[])[];
  q: ArrayLike<number>;
  qLimit: ArrayLike<number>;
  t2: ArrayLike<number>;
  t2Limit: number;
  /** Per sample: physical-range violations of the lab values. */
  violations: readonly (readonly string[])[];
}

export interface SampleReasons {
  /** Per sample, in this order: id, spectrum (scan, q_residual, t2), lab-value reasons. */
  reasons: string[][];
  /** Per sample: T² beyond its limit but not flagged (`t2: "report"`). */
  t2Extreme: Uint8Array;
}

export function sampleReasons(input: SampleReasonInput, options: { t2: "report" | "flag" }): SampleReasons {
  const { sampleId, rowOf, scan, q, qLimit, t2 } = input;
  const n = sampleId.length;
  const idCount = new Map<string, number>();
  for (const id of sampleId) if (id !== null) idCount.set(id, (idCount.get(id) ?? 0) + 1);
  const reasons: string[][] = Array.from({ length: n }, () => []);
  const t2Extreme = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = reasons[i]!;
    const id = sampleId[i] ?? null;
    if (id === null) r.push("missing_id");
    else if ((idCount.get(id) ?? 0) > 1) r.push("duplicate_id");
    const row = rowOf[i]!;
    if (row < 0) r.push("no_spectrum");
    else {
      r.push(...scan[row]!);
      if (q[row]! > qLimit[row]!) r.push("q_residual");
      if (t2[row]! > input.t2Limit) {
        if (options.t2 === "flag") r.push("t2");
        else t2Extreme[i] = 1;
      }
    }
    r.push(...input.violations[i]!);
  }
  return { reasons, t2Extreme };
}

export interface FlagColumns {
  /** `;`-joined reasons, null when clean. */
  qcFlags: (string | null)[];
  spectralOutlier: boolean[];
  /** Any reason but `t2` alone: an extreme but well-modelled spectrum is real soil variation. */
  excludeTrain: boolean[];
}

export function flagColumns(reasons: readonly (readonly string[])[]): FlagColumns {
  return {
    qcFlags: reasons.map((r) => (r.length ? r.join(";") : null)),
    spectralOutlier: reasons.map((r) => r.some((x) => SPECTRAL_REASONS.has(x) && x !== "no_spectrum")),
    excludeTrain: reasons.map((r) => r.some((x) => x !== "t2")),
  };
}

/** A source whose lab C looks like % written in a g/kg column. */
export interface PercentLookingSource {
  source: string;
  /** Non-negative C values of the source. */
  n: number;
  median: number;
}

/**
 * Sources (≥ 10 values) with median C < 1.5 and 90th percentile < 6 "g/kg": real soils that
 * low throughout are implausible, a % column is not. A hint for harmonize.targets `units`,
 * not a sample flag. Sources in order of first appearance; null source = "".
 */
export function percentLookingSources(c: ArrayLike<number>, source: readonly (string | null)[]): PercentLookingSource[] {
  const bySource = new Map<string, number[]>();
  source.forEach((s, i) => {
    if (Number.isFinite(c[i]!) && c[i]! >= 0) bySource.set(s ?? "", [...(bySource.get(s ?? "") ?? []), c[i]!]);
  });
  const out: PercentLookingSource[] = [];
  for (const [s, vals] of bySource) {
    vals.sort((a, b) => a - b);
    const median = vals[Math.floor(vals.length / 2)]!;
    if (vals.length >= 10 && median < 1.5 && vals[Math.floor(vals.length * 0.9)]! < 6) out.push({ source: s, n: vals.length, median });
  }
  return out;
}

export interface QcSummary {
  source: string[];
  reason: string[];
  count: Float64Array;
}

/**
 * Samples per (source, reason), `t2_extreme` included, plus one `source_c_looks_percent` row
 * per such source (count = its C values); sorted by source, then reason.
 */
export function qcSummary(
  reasons: readonly (readonly string[])[],
  t2Extreme: Uint8Array,
  source: readonly (string | null)[],
  percentSources: readonly PercentLookingSource[],
): QcSummary {
  const counts = new Map<string, number>();
  reasons.forEach((r0, i) => {
    const r = t2Extreme[i] ? [...r0, "t2_extreme"] : r0;
    for (const x of r) counts.set(`${source[i] ?? ""}\u0000${x}`, (counts.get(`${source[i] ?? ""}\u0000${x}`) ?? 0) + 1);
  });
  for (const s of percentSources) counts.set(`${s.source}\u0000source_c_looks_percent`, s.n);
  const keys = [...counts.keys()].sort();
  return {
    source: keys.map((k) => k.split("\u0000")[0]!),
    reason: keys.map((k) => k.split("\u0000")[1]!),
    count: Float64Array.from(keys, (k) => counts.get(k)!),
  };
}
