/**
 * Per-spectrum normalizations (in place):
 * - `snv`: (y − mean)/sd, sd with n − 1;
 * - `baseline`: y − min (baseline offset);
 * - `minmax`: (y − min)/(max − min);
 * - `vector`: y/‖y‖₂;
 * - `area`: y/Σ|y| (area under |y| with unit spacing; the grid is uniform);
 * - `none`.
 * Returns false when the spectrum is degenerate for the method (constant for snv/minmax,
 * zero for vector/area): the values are then left as they were, for the caller to flag.
 */
export type NormalizeMethod = "snv" | "baseline" | "minmax" | "vector" | "area" | "none";

export const NORMALIZE_METHODS: readonly NormalizeMethod[] = ["snv", "baseline", "minmax", "vector", "area", "none"];

export function xNormalize(y: Float64Array | Float32Array, options: { method: NormalizeMethod }): boolean {
  const { method } = options;
  const n = y.length;
  if (n === 0) throw new RangeError("xNormalize: empty spectrum");
  switch (method) {
    case "none":
      return true;
    case "snv": {
      if (n < 2) throw new RangeError("xNormalize: snv needs at least 2 points");
      let m = 0;
      for (let i = 0; i < n; i++) m += y[i]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (y[i]! - m) ** 2;
      const sd = Math.sqrt(v / (n - 1));
      if (!(sd > 1e-12 * Math.max(1, Math.abs(m)))) return false;
      for (let i = 0; i < n; i++) y[i] = (y[i]! - m) / sd;
      return true;
    }
    case "baseline":
    case "minmax": {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, y[i]!);
        hi = Math.max(hi, y[i]!);
      }
      if (method === "baseline") {
        for (let i = 0; i < n; i++) y[i] = y[i]! - lo;
        return true;
      }
      const r = hi - lo;
      if (!(r > 1e-12 * Math.max(1, Math.abs(hi)))) return false;
      for (let i = 0; i < n; i++) y[i] = (y[i]! - lo) / r;
      return true;
    }
    case "vector":
    case "area": {
      let s = 0;
      for (let i = 0; i < n; i++) s += method === "vector" ? y[i]! * y[i]! : Math.abs(y[i]!);
      const d = method === "vector" ? Math.sqrt(s) : s;
      if (!(d > 0)) return false;
      for (let i = 0; i < n; i++) y[i] = y[i]! / d;
      return true;
    }
    default:
      throw new RangeError(`xNormalize: unknown method "${String(method)}" (${NORMALIZE_METHODS.join(", ")})`);
  }
}
