/**
 * Savitzky–Golay smoothing and derivatives on a uniform grid. Interior points use the
 * classic centred convolution; the first and last (window − 1)/2 points evaluate the
 * polynomial fitted to the first/last full window (scipy's `mode="interp"`), so nothing is
 * padded or dropped. Derivatives are per unit of `deltaX` (e.g. cm-1), signed along the
 * array order.
 */
import { inverse, Matrix } from "ml-matrix";

export interface SavitzkyGolayOptions {
  /** Odd number of points in the window. Default 11. */
  windowSize?: number;
  /** Polynomial degree, < windowSize. Default 2. */
  polynomial?: number;
  /** Derivative order, ≤ polynomial. Default 0 (smoothing). */
  derivative?: number;
  /** Grid spacing along the array. Default 1. */
  deltaX?: number;
}

/** Weights (length windowSize) giving the `derivative` at position `at` (0…window−1) of the window. */
export function savitzkyGolayWeights(windowSize: number, polynomial: number, derivative: number, at: number): Float64Array {
  const m = windowSize;
  const d = polynomial + 1;
  const v = new Matrix(m, d);
  for (let i = 0; i < m; i++) for (let q = 0; q < d; q++) v.set(i, q, (i - at) ** q);
  const vt = v.transpose();
  const pinv = inverse(vt.mmul(v)).mmul(vt); // d x m
  let fact = 1;
  for (let r = 2; r <= derivative; r++) fact *= r;
  return Float64Array.from({ length: m }, (_, i) => fact * pinv.get(derivative, i));
}

function check(n: number, o: Required<SavitzkyGolayOptions>): void {
  const { windowSize, polynomial, derivative, deltaX } = o;
  if (!Number.isInteger(windowSize) || windowSize < 3 || windowSize % 2 === 0) {
    throw new RangeError(`xSavitzkyGolay: windowSize must be an odd integer >= 3, got ${windowSize}`);
  }
  if (!Number.isInteger(polynomial) || polynomial < 0 || polynomial >= windowSize) {
    throw new RangeError(`xSavitzkyGolay: polynomial must be an integer in [0, windowSize − 1], got ${polynomial}`);
  }
  if (!Number.isInteger(derivative) || derivative < 0 || derivative > polynomial) {
    throw new RangeError(`xSavitzkyGolay: derivative must be an integer in [0, polynomial], got ${derivative}`);
  }
  if (!(deltaX > 0) && !(deltaX < 0)) throw new RangeError(`xSavitzkyGolay: deltaX must be non-zero, got ${deltaX}`);
  if (n < windowSize) throw new RangeError(`xSavitzkyGolay: spectrum has ${n} points, fewer than windowSize ${windowSize}`);
}

/** Reusable filter for many spectra of the same length. */
export function savitzkyGolayFilter(
  n: number,
  options: SavitzkyGolayOptions = {},
): (y: ArrayLike<number>, out?: Float64Array) => Float64Array {
  const o = { windowSize: 11, polynomial: 2, derivative: 0, deltaX: 1, ...options };
  check(n, o);
  const m = o.windowSize;
  const h = (m - 1) / 2;
  const scale = 1 / o.deltaX ** o.derivative;
  const edge = Array.from({ length: m }, (_, at) => savitzkyGolayWeights(m, o.polynomial, o.derivative, at).map((w) => w * scale));
  const centre = edge[h]!;
  return (y, out = new Float64Array(n)) => {
    if (y.length !== n) throw new RangeError(`xSavitzkyGolay: filter built for ${n} points, got ${y.length}`);
    for (let i = h; i < n - h; i++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += centre[k]! * y[i - h + k]!;
      out[i] = s;
    }
    for (let i = 0; i < h; i++) {
      const wl = edge[i]!;
      const wr = edge[m - h + i]!;
      let sl = 0;
      let sr = 0;
      for (let k = 0; k < m; k++) {
        sl += wl[k]! * y[k]!;
        sr += wr[k]! * y[n - m + k]!;
      }
      out[i] = sl;
      out[n - h + i] = sr;
    }
    return out;
  };
}

export function xSavitzkyGolay(y: ArrayLike<number>, options: SavitzkyGolayOptions = {}): Float64Array {
  return savitzkyGolayFilter(y.length, options)(y);
}
