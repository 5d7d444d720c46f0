/**
 * Target conversion to g/kg and the checks every reader reports: physically impossible
 * values (kept as read, for QC to decide) and unit suspicions (a column in % that looks
 * like g/kg, or the reverse). Limits: C <= 580 g/kg, OM <= 1000 g/kg, OM >= C.
 */
import { DEFAULT_PHYSICAL_RANGE } from "../core/chemometrics/physical-range.js";

export type TargetUnit = "percent" | "gkg";

/** From the one canonical definition, DEFAULT_PHYSICAL_RANGE. */
export const C_MAX_GKG = DEFAULT_PHYSICAL_RANGE.cMax;
export const OM_MAX_GKG = DEFAULT_PHYSICAL_RANGE.omMax;
const C_MIN_GKG = DEFAULT_PHYSICAL_RANGE.cMin;
const OM_MIN_GKG = DEFAULT_PHYSICAL_RANGE.omMin;

/** % to g/kg in place (x10), rounded to 12 significant digits so 1.62 % reads 16.2, not 16.200000000000003. */
export function percentToGkgInPlace(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) values[i] = Number((v * 10).toPrecision(12));
  }
  return values;
}

export interface TargetIssues {
  /** Rows (0-based) with C < 0 or C > C_MAX_GKG (580 g/kg). */
  cImpossible: number[];
  /** Rows with OM < 0 or OM > OM_MAX_GKG (1000 g/kg). */
  omImpossible: number[];
  /** Rows with both measured and OM < C. */
  omBelowC: number[];
  /** Human-readable unit suspicions, empty if none. */
  unitWarnings: string[];
}

function median(v: Float64Array): number {
  const f = Array.from(v)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  if (f.length === 0) return NaN;
  const m = f.length >> 1;
  return f.length % 2 ? f[m]! : (f[m - 1]! + f[m]!) / 2;
}

/** c, om in g/kg after conversion; `declared` says what the user claimed the file held. */
export function checkTargets(c: Float64Array, om: Float64Array, declared: { c: TargetUnit; om: TargetUnit }): TargetIssues {
  const issues: TargetIssues = { cImpossible: [], omImpossible: [], omBelowC: [], unitWarnings: [] };
  for (let i = 0; i < c.length; i++) {
    const ci = c[i]!;
    const oi = om[i]!;
    if (ci < C_MIN_GKG || ci > C_MAX_GKG) issues.cImpossible.push(i);
    if (oi < OM_MIN_GKG || oi > OM_MAX_GKG) issues.omImpossible.push(i);
    if (Number.isFinite(ci) && Number.isFinite(oi) && oi < ci) issues.omBelowC.push(i);
  }
  // Typical mineral soils hold 2-40 g/kg C: a median far outside says the unit is wrong.
  const mc = median(c);
  if (mc > 150)
    issues.unitWarnings.push(`median C is ${mc.toFixed(1)} g/kg after reading it as ${declared.c}: is the column already in g/kg?`);
  if (mc < 0.5)
    issues.unitWarnings.push(`median C is ${mc.toFixed(3)} g/kg after reading it as ${declared.c}: is the column in % (set unit percent)?`);
  const mo = median(om);
  if (mo > 300)
    issues.unitWarnings.push(`median OM is ${mo.toFixed(1)} g/kg after reading it as ${declared.om}: is the column already in g/kg?`);
  if (mo < 1)
    issues.unitWarnings.push(
      `median OM is ${mo.toFixed(3)} g/kg after reading it as ${declared.om}: is the column in % (set unit percent)?`,
    );
  return issues;
}

/** Short summary for logs and the ingest report (ids of the first few rows). */
export function summarizeIssues(issues: TargetIssues, ids: readonly (string | null)[]) {
  const head = (rows: number[]) => rows.slice(0, 10).map((r) => ids[r] ?? `row ${r + 1}`);
  return {
    c_impossible: issues.cImpossible.length,
    c_impossible_ids: head(issues.cImpossible),
    om_impossible: issues.omImpossible.length,
    om_impossible_ids: head(issues.omImpossible),
    om_below_c: issues.omBelowC.length,
    om_below_c_ids: head(issues.omBelowC),
    unit_warnings: issues.unitWarnings,
  };
}
