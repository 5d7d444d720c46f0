/**
 * CDFs and quantiles of the F, χ² and standard normal distributions, built on the
 * regularized incomplete beta/gamma functions; quantiles invert the CDF by bracketing and
 * bisection to ~1e-13 relative precision (monotone, no derivative needed, always converges).
 */
import { regularizedBeta } from "./regularized-beta.js";
import { regularizedGammaP } from "./regularized-gamma.js";

function checkProbability(p: number, name: string): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`${name}: probability must be in (0, 1), got ${p}`);
}

function checkDf(df: number, name: string, label: string): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`${name}: ${label} must be a positive finite number, got ${df}`);
}

/** Inverts a monotone CDF on [lo, ∞) by doubling the upper bracket, then bisection. */
function invertCdf(cdf: (x: number) => number, p: number, lo: number, start: number): number {
  let hi = Math.max(start, 1e-12);
  while (cdf(hi) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 400; i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-14 * Math.max(1e-300, Math.abs(hi))) break;
  }
  return 0.5 * (lo + hi);
}

/** P(X ≤ x) for X ~ F(d1, d2). */
export function fCdf(x: number, d1: number, d2: number): number {
  checkDf(d1, "fCdf", "d1");
  checkDf(d2, "fCdf", "d2");
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return regularizedBeta((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
}

/** x with P(X ≤ x) = p for X ~ F(d1, d2). */
export function fQuantile(p: number, d1: number, d2: number): number {
  checkProbability(p, "fQuantile");
  checkDf(d1, "fQuantile", "d1");
  checkDf(d2, "fQuantile", "d2");
  return invertCdf((x) => fCdf(x, d1, d2), p, 0, 1);
}

/** P(X ≤ x) for X ~ χ²(df); df may be non-integer (Box's approximation needs that). */
export function chiSquareCdf(x: number, df: number): number {
  checkDf(df, "chiSquareCdf", "df");
  if (x <= 0) return 0;
  return regularizedGammaP(df / 2, x / 2);
}

export function chiSquareQuantile(p: number, df: number): number {
  checkProbability(p, "chiSquareQuantile");
  checkDf(df, "chiSquareQuantile", "df");
  return invertCdf((x) => chiSquareCdf(x, df), p, 0, Math.max(1, df));
}

/** Standard normal CDF via P(1/2, z²/2). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const half = 0.5 * regularizedGammaP(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

export function normalQuantile(p: number): number {
  checkProbability(p, "normalQuantile");
  if (p === 0.5) return 0;
  if (p < 0.5) return -normalQuantile(1 - p);
  return invertCdf(normalCdf, p, 0, 1);
}
