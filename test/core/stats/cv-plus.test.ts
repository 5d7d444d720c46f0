import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { crossConformalLog1p, crossFoldQuantiles, cvPlusIntervals } from "../../../src/core/stats/cv-plus.js";

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

describe("crossConformalLog1p", () => {
  // every prediction at log1p ŷ = 1; observed at log1p y = 1 + r, so the score is r
  const pred = (k: number) => new Array<number>(k).fill(Math.expm1(1));
  const obs = (r: number[]) => r.map((v) => Math.expm1(1 + v));

  it("scores on the log1p scale per target, each fold from the other folds' scores (hand-computed)", () => {
    const r = crossConformalLog1p({
      target: ["c", "c", "c", "c", "c", "c", "om", "om"],
      observed: obs([0.5, 1, 2, 3, 4, 5, 10, 20]),
      predicted: pred(8),
      sd: new Array<number>(8).fill(NaN),
      fold: [0, 0, 0, 1, 1, 1, 0, 1],
      folds: 2,
      level: 0.5,
    });
    // c: fold 0 gets q = 4 (of 3, 4, 5), fold 1 q = 1 (of 0.5, 1, 2); om: fold 0 q = 20, fold 1 q = 10
    const high = [5, 5, 5, 2, 2, 2, 21, 11].map(Math.expm1);
    Array.from(r.high).forEach((h, i) => expect(h).toBeCloseTo(high[i]!, 9));
    // low = expm1(1 − q), floored at 0
    expect(Array.from(r.low.subarray(0, 3))).toEqual([0, 0, 0]);
    r.low.subarray(3, 6).forEach((l) => expect(l).toBeCloseTo(0, 12));
  });

  it("divides by σ̂ on the log1p scale (sd / (1 + ŷ)) and leaves rows without a prediction NaN", () => {
    const p = [...pred(6), NaN];
    // row 0: σ̂ = 0.5 on log1p; its score 0.5 / 0.5 = 1 still leaves fold 1's q at 1
    const sd = [0.5 * (1 + p[0]!), NaN, NaN, NaN, NaN, NaN, NaN];
    const r = crossConformalLog1p({
      target: new Array<string>(7).fill("c"),
      observed: [...obs([0.5, 1, 2, 3, 4, 5]), 3],
      predicted: p,
      sd,
      fold: [0, 0, 0, 1, 1, 1, 1],
      folds: 2,
      level: 0.5,
    });
    expect(r.high[0]).toBeCloseTo(Math.expm1(1 + 4 * 0.5), 9);
    expect(r.low[0]).toBe(0); // expm1(1 − 4·0.5) < 0, floored
    expect(r.high[3]).toBeCloseTo(Math.expm1(2), 9);
    expect(r.low[6]).toBeNaN();
    expect(r.high[6]).toBeNaN();
  });
});
