/**
 * The contract of `kFolds` (used by PLSR's component CV): every row gets a fold in 0..k−1,
 * every fold is used, fold sizes differ by at most one, and the assignment is a function of
 * (n, k, seed) only. Written against the contract, not the algorithm.
 */
import { describe, expect, it } from "vitest";
import { kFolds } from "../../../src/core/stats/split.js";

function sizes(folds: Int32Array, k: number): number[] {
  const s = new Array<number>(k).fill(0);
  for (const f of folds) {
    expect(Number.isInteger(f) && f >= 0 && f < k, `fold id ${f} outside 0..${k - 1}`).toBe(true);
    s[f]!++;
  }
  return s;
}

describe("kFolds", () => {
  it.each([
    [10, 2],
    [10, 3],
    [11, 5],
    [12, 4],
    [5, 5],
    [6, 5],
    [101, 10],
    [1000, 7],
    [37, 36],
  ])("n=%i, k=%i: every fold used, sizes differ by ≤ 1, sum to n", (n, k) => {
    for (const seed of [1, 2, 99]) {
      const folds = kFolds(n, k, seed);
      expect(folds).toHaveLength(n);
      const s = sizes(folds, k);
      expect(s.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.min(...s)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
      // equal sizes ±1 forces these exact counts
      expect(Math.min(...s)).toBe(Math.floor(n / k));
      expect(Math.max(...s)).toBe(Math.ceil(n / k));
    }
  });

  it("is deterministic per seed and shuffles (not row order) across seeds", () => {
    const a = kFolds(200, 5, 7);
    expect(kFolds(200, 5, 7)).toEqual(a);
    expect(kFolds(200, 5, 8)).not.toEqual(a);
    // not the trivial i mod k assignment: neighbouring rows are not forced into different folds
    expect(Array.from(a).some((f, i) => i > 0 && f === a[i - 1])).toBe(true);
  });

  it("refuses k < 2, k > n and non-integer k", () => {
    expect(() => kFolds(10, 1, 1)).toThrow(RangeError);
    expect(() => kFolds(4, 5, 1)).toThrow(RangeError);
    expect(() => kFolds(10, 2.5, 1)).toThrow(RangeError);
    expect(() => kFolds(10, 0, 1)).toThrow(/k=0, n=10/);
  });
});
