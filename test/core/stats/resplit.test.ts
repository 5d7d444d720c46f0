import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { resplitCoverage } from "../../../src/core/stats/conformal.js";

describe("resplitCoverage", () => {
  it("averages to ⌈(n+1)·level⌉/(n+1) for exchangeable scores and shows a single split's spread", () => {
    const rng = createRng(5);
    // 53 cal + 53 test scores from one distribution (the multi-task OM sizes of the demo).
    const draw = () => Float64Array.from({ length: 53 }, () => Math.abs(rng.normal()));
    const r = resplitCoverage(draw(), draw(), 0.9, createRng(1), 2000)!;
    // E[coverage] = ⌈54·0.9⌉/54 = 49/54 = 0.907 for continuous scores.
    expect(r.mean).toBeGreaterThan(0.895);
    expect(r.mean).toBeLessThan(0.92);
    // One split of 53/53 is read only to about ±0.08.
    expect(r.p05).toBeLessThan(0.85);
    expect(r.p95).toBeGreaterThan(0.95);
    expect(r.repeats).toBe(2000);
  });

  it("is deterministic given the rng seed and exact on a hand-checked case", () => {
    // cal {1, 2}, test {3}: n_cal = 2 < 1/α − 1 → q = ∞ at 0.9 → always covered.
    expect(resplitCoverage([1, 2], [3], 0.9, createRng(1), 50)!.mean).toBe(1);
    // level 0.5, n_cal = 1: q = the cal score; pool {1, 2}: cal 1 → test 2 not covered, cal 2 → test 1 covered.
    const r = resplitCoverage([1], [2], 0.5, createRng(3), 4000)!;
    expect(r.mean).toBeGreaterThan(0.45);
    expect(r.mean).toBeLessThan(0.55);
    expect(r.p05).toBe(0);
    expect(r.p95).toBe(1);
    const a = resplitCoverage([0.3, 1.2, 0.7, 2.2], [0.1, 1.9, 0.4], 0.6, createRng(9), 100);
    const b = resplitCoverage([0.3, 1.2, 0.7, 2.2], [0.1, 1.9, 0.4], 0.6, createRng(9), 100);
    expect(a).toEqual(b);
    expect(resplitCoverage([], [1], 0.9, createRng(1))).toBeNull();
  });
});
