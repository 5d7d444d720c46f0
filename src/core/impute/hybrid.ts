/**
 * The hybrid dataset: one row per sample id and target (c, om) holding the measured value where
 * it is usable, otherwise the model's prediction, otherwise a rejection with its reason.
 *
 * Duplicated ids first (so sample_id × target is unique): the samples sharing an id become one
 * row per target, at the first sample's position. For target t, when their measured values
 * agree (the same float64, or all missing) that value is used as for any sample; when they
 * differ, the row is rejected with `set_aside` "duplicate_id" (which lab row is right cannot be
 * told, and a prediction from one of the spectra would be as ambiguous). `measured` then holds
 * the first sample's value.
 *
 * Rules, in order, for sample i and target t:
 * 1. A measured value (finite) is set aside — never the `value` — when it is physically
 *    impossible or failed QC; the code goes to `set_aside`:
 *    - `t_negative` / `t_above_max`: outside the physical range (C in [0, 580], OM in
 *      [0, 1000] g/kg by default), checked here and also taken from the sample's QC flags;
 *    - `t_unit_suspect`: the QC step's unit check flagged it (e.g. a % value in a g/kg column);
 *    - `om_below_c`: both measured (and not set aside otherwise) with OM < C, or the QC flag:
 *      which of the two is wrong cannot be told, so both are set aside.
 *    A set-aside value stays, byte-identical, in `measured`; the row is then filled like an
 *    unmeasured one (rules 3–7).
 * 2. Otherwise a measured value is kept as is — the same float64, never adjusted — origin
 *    "measured".
 * 3. No model configured for t → rejected "no model configured for target t".
 * 4. The sample failed a QC check that makes its prediction unusable (`qcReject[i]` non-null,
 *    e.g. "spectrum failed QC (spectral_outlier)") → rejected with that reason.
 * 5. No prediction row, or a NaN prediction → rejected "no prediction (no usable spectrum)" /
 *    "prediction is NaN".
 * 6. Out of the applicability domain (in_domain false) → rejected only when
 *    `rejectOutOfDomain`; otherwise kept and counted in `share_out_of_domain`.
 * 7. Physical range: a prediction above the maximum is rejected ("prediction above the
 *    physical maximum"); one below 0 is set to 0 and flagged `clamped_to_0`.
 * 8. OM ≥ C, per sample, when both values exist and one is predicted:
 *    - OM predicted, C measured or predicted, OM < C → OM raised to C (`om_raised_to_c`);
 *      its interval ends are raised to at least C (OM < C is impossible).
 *    - C predicted, OM measured, C > OM → C lowered to OM (`c_lowered_to_om`), interval ends
 *      lowered to at most OM.
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

/** Why a measured value is not the value to use (the `set_aside` column). */
export type SetAside = `${Target}_negative` | `${Target}_above_max` | `${Target}_unit_suspect` | "om_below_c" | "duplicate_id";
export const SET_ASIDE_CODES: readonly SetAside[] = [
  "c_negative",
  "c_above_max",
  "c_unit_suspect",
  "om_negative",
  "om_above_max",
  "om_unit_suspect",
  "om_below_c",
  "duplicate_id",
];

export interface HybridResult {
  /** Columns: sample_id, target, value, origin, measured, set_aside, predicted_mean,
   * predicted_sd, pi_low, pi_high, in_domain, qc_flags, model, reason, impute_flags.
   * Rows: one per distinct sample id for c, then the same for om. */
  table: Table;
  /** Sample index behind row k of each target (the first sample of a duplicated id). */
  rows: Int32Array;
  counts: Record<Target, Record<Origin, number>>;
  /** Measured values set aside, per target and code. */
  setAside: Record<Target, Partial<Record<SetAside, number>>>;
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
    model,
    has: new Uint8Array(n),
    predicted: new Float64Array(n).fill(NaN),
    sd: new Float64Array(n).fill(NaN),
    piLow: new Float64Array(n).fill(NaN),
    piHigh: new Float64Array(n).fill(NaN),
    inDomain: new Array(n).fill(null),
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
  measured: number;
  setAside: SetAside | null;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
  inDomain: boolean | null;
  model: string | null;
  reason: string | null;
  flags: string[];
}

/** Samples sharing an id: for each distinct id (and each null id) its sample indices, first first. */
function groupById(sampleId: readonly (string | null)[]): number[][] {
  const groups: number[][] = [];
  const at = new Map<string, number[]>();
  sampleId.forEach((id, i) => {
    if (id === null) return void groups.push([i]);
    const g = at.get(id);
    if (g) g.push(i);
    else {
      const ng = [i];
      at.set(id, ng);
      groups.push(ng);
    }
  });
  return groups;
}

/** Float64 identity (so 0 and -0 differ, and two NaNs agree): what "the values agree" means. */
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

