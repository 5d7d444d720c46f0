/**
 * The hybrid dataset: one row per sample and target (c, om) holding the measured value where
 * there is one, otherwise the model's prediction, otherwise a rejection with its reason.
 *
 * Rules, in order, for sample i and target t:
 * 1. A measured value (finite) is kept as is — the same float64, never adjusted — origin
 *    "measured" (physically odd measured values are the QC step's business, not ours).
 * 2. No model configured for t → rejected "no model configured for target t".
 * 3. The sample failed a QC check that makes its prediction unusable (`qcReject[i]` non-null,
 *    e.g. "spectrum failed QC (spectral_outlier)") → rejected with that reason.
 * 4. No prediction row, or a NaN prediction → rejected "no prediction (no usable spectrum)" /
 *    "prediction is NaN".
 * 5. Out of the applicability domain (in_domain false) → rejected only when
 *    `rejectOutOfDomain`; otherwise kept and counted in `share_out_of_domain`.
 * 6. Physical range (SCIENCE.md: C ≤ 580, OM ≤ 1000 g/kg): a prediction above the maximum is
 *    rejected ("prediction above the physical maximum"); one below 0 is set to 0 and flagged
 *    `clamped_to_0`.
 * 7. OM ≥ C, per sample, when both values exist and one is predicted:
 *    - OM predicted, C measured or predicted, OM < C → OM raised to C (`om_raised_to_c`);
 *      its interval ends are raised to at least C (OM < C is impossible).
 *    - C predicted, OM measured, C > OM → C lowered to OM (`c_lowered_to_om`), interval ends
 *      lowered to at most OM.
 *    - both measured and OM < C → left alone, flagged `measured_om_below_c` on the OM row.
 * `predicted_mean`, `predicted_sd`, `pi_low`/`pi_high`, `in_domain` and the model name are filled
 * wherever the model has a prediction — also on measured rows, where they describe the model,
 * not the value (for comparison); `value` is what the dataset uses.
 * Imputation flags go to `impute_flags` (`;`-joined); `qc_flags` is the sample's, unchanged.
 */
import type { Table } from "../table.js";
import { DEFAULT_PHYSICAL_RANGE } from "../chemometrics/physical-range.js";

export type Target = "c" | "om";
export const TARGETS: readonly Target[] = ["c", "om"];
export type Origin = "measured" | "predicted" | "rejected";

/** Physical maxima (g/kg), SCIENCE.md "Targets". */
export const PHYSICAL_MAX: Readonly<Record<Target, number>> = { c: DEFAULT_PHYSICAL_RANGE.cMax, om: DEFAULT_PHYSICAL_RANGE.omMax };

/** One model's predictions for one target, aligned with the samples (NaN / has=0 when none). */
export interface AlignedPredictions {
  model: string;
  has: Uint8Array;
  predicted: Float64Array;
  sd: Float64Array;
  piLow: Float64Array;
  piHigh: Float64Array;
  inDomain: (boolean | null)[];
}

export interface HybridInput {
  sampleId: readonly (string | null)[];
  measured: Readonly<Record<Target, Float64Array>>;
  qcFlags: readonly (string | null)[];
  /** Per sample: why its prediction must not be used (e.g. the spectrum failed QC), or null. */
  qcReject: readonly (string | null)[];
  predictions: Partial<Record<Target, AlignedPredictions>>;
}

export interface HybridOptions {
  /** Reject predictions flagged out of the applicability domain; default false (kept, counted). */
  rejectOutOfDomain?: boolean;
  /** Physical maxima; default PHYSICAL_MAX. */
  max?: Partial<Record<Target, number>>;
}

export interface HybridResult {
  /** Columns: sample_id, target, value, origin, predicted_mean, predicted_sd, pi_low, pi_high,
   * in_domain, qc_flags, model, reason, impute_flags. Rows: all samples for c, then for om. */
  table: Table;
  counts: Record<Target, Record<Origin, number>>;
}

/** Aligns a `predictions` table's rows of one target to the samples by sample_id (first row wins). */
export function alignPredictions(
  sampleId: readonly (string | null)[],
  predictions: Table,
  target: Target,
  model: string,
): AlignedPredictions {
  const ids = predictions.sample_id as (string | null)[];
  const tg = predictions.target as (string | null)[];
  const num = (name: string): Float64Array => {
    const c = predictions[name];
    return c instanceof Float64Array ? c : new Float64Array(ids.length).fill(NaN);
  };
  const pred = num("predicted");
  const sd = num("sd");
  const lo = num("pi_low");
  const hi = num("pi_high");
  const dom = (predictions.in_domain as (boolean | null)[] | undefined) ?? [];
  const at = new Map<string, number>();
  ids.forEach((id, r) => {
    if (id !== null && tg[r] === target && !at.has(id)) at.set(id, r);
  });
  const n = sampleId.length;
  const out: AlignedPredictions = {
    model, has: new Uint8Array(n), predicted: new Float64Array(n).fill(NaN), sd: new Float64Array(n).fill(NaN),
    piLow: new Float64Array(n).fill(NaN), piHigh: new Float64Array(n).fill(NaN), inDomain: new Array(n).fill(null),
  };
  sampleId.forEach((id, i) => {
    const r = id === null ? undefined : at.get(id);
    if (r === undefined) return;
    out.has[i] = 1;
    out.predicted[i] = pred[r]!;
    out.sd[i] = sd[r]!;
    out.piLow[i] = lo[r]!;
    out.piHigh[i] = hi[r]!;
    out.inDomain[i] = dom[r] ?? null;
  });
  return out;
}

