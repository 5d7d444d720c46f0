/**
 * External parameter orthogonalization: the top `components` right singular vectors V of the
 * transfer differences D = X_slave − X_master span what should be zero; every spectrum is
 * projected off them, x − (x·V)Vᵀ (applied to all sources, the reference included).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export function matrixEpoFit(master: NumArray, slave: NumArray, options: MatrixShape & { components?: number }): Float64Array {
  checkShape(master, options, "matrixEpoFit (master)");
  checkShape(slave, options, "matrixEpoFit (slave)");
  const { rows: t, cols: p } = options;
  const m = options.components ?? 2;
  if (!Number.isInteger(m) || m < 1 || m > t) throw new RangeError(`matrixEpoFit: components must be an integer in [1, ${t}], got ${m}`);
  const d = new Float64Array(t * p);
  for (let i = 0; i < t * p; i++) d[i] = slave[i]! - master[i]!;
  const g = new Matrix(t, t);
  for (let i = 0; i < t; i++)
    for (let l = i; l < t; l++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += d[i * p + j]! * d[l * p + j]!;
      g.set(i, l, s);
      g.set(l, i, s);
    }
  const e = new EigenvalueDecomposition(g, { assumeSymmetric: true });
  const ev = e.realEigenvalues;
  const order = ev.map((_, i) => i).sort((a, b) => ev[b]! - ev[a]!);
  const v = new Float64Array(p * m); // p x m
  for (let c = 0; c < m; c++) {
    const sigma = Math.sqrt(Math.max(ev[order[c]!]!, 0));
    if (!(sigma > 0)) break;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < t; i++) s += d[i * p + j]! * e.eigenvectorMatrix.get(i, order[c]!);
      v[j * m + c] = s / sigma;
    }
  }
  return v;
}

export function matrixEpoApply(values: NumArray, shape: MatrixShape, v: Float64Array): Float32Array {
  checkShape(values, shape, "matrixEpoApply");
  const { rows: n, cols: p } = shape;
  const m = v.length / p;
  const out = new Float32Array(n * p);
  const s = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    s.fill(0);
    for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) s[c]! += values[i * p + j]! * v[j * m + c]!;
    for (let j = 0; j < p; j++) {
      let x = values[i * p + j]!;
      for (let c = 0; c < m; c++) x -= s[c]! * v[j * m + c]!;
      out[i * p + j] = x;
    }
  }
  return out;
}
