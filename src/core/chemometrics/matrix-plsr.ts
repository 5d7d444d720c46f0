/**
 * PLS1 regression (NIPALS, one response) on centred data: for a = 1…A, w = Xᵀy/‖Xᵀy‖,
 * t = Xw, p = Xᵀt/tᵀt, q = yᵀt/tᵀt, deflate X and y; B = W(PᵀW)⁻¹q.
 */
import { inverse, Matrix } from "ml-matrix";
import { matrixColumnMean } from "./matrix-covariance.js";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface PlsrModel {
  intercept: number;
  coefficients: Float64Array;
}

export function matrixPlsr(x: NumArray, y: ArrayLike<number>, options: MatrixShape & { components: number }): PlsrModel {
  checkShape(x, options, "matrixPlsr");
  const { rows: n, cols: p, components: A } = options;
  if (y.length !== n) throw new RangeError(`matrixPlsr: y has ${y.length} values for ${n} rows`);
  if (!Number.isInteger(A) || A < 1 || A > Math.min(n - 1, p)) throw new RangeError(`matrixPlsr: components must be in [1, ${Math.min(n - 1, p)}], got ${A}`);
  const mx = matrixColumnMean(x, options);
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]!;
  my /= n;
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) X[i * p + j] = x[i * p + j]! - mx[j]!;
  const Y = Float64Array.from({ length: n }, (_, i) => y[i]! - my);
  const W = new Matrix(p, A);
  const P = new Matrix(p, A);
  const q = new Float64Array(A);
  const w = new Float64Array(p);
  const t = new Float64Array(n);
  for (let a = 0; a < A; a++) {
    w.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) w[j]! += X[i * p + j]! * Y[i]!;
    let nw = 0;
    for (let j = 0; j < p; j++) nw += w[j]! * w[j]!;
    nw = Math.sqrt(nw);
    if (!(nw > 0)) throw new RangeError(`matrixPlsr: no covariance left after ${a} components`);
    for (let j = 0; j < p; j++) w[j]! /= nw;
    let tt = 0;
    let yt = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += X[i * p + j]! * w[j]!;
      t[i] = s;
      tt += s * s;
      yt += Y[i]! * s;
    }
    q[a] = yt / tt;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X[i * p + j]! * t[i]!;
      P.set(j, a, s / tt);
      W.set(j, a, w[j]!);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) X[i * p + j]! -= t[i]! * P.get(j, a);
      Y[i]! -= q[a]! * t[i]!;
    }
  }
  const b = W.mmul(inverse(P.transpose().mmul(W))).mmul(Matrix.columnVector(Array.from(q)));
  const coefficients = Float64Array.from({ length: p }, (_, j) => b.get(j, 0));
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= coefficients[j]! * mx[j]!;
  return { intercept, coefficients };
}

export function plsrPredict(x: NumArray, shape: MatrixShape, model: PlsrModel): Float64Array {
  checkShape(x, shape, "plsrPredict");
  const out = new Float64Array(shape.rows);
  for (let i = 0; i < shape.rows; i++) {
    let s = model.intercept;
    for (let j = 0; j < shape.cols; j++) s += model.coefficients[j]! * x[i * shape.cols + j]!;
    out[i] = s;
  }
  return out;
}
