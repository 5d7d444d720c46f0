/**
 * Bounds for shares drawn at random: a count of `n` Bernoulli(p) draws lies within
 * p·n ± z·√(n·p·(1−p)) (z = 4: a correct draw falls outside about once in 16,000 tests, while a
 * share off by a quarter of p at n = 4,000 is ~8 SD away and fails). Assignments in this
 * project are seeded, so a passing test stays passing; the bound only has to be tight enough
 * that a wrong fraction cannot pass.
 */
import { expect } from "vitest";

export function binomialBound(n: number, p: number, z = 4): { lo: number; hi: number; sd: number } {
  const sd = Math.sqrt(n * p * (1 - p));
  return { lo: n * p - z * sd, hi: n * p + z * sd, sd };
}

/** Expects `count` of `n` to be a plausible Binomial(n, p) draw (see binomialBound). */
export function expectBinomialCount(count: number, n: number, p: number, label = "", z = 4): void {
  const { lo, hi } = binomialBound(n, p, z);
  expect(count, `${label} ${count}/${n} against p=${p} (bounds ${lo.toFixed(1)}..${hi.toFixed(1)})`).toBeGreaterThanOrEqual(lo);
  expect(count, `${label} ${count}/${n} against p=${p} (bounds ${lo.toFixed(1)}..${hi.toFixed(1)})`).toBeLessThanOrEqual(hi);
}
