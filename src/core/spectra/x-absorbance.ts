/**
 * Reflectance → absorbance, A = log10(1/R) (R a fraction) or A = 2 − log10(R%) (percent).
 * R ≤ 0 (or NaN) cannot be converted: the value becomes NaN and is counted so the caller can
 * flag/repair it. R above 100 % gives negative absorbance and is kept (a usable relative value).
 */
import type { SpectralUnit } from "./block.js";
import type { NumArray } from "../chemometrics/types.js";

export interface AbsorbanceResult {
  values: Float64Array;
  /** How many values were ≤ 0 (or NaN) and became NaN. */
  nonpositive: number;
  /** How many reflectance values exceeded 1 (100 %): negative absorbance, kept. */
  aboveOne: number;
}

export function xAbsorbance(y: NumArray, options: { unit: SpectralUnit }): AbsorbanceResult {
  const { unit } = options;
  const out = new Float64Array(y.length);
  if (unit === "absorbance") {
    out.set(y);
    return { values: out, nonpositive: 0, aboveOne: 0 };
  }
  if (unit !== "reflectance" && unit !== "reflectance_percent") {
    throw new RangeError(`xAbsorbance: unknown unit "${String(unit)}" (absorbance, reflectance, reflectance_percent)`);
  }
  const scale = unit === "reflectance_percent" ? 100 : 1;
  let nonpositive = 0;
  let aboveOne = 0;
  for (let i = 0; i < y.length; i++) {
    const r = y[i]! / scale;
    if (!(r > 0)) {
      out[i] = NaN;
      nonpositive++;
    } else {
      if (r > 1) aboveOne++;
      out[i] = -Math.log10(r);
    }
  }
  return { values: out, nonpositive, aboveOne };
}
