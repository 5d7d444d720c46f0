/**
 * Quantiles and the split-conformal pieces, against values computed by hand (type-7 quantiles
 * as numpy.percentile(method="linear") gives them).
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { conformalIntervals, conformalQuantile, normalizedScores, resplitCoverage } from "../../../src/core/stats/conformal.js";
import { finiteSorted, sortedQuantileType7, xQuantileType7 } from "../../../src/core/stats/quantile.js";

describe("type-7 quantile", () => {
  it("interpolates between order statistics: h = (n−1)p", () => {
    const v = Float64Array.of(7, 1, 3, 10); // sorted 1 3 7 10
    expect(xQuantileType7(v, 0)).toBe(1);
    expect(xQuantileType7(v, 1)).toBe(10);
    expect(xQuantileType7(v, 0.5)).toBe(5); // h = 1.5: 3 + 0.5·4
    expect(xQuantileType7(v, 0.25)).toBeCloseTo(2.5, 12); // h = 0.75: 1 + 0.75·2
    expect(xQuantileType7(v, 0.9)).toBeCloseTo(9.1, 12); // h = 2.7: 7 + 0.7·3
    expect(xQuantileType7([4], 0.3)).toBe(4);
  });

  it("ignores NaN, gives NaN when empty, refuses p outside [0, 1]", () => {
    expect(xQuantileType7(Float64Array.of(NaN, 2, NaN, 4), 0.5)).toBe(3);
    expect(xQuantileType7(Float64Array.of(NaN), 0.5)).toBeNaN();
    expect(xQuantileType7([], 0.5)).toBeNaN();
    expect(() => xQuantileType7([1], -0.01)).toThrow(/quantile probability -0.01/);
    expect(() => xQuantileType7([1], 1.01)).toThrow(RangeError);
    expect(() => xQuantileType7([1], NaN)).toThrow(RangeError);
  });

  it("finiteSorted keeps ±Infinity, drops NaN, sorts numerically", () => {
    expect(Array.from(finiteSorted([10, NaN, -Infinity, 2, 100, Infinity]))).toEqual([-Infinity, 2, 10, 100, Infinity]);
    expect(sortedQuantileType7(Float64Array.of(), 0.5)).toBeNaN();
    expect(sortedQuantileType7(Float64Array.of(1, 2), 1)).toBe(2);
  });
});

describe("split-conformal", () => {
  it("normalizedScores = |y − ŷ|/σ̂, skipping non-finite rows and σ̂ ≤ 0", () => {
    const s = normalizedScores([1, 5, 3, NaN, 2, 4, 6], [2, 1, 3, 0, Infinity, 4, 7], [0.5, 2, 1, 1, 1, 0, -1]);
    expect(Array.from(s)).toEqual([2, 2, 0]);
  });

  it("quantile: ⌈(n+1)·level⌉-th smallest; Infinity when that exceeds n or n = 0", () => {
    const s = Float64Array.of(9, 1, 8, 2, 7, 3, 6, 4, 5, 10); // n = 10
    expect(conformalQuantile(s, 0.5)).toBe(6); // ⌈5.5⌉ = 6th smallest
    expect(conformalQuantile(s, 0.8)).toBe(9); // ⌈8.8⌉ = 9
    expect(conformalQuantile(s, 0.9)).toBe(10); // ⌈9.9⌉ = 10
    expect(conformalQuantile(s, 0.91)).toBe(Infinity); // ⌈10.01⌉ = 11 > n
    expect(conformalQuantile([], 0.5)).toBe(Infinity);
    expect(conformalQuantile([3], 0.4)).toBe(3); // ⌈0.8⌉ = 1
    expect(() => conformalQuantile(s, 0)).toThrow(/pi_level must be in \(0, 1\) \(got 0\)/);
    expect(() => conformalQuantile(s, 1)).toThrow(RangeError);
  });

  it("intervals: ŷ ± q·σ̂ mapped back and clipped; NaN where ŷ or the width is not a number", () => {
    const { low, high } = conformalIntervals([1, 2, NaN, 3, 0], [0.5, 1, 1, NaN, 10], 2, (t) => 10 * t, { lower: 0, upper: 45 });
    expect(Array.from(low)).toEqual([0, 0, NaN, NaN, 0]); // 10·(1−1) = 0; 10·(2−2) = 0; 10·(0−20) clipped to 0
    expect(Array.from(high)).toEqual([20, 40, NaN, NaN, 45]); // 10·(0+20) = 200 clipped to 45
    const plain = conformalIntervals([1], [1], 0.5);
    expect([plain.low[0], plain.high[0]]).toEqual([0.5, 1.5]);
    // an infinite q (too few cal rows) gives an unbounded, not a NaN, interval
    const inf = conformalIntervals([1], [1], Infinity);
    expect([inf.low[0], inf.high[0]]).toEqual([-Infinity, Infinity]);
  });

  it("resplitCoverage: exact on a pool where every partition gives the same coverage", () => {
    // all 20 scores equal: q = that score, every test row covered
    const same = resplitCoverage(new Float64Array(10).fill(1), new Float64Array(10).fill(1), 0.8, createRng(1), 50)!;
    expect(same).toEqual({ repeats: 50, mean: 1, p05: 1, p95: 1 });
    expect(resplitCoverage([], [1], 0.9, createRng(1))).toBeNull();
    expect(resplitCoverage([1], [], 0.9, createRng(1))).toBeNull();
    expect(resplitCoverage([1], [1], 0.9, createRng(1), 0)).toBeNull();
  });

  it("resplitCoverage: mean coverage of exchangeable scores ≈ ⌈(n+1)·level⌉/(n+1)", () => {
    // 19 cal + 20 test scores 1..39: q is the 18th smallest of the cal part (⌈20·0.9⌉);
    // the expected test coverage of split conformal is k/(n+1) = 18/20 exactly.
    const rng = createRng(5);
    const scores = Float64Array.from({ length: 39 }, (_, i) => i + 1);
    const r = resplitCoverage(scores.subarray(0, 19), scores.subarray(19), 0.9, rng, 4000)!;
    expect(r.repeats).toBe(4000);
    expect(r.mean).toBeGreaterThan(0.9 - 0.01); // SD of the mean of 4,000 repeats ≈ 0.0013
    expect(r.mean).toBeLessThan(0.9 + 0.01);
    expect(r.p05).toBeLessThan(r.mean);
    expect(r.p95).toBeGreaterThan(r.mean);
    expect(r.p95).toBeLessThanOrEqual(1);
  });
});