interface Cell {
  value: number;
  origin: Origin;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
  inDomain: boolean | null;
  model: string | null;
  reason: string | null;
  flags: string[];
}

export function buildHybrid(input: HybridInput, options: HybridOptions = {}): HybridResult {
  const n = input.sampleId.length;
  for (const t of TARGETS) {
    if (input.measured[t].length !== n) throw new RangeError(`measured ${t} has ${input.measured[t].length} rows, expected ${n}`);
    const p = input.predictions[t];
    if (p && p.predicted.length !== n) throw new RangeError(`predictions ${t} have ${p.predicted.length} rows, expected ${n}`);
  }
  if (input.qcFlags.length !== n || input.qcReject.length !== n) throw new RangeError("qcFlags/qcReject length differs from sampleId");
  const max = { ...PHYSICAL_MAX, ...options.max };
  const cells: Record<Target, Cell[]> = { c: [], om: [] };
  for (let i = 0; i < n; i++) {
    for (const t of TARGETS) {
      const p = input.predictions[t];
      const has = p !== undefined && p.has[i] === 1;
      const cell: Cell = {
        value: NaN, origin: "rejected", mean: has ? p.predicted[i]! : NaN, sd: has ? p.sd[i]! : NaN,
        lo: has ? p.piLow[i]! : NaN, hi: has ? p.piHigh[i]! : NaN, inDomain: has ? p.inDomain[i]! : null,
        model: has ? p.model : null, reason: null, flags: [],
      };
      const m = input.measured[t][i]!;
      if (Number.isFinite(m)) {
        cell.value = m;
        cell.origin = "measured";
      } else if (!p) cell.reason = `no model configured for target ${t}`;
      else if (input.qcReject[i]) cell.reason = input.qcReject[i]!;
      else if (!has) cell.reason = "no prediction (no usable spectrum)";
      else if (Number.isNaN(cell.mean)) cell.reason = "prediction is NaN";
      else if (cell.inDomain === false && options.rejectOutOfDomain) cell.reason = "out of the applicability domain";
      else if (cell.mean > max[t]) cell.reason = `prediction above the physical maximum (${max[t]} g/kg)`;
      else {
        cell.origin = "predicted";
        cell.value = cell.mean;
        if (cell.value < 0) {
          cell.value = 0;
          cell.lo = Math.max(0, cell.lo);
          cell.hi = Math.max(0, cell.hi);
          cell.flags.push("clamped_to_0");
        }
      }
      cells[t].push(cell);
    }
    const c = cells.c[i]!;
    const om = cells.om[i]!;
    if (c.origin !== "rejected" && om.origin !== "rejected" && om.value < c.value) {
      if (om.origin === "predicted") {
        om.value = c.value;
        om.lo = Math.max(om.lo, c.value);
        om.hi = Math.max(om.hi, c.value);
        om.flags.push("om_raised_to_c");
      } else if (c.origin === "predicted") {
        c.value = om.value;
        c.lo = Math.min(c.lo, om.value);
        c.hi = Math.min(c.hi, om.value);
        c.flags.push("c_lowered_to_om");
      } else om.flags.push("measured_om_below_c");
    }
  }
  const rows = TARGETS.flatMap((t) => cells[t].map((cell, i) => ({ t, i, cell })));
  const counts = {
    c: { measured: 0, predicted: 0, rejected: 0 },
    om: { measured: 0, predicted: 0, rejected: 0 },
  } satisfies Record<Target, Record<Origin, number>>;
  for (const r of rows) counts[r.t][r.cell.origin]++;
  const table: Table = {
    sample_id: rows.map((r) => input.sampleId[r.i] ?? null),
    target: rows.map((r) => r.t),
    value: Float64Array.from(rows, (r) => r.cell.value),
    origin: rows.map((r) => r.cell.origin),
    predicted_mean: Float64Array.from(rows, (r) => r.cell.mean),
    predicted_sd: Float64Array.from(rows, (r) => r.cell.sd),
    pi_low: Float64Array.from(rows, (r) => r.cell.lo),
    pi_high: Float64Array.from(rows, (r) => r.cell.hi),
    in_domain: rows.map((r) => r.cell.inDomain),
    qc_flags: rows.map((r) => input.qcFlags[r.i] ?? null),
    model: rows.map((r) => r.cell.model),
    reason: rows.map((r) => r.cell.reason),
    impute_flags: rows.map((r) => (r.cell.flags.length ? r.cell.flags.join(";") : null)),
  };
  return { table, counts };
}
