/**
 * Ridge regression with intercept (the intercept is not penalized): solves
 * (XcᵀXc + λI) b = Xcᵀyc on centred data. Small dense problems (p ≲ a few hundred).
 */
import { Matrix, solve } from "ml-matrix";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface RidgeModel {
  intercept: number;
  coefficients: Float64Array;
}

export interface RidgeOptions extends MatrixShape {
  /** Penalty λ ≥ 0. Default 1e-8 x trace(XcᵀXc)/p (numerically least squares). */
  lambda?: number;
  subset?: ArrayLike<number>;
}

export function matrixRidge(x: NumArray, y: ArrayLike<number>, options: RidgeOptions): RidgeModel {
  checkShape(x, options, "matrixRidge");
  const { cols: p } = options;
  const rows = options.subset ? Array.from(options.subset) : Array.from({ length: options.rows }, (_, i) => i);
  if (y.length !== options.rows) throw new RangeError(`matrixRidge: y has ${y.length} values for ${options.rows} rows`);
  const n = rows.length;
  if (n < 2) throw new RangeError(`matrixRidge: need at least 2 rows, got ${n}`);
  const mx = new Float64Array(p);
  let my = 0;
  for (const i of rows) {
    for (let j = 0; j < p; j++) mx[j]! += x[i * p + j]!;
    my += y[i]!;
  }
  for (let j = 0; j < p; j++) mx[j]! /= n;
  my /= n;
  const a = new Matrix(p, p);
  const b = new Matrix(p, 1);
  const xc = new Float64Array(p);
  for (const i of rows) {
    for (let j = 0; j < p; j++) xc[j] = x[i * p + j]! - mx[j]!;
    const yc = y[i]! - my;
    for (let j = 0; j < p; j++) {
      b.set(j, 0, b.get(j, 0) + xc[j]! * yc);
      for (let l = j; l < p; l++) a.set(j, l, a.get(j, l) + xc[j]! * xc[l]!);
    }
  }
  let tr = 0;
  for (let j = 0; j < p; j++) {
    for (let l = 0; l < j; l++) a.set(j, l, a.get(l, j));
    tr += a.get(j, j);
  }
  const lambda = options.lambda ?? (1e-8 * tr) / p;
  if (!(lambda >= 0)) throw new RangeError(`matrixRidge: lambda must be >= 0, got ${lambda}`);
  for (let j = 0; j < p; j++) a.set(j, j, a.get(j, j) + lambda);
  const coef = solve(a, b);
  const coefficients = Float64Array.from({ length: p }, (_, j) => coef.get(j, 0));
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= coefficients[j]! * mx[j]!;
  return { intercept, coefficients };
}

export function ridgePredict(x: NumArray, shape: MatrixShape, model: RidgeModel): Float64Array {
  checkShape(x, shape, "ridgePredict");
  const { rows: n, cols: p } = shape;
  if (model.coefficients.length !== p)
    throw new RangeError(`ridgePredict: model has ${model.coefficients.length} coefficients for ${p} cols`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    for (let j = 0; j < p; j++) s += model.coefficients[j]! * x[i * p + j]!;
    out[i] = s;
  }
  return out;
}
