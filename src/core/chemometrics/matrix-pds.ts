/**
 * Piecewise direct standardization: for every master wavenumber j, a ridge regression with
 * intercept from the slave window j − w … j + w (clipped at the ends) to the master value j,
 * fitted on transfer pairs. F is banded; the intercepts are the offset.
 */
import { matrixRidge } from "./ridge-regression.js";
import { checkShape, type NumArray } from "./types.js";

export interface PdsModel {
  p: number;
  halfWindow: number;
  /** Per j: first slave column of its window. */
  start: Int32Array;
  /** Per j: coefficients over its window (length ≤ 2w + 1), packed at j·(2w + 1). */
  coefficients: Float64Array;
  width: Int32Array;
  offset: Float64Array;
}

export interface PdsOptions {
  rows: number;
  cols: number;
  /** Half window w (window = 2w + 1 points). Default 5. */
  halfWindow?: number;
  /** Ridge penalty relative to the window's mean variance x rows. Default 0.01. */
  ridge?: number;
}

export function matrixPdsFit(master: NumArray, slave: NumArray, options: PdsOptions): PdsModel {
  checkShape(master, options, "matrixPdsFit (master)");
  checkShape(slave, options, "matrixPdsFit (slave)");
  const { rows: t, cols: p } = options;
  const w = options.halfWindow ?? 5;
  const ridge = options.ridge ?? 0.01;
  if (!Number.isInteger(w) || w < 0 || 2 * w + 1 > p)
    throw new RangeError(`matrixPdsFit: halfWindow must be an integer in [0, ${(p - 1) / 2}], got ${w}`);
  if (!(ridge >= 0)) throw new RangeError(`matrixPdsFit: ridge must be >= 0, got ${ridge}`);
  if (t < 3) throw new RangeError(`matrixPdsFit: need at least 3 transfer pairs, got ${t}`);
  const m = 2 * w + 1;
  const start = new Int32Array(p);
  const width = new Int32Array(p);
  const coefficients = new Float64Array(p * m);
  const offset = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const s0 = Math.max(0, j - w);
    const s1 = Math.min(p - 1, j + w);
    const wd = s1 - s0 + 1;
    const x = new Float64Array(t * wd);
    const y = new Float64Array(t);
    let tr = 0;
    for (let i = 0; i < t; i++) {
      y[i] = master[i * p + j]!;
      for (let l = 0; l < wd; l++) x[i * wd + l] = slave[i * p + s0 + l]!;
    }
    for (let l = 0; l < wd; l++) {
      let mu = 0;
      for (let i = 0; i < t; i++) mu += x[i * wd + l]!;
      mu /= t;
      for (let i = 0; i < t; i++) tr += (x[i * wd + l]! - mu) ** 2;
    }
    const model = matrixRidge(x, y, { rows: t, cols: wd, lambda: (ridge * tr) / wd + 1e-12 });
    start[j] = s0;
    width[j] = wd;
    coefficients.set(model.coefficients, j * m);
    offset[j] = model.intercept;
  }
  return { p, halfWindow: w, start, coefficients, width, offset };
}

export function matrixPdsApply(values: NumArray, shape: { rows: number; cols: number }, model: PdsModel): Float32Array {
  checkShape(values, shape, "matrixPdsApply");
  const { rows: n, cols: p } = shape;
  if (p !== model.p) throw new RangeError(`matrixPdsApply: ${p} cols, model has ${model.p}`);
  const m = 2 * model.halfWindow + 1;
  const out = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = model.offset[j]!;
      const s0 = model.start[j]!;
      for (let l = 0; l < model.width[j]!; l++) s += model.coefficients[j * m + l]! * values[i * p + s0 + l]!;
      out[i * p + j] = s;
    }
  }
  return out;
}
