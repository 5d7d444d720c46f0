import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { crossFoldQuantiles, cvPlusIntervals } from "../../../src/core/stats/cv-plus.js";

describe("cvPlusIntervals (Barber et al. 2021)", () => {
  const base = { scores: [1, 2, 3, 4], fold: [0, 0, 1, 1], predictions: [[10], [20]] };

  it("takes the ⌊α(n+1)⌋-th and ⌈(1−α)(n+1)⌉-th order statistics (hand-computed)", () => {
    // α = 0.4, n = 4: k_low = ⌊2⌋ = 2, k_high = ⌈3⌉ = 3.
    // lows 10−1, 10−2, 20−3, 20−4 = 9, 8, 17, 16 → sorted 8, 9, 16, 17 → 9
    // highs 11, 12, 23, 24 → 23
    const r = cvPlusIntervals({ ...base, level: 0.6 });
    expect(Array.from(r.low)).toEqual([9]);
    expect(Array.from(r.high)).toEqual([23]);
  });

  it("normalized scores scale by each fold model's σ̂ at the new point", () => {
    // lows 10−1·2, 10−2·2, 20−3, 20−4 = 8, 6, 17, 16 → 2nd smallest 8; highs 12, 14, 23, 24 → 3rd 23
    const r = cvPlusIntervals({ ...base, sigma: [[2], [1]], level: 0.6 });
    expect(Array.from(r.low)).toEqual([8]);
    expect(Array.from(r.high)).toEqual([23]);
  });

  it("too few samples for the level give unbounded sides", () => {
    // α = 0.1, n = 4: ⌊0.5⌋ = 0 < 1 and ⌈4.5⌉ = 5 > n
    const r = cvPlusIntervals({ ...base, level: 0.9 });
    expect(r.low[0]).toBe(-Infinity);
    expect(r.high[0]).toBe(Infinity);
  });

  it("covers ≈ 1 − α on exchangeable data (K = 5, n = 200)", () => {
    const rng = createRng(11);
    const n = 200;
    const K = 5;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const y = Float64Array.from(x, (v) => 2 * v + rng.normal(0, 0.3));
    const fold = Int32Array.from({ length: n }, (_, i) => i % K);
    // fold models: least squares slope through the origin on the other folds
    const slope = Array.from({ length: K }, (_, k) => {
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) if (fold[i] !== k) ((sxy += x[i]! * y[i]!), (sxx += x[i]! * x[i]!));
      return sxy / sxx;
    });
    const scores = Float64Array.from(x, (v, i) => Math.abs(y[i]! - slope[fold[i]!]! * v));
    const m = 2000;
    const xn = Float64Array.from({ length: m }, () => rng.next());
    const yn = Float64Array.from(xn, (v) => 2 * v + rng.normal(0, 0.3));
    const r = cvPlusIntervals({ scores, fold, predictions: slope.map((b) => Float64Array.from(xn, (v) => b * v)), level: 0.9 });
    let covered = 0;
    for (let j = 0; j < m; j++) if (yn[j]! >= r.low[j]! && yn[j]! <= r.high[j]!) covered++;
    expect(covered / m).toBeGreaterThan(0.86);
    expect(covered / m).toBeLessThan(0.94);
  });

  it("refuses folds outside 0…K−1", () => {
    expect(() => cvPlusIntervals({ ...base, fold: [0, 0, 1, 2], level: 0.6 })).toThrow(/fold\[3\] = 2 is not a fold 0…1/);
  });
});

describe("crossFoldQuantiles", () => {
  it("calibrates fold f on the scores of the other folds (hand-computed)", () => {
    // level 0.5; fold 0: others 3, 4, 5 (m = 3) → ⌈0.5·4⌉ = 2nd = 4; fold 1: 0.5, 1, 2 → 1
    const q = crossFoldQuantiles([0.5, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1], 2, 0.5);
    expect(Array.from(q)).toEqual([4, 1]);
    // NaN scores (unlabelled rows) do not count; too few scores → Infinity
    expect(Array.from(crossFoldQuantiles([NaN, 1, 2, 3], [0, 0, 1, 1], 2, 0.9))).toEqual([Infinity, Infinity]);
  });
});
