import type { MatrixShape, NumArray } from "./types.js";

/**
 * At most `max` evenly spaced rows of a row-major matrix (the matrix itself when it has no more):
 * a deterministic subsample for fits and diagnostics whose cost grows faster than n.
 */
export function evenRows(values: NumArray, shape: MatrixShape, max: number): { values: NumArray; shape: MatrixShape } {
  const { rows: n, cols: p } = shape;
  if (n <= max) return { values, shape };
  const out = new Float32Array(max * p);
  for (let i = 0; i < max; i++) {
    const r = Math.floor((i * n) / max);
    out.set(values.subarray(r * p, (r + 1) * p), i * p);
  }
  return { values: out, shape: { rows: max, cols: p } };
}
