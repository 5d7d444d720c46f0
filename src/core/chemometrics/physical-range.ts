/**
 * Physical plausibility of soil C and OM (g/kg), usable on lab values and on predictions.
 * Defaults (SCIENCE.md): C in [0, 580] (pure organic matter holds ≤ ~58 % C), OM in [0, 1000],
 * OM ≥ C. NaN (not measured) is never a violation.
 */
export interface PhysicalRange {
  /** Default 0. */
  cMin: number;
  /** Default 580. */
  cMax: number;
  /** Default 0. */
  omMin: number;
  /** Default 1000. */
  omMax: number;
  /** Require OM ≥ C when both are known. Default true. */
  omAtLeastC: boolean;
}

export const DEFAULT_PHYSICAL_RANGE: PhysicalRange = { cMin: 0, cMax: 580, omMin: 0, omMax: 1000, omAtLeastC: true };

/**
 * The conventional OM/C factor (van Bemmelen, OM ≈ 1.724·C: organic matter taken as 58 % C).
 * Real ratios vary (~1.4–2.5; SCIENCE.md), so use it only where a rough C from OM will do.
 */
export const VAN_BEMMELEN = 1.724;

export type RangeViolation = "c_negative" | "c_above_max" | "om_negative" | "om_above_max" | "om_below_c";

/** Per sample: the violated rules (empty when plausible). `om` may be omitted. */
export function physicalRangeViolations(
  c: ArrayLike<number>,
  om?: ArrayLike<number>,
  range: Partial<PhysicalRange> = {},
): RangeViolation[][] {
  const r = { ...DEFAULT_PHYSICAL_RANGE, ...range };
  if (!(r.cMin <= r.cMax) || !(r.omMin <= r.omMax)) {
    throw new RangeError(`physicalRangeViolations: need cMin ≤ cMax and omMin ≤ omMax, got ${JSON.stringify(r)}`);
  }
  if (om && om.length !== c.length) throw new RangeError(`physicalRangeViolations: c has ${c.length} values, om ${om.length}`);
  const out: RangeViolation[][] = [];
  for (let i = 0; i < c.length; i++) {
    const v: RangeViolation[] = [];
    const ci = c[i]!;
    const oi = om ? om[i]! : NaN;
    if (ci < r.cMin) v.push("c_negative");
    if (ci > r.cMax) v.push("c_above_max");
    if (oi < r.omMin) v.push("om_negative");
    if (oi > r.omMax) v.push("om_above_max");
    if (r.omAtLeastC && oi < ci) v.push("om_below_c");
    out.push(v);
  }
  return out;
}

/**
 * Observed values a model cannot be scored against: outside the physical range of their
 * target ("c": [cMin, cMax], "om": [omMin, omMax]; other targets are left alone). Such a value is
 * a failed or mis-entered measurement, not a reference — scoring against it (e.g. −420 g/kg C)
 * would make an honest model look wrong. Returns a copy with them set to NaN (unlabelled, as
 * the hybrid dataset sets them aside) and how many per target.
 */
export function withoutImpossibleObserved(
  target: ArrayLike<string | null>,
  observed: ArrayLike<number>,
  range: Partial<PhysicalRange> = {},
): { observed: Float64Array; setAside: Record<string, number> } {
  const r = { ...DEFAULT_PHYSICAL_RANGE, ...range };
  const limits: Record<string, readonly [number, number]> = { c: [r.cMin, r.cMax], om: [r.omMin, r.omMax] };
  const out = Float64Array.from(observed);
  const setAside: Record<string, number> = {};
  for (let i = 0; i < out.length; i++) {
    const t = target[i];
    const lim = t == null ? undefined : limits[t];
    const v = out[i]!;
    if (!lim || Number.isNaN(v) || (v >= lim[0] && v <= lim[1])) continue;
    out[i] = NaN;
    setAside[t!] = (setAside[t!] ?? 0) + 1;
  }
  return { observed: out, setAside };
}