export function buildHybrid(input: HybridInput, options: HybridOptions = {}): HybridResult {
  const n = input.sampleId.length;
  for (const t of TARGETS) {
    if (input.measured[t].length !== n) throw new RangeError(`measured ${t} has ${input.measured[t].length} rows, expected ${n}`);
    const p = input.predictions[t];
    if (p && p.predicted.length !== n) throw new RangeError(`predictions ${t} have ${p.predicted.length} rows, expected ${n}`);
  }
  if (input.qcFlags.length !== n || input.qcReject.length !== n) throw new RangeError("qcFlags/qcReject length differs from sampleId");
  const max = { ...PHYSICAL_MAX, ...options.max };
  const groups = groupById(input.sampleId);
  const cells: Record<Target, Cell[]> = { c: [], om: [] };
  for (const group of groups) {
    const i = group[0]!;
    const flags = new Set((input.qcFlags[i] ?? "").split(";").filter(Boolean));
    // set-aside codes of the measured values (before the fill)
    const aside: Record<Target, SetAside | null> = { c: null, om: null };
    for (const t of TARGETS) {
      const m = input.measured[t][i]!;
      if (group.some((j) => !same(input.measured[t][j]!, m))) aside[t] = "duplicate_id";
      else if (!Number.isFinite(m)) continue;
      else if (m < 0 || flags.has(`${t}_negative`)) aside[t] = `${t}_negative`;
      else if (m > max[t] || flags.has(`${t}_above_max`)) aside[t] = `${t}_above_max`;
      else if (flags.has(`${t}_unit_suspect`)) aside[t] = `${t}_unit_suspect`;
    }
    const mc = input.measured.c[i]!;
    const mom = input.measured.om[i]!;
    if (aside.c === null && aside.om === null && Number.isFinite(mc) && Number.isFinite(mom) && (mom < mc || flags.has("om_below_c"))) {
      aside.c = "om_below_c";
      aside.om = "om_below_c";
    }
    for (const t of TARGETS) {
      const p = input.predictions[t];
      const has = p !== undefined && p.has[i] === 1;
      const m = input.measured[t][i]!;
      const cell: Cell = {
        value: NaN,
        origin: "rejected",
        measured: m,
        setAside: aside[t],
        mean: has ? p.predicted[i]! : NaN,
        sd: has ? p.sd[i]! : NaN,
        lo: has ? p.piLow[i]! : NaN,
        hi: has ? p.piHigh[i]! : NaN,
        inDomain: has ? p.inDomain[i]! : null,
        model: has ? p.model : null,
        reason: null,
        flags: [],
      };
      if (aside[t] === "duplicate_id") {
        const vals = group.map((j) => input.measured[t][j]!).map((v) => (Number.isFinite(v) ? String(v) : "missing"));
        cell.reason = `id ${input.sampleId[i]} used by ${group.length} samples with different measured ${t} (${vals.join(", ")})`;
      } else if (Number.isFinite(m) && aside[t] === null) {
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
    const c = cells.c[cells.c.length - 1]!;
    const om = cells.om[cells.om.length - 1]!;
    // two measured values with OM < C were set aside above, so one of them is predicted here
    if (c.origin !== "rejected" && om.origin !== "rejected" && om.value < c.value) {
      if (om.origin === "predicted") {
        om.value = c.value;
        om.lo = Math.max(om.lo, c.value);
        om.hi = Math.max(om.hi, c.value);
        om.flags.push("om_raised_to_c");
      } else {
        c.value = om.value;
        c.lo = Math.min(c.lo, om.value);
        c.hi = Math.min(c.hi, om.value);
        c.flags.push("c_lowered_to_om");
      }
    }
  }
  const first = Int32Array.from(groups, (g) => g[0]!);
  const rows = TARGETS.flatMap((t) => cells[t].map((cell, k) => ({ t, i: first[k]!, cell })));
  const counts = {
    c: { measured: 0, predicted: 0, rejected: 0 },
    om: { measured: 0, predicted: 0, rejected: 0 },
  } satisfies Record<Target, Record<Origin, number>>;
  const setAside: Record<Target, Partial<Record<SetAside, number>>> = { c: {}, om: {} };
  for (const r of rows) {
    counts[r.t][r.cell.origin]++;
    if (r.cell.setAside) setAside[r.t][r.cell.setAside] = (setAside[r.t][r.cell.setAside] ?? 0) + 1;
  }
  const table: Table = {
    sample_id: rows.map((r) => input.sampleId[r.i] ?? null),
    target: rows.map((r) => r.t),
    value: Float64Array.from(rows, (r) => r.cell.value),
    origin: rows.map((r) => r.cell.origin),
    measured: Float64Array.from(rows, (r) => r.cell.measured),
    set_aside: rows.map((r) => r.cell.setAside),
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
  return { table, rows: first, counts, setAside };
}
