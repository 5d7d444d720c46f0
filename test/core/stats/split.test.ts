import { describe, expect, it } from "vitest";
import { assignFolds } from "../../../src/core/stats/folds.js";
import { assignSplits, splitKeys, type SplitOptions } from "../../../src/core/stats/split.js";
import { expectBinomialCount } from "../../helpers/binomial.js";

const ids = Array.from({ length: 4000 }, (_, i) => `s${i}`);
const base: SplitOptions = { scheme: "random", seed: 3, test: 0.2, val: 0.1, cal: 0.15 };
const count = (splits: string[], name: string) => splits.filter((s) => s === name).length;

describe("assignSplits", () => {
  it("draws the fractions, per key and independent of row order", () => {
    const s = assignSplits(ids, base);
    // Binomial bounds (±4 SD, ~±0.025 for test at n = 4,000), not ±0.05
    expectBinomialCount(count(s, "test"), ids.length, 0.2, "test");
    expectBinomialCount(count(s, "cal"), ids.length, 0.15, "cal");
    expectBinomialCount(count(s, "val"), ids.length, 0.1, "val");
    expectBinomialCount(count(s, "train"), ids.length, 0.55, "train");
    const reversed = assignSplits([...ids].reverse(), base).reverse();
    expect(reversed).toEqual(s);
    expect(assignSplits(ids, { ...base, seed: 4 })).not.toEqual(s);
  });

  it("k-fold: over test_fold 0…k−1 every sample is tested exactly once, folds exactly 1/k each", () => {
    const k = 5;
    const tested = new Array<number>(ids.length).fill(0);
    const fitted = new Array<number>(ids.length).fill(0);
    const fold = assignFolds(ids, { folds: k, seed: base.seed });
    const calSets: string[] = [];
    for (let f = 0; f < k; f++) {
      const s = assignSplits(ids, { ...base, kfold: { folds: k, testFold: f } });
      s.forEach((x, i) => {
        if (x === "test") tested[i]!++;
        if (x === "train") fitted[i]!++;
      });
      expect(s.filter((x) => x === "test").length).toBe(ids.length / k);
      // val and cal are exact shares of this fold's training part (test is not used)
      const rest = s.filter((x) => x !== "test");
      expect(rest.filter((x) => x === "cal").length).toBe(Math.round(0.15 * rest.length));
      expect(rest.filter((x) => x === "val").length).toBe(Math.round(0.1 * rest.length));
      s.forEach((x, i) => expect(x === "test").toBe(fold[i] === f));
      calSets.push(ids.filter((_, i) => s[i] === "cal").join(","));
    }
    expect(tested.every((t) => t === 1)).toBe(true);
    // cal/val are drawn per fold: no fixed block of samples is kept out of every fit
    expect(new Set(calSets).size).toBe(k);
    expect(fitted.filter((t) => t === 0).length).toBeLessThan(ids.length * 0.01);
  });

  it("k-fold with val = cal = 0: every sample is fitted on in exactly k − 1 folds", () => {
    const k = 4;
    const fitted = new Array<number>(ids.length).fill(0);
    for (let f = 0; f < k; f++) {
      assignSplits(ids, { ...base, val: 0, cal: 0, kfold: { folds: k, testFold: f } }).forEach((x, i) => x === "train" && fitted[i]!++);
    }
    expect(fitted.every((t) => t === k - 1)).toBe(true);
  });

  it("k-fold with fold ids from the data uses them as given", () => {
    const foldIds = Int32Array.from(ids, (_, i) => i % 3);
    const s = assignSplits(ids, { ...base, kfold: { folds: 3, testFold: 2 } }, { foldIds });
    s.forEach((x, i) => expect(x === "test").toBe(i % 3 === 2));
  });

  it("rejects bad fractions and folds with the option named", () => {
    expect(() => assignSplits(ids, { ...base, test: 0.5, cal: 0.5 })).toThrow(/sum below 1/);
    expect(() => assignSplits(ids, { ...base, val: 1.2 })).toThrow(/val=1.2/);
    expect(() => assignSplits(ids, { ...base, kfold: { folds: 5, testFold: 5 } })).toThrow(/test_fold=5 must be an integer in 0…4/);
    expect(() => assignSplits(ids, { ...base, kfold: { folds: 1, testFold: 0 } })).toThrow(/folds=1/);
    // with k-fold the test fraction is not used: 0.9 + cal would otherwise be rejected
    expect(() => assignSplits(ids, { ...base, test: 0.9, kfold: { folds: 3, testFold: 1 } })).not.toThrow();
  });
});

describe("splitKeys", () => {
  const sids = ["a", "b", "c", "d", "e"];
  const sources = ["lab1", "lab1", "lab2", null, "lab2"];
  it("random: the sample; group: its source (a sample without one stands alone)", () => {
    expect(splitKeys("random", sids, sources)).toEqual(sids);
    expect(splitKeys("group", sids, sources)).toEqual(["lab1", "lab1", "lab2", "sample:d", "lab2"]);
  });

  it("location: lat/lon cells of cellDeg, so a profile's depths and neighbours share a split", () => {
    const lat = Float64Array.of(10.2, 10.9, 10.2, NaN, -0.5);
    const lon = Float64Array.of(20.1, 20.8, 21.3, 5, -0.5);
    expect(splitKeys("location", sids, sources, { lat, lon, cellDeg: 1 })).toEqual([
      "cell:10:20",
      "cell:10:20",
      "cell:10:21",
      "sample:d",
      "cell:-1:-1",
    ]);
    expect(splitKeys("location", sids, sources, { lat, lon, cellDeg: 2 })[2]).toBe("cell:5:10");
    // whole cells move together through assignSplits
    const many = Array.from({ length: 2000 }, (_, i) => `p${i}`);
    const la = Float64Array.from(many, (_, i) => (i % 50) * 0.3);
    const lo = Float64Array.from(many, () => 7.5);
    const keys = splitKeys(
      "location",
      many,
      many.map(() => null),
      { lat: la, lon: lo, cellDeg: 1 },
    );
    const s = assignSplits(keys, base);
    const byKey = new Map<string, Set<string>>();
    keys.forEach((k, i) => byKey.set(k, (byKey.get(k) ?? new Set()).add(s[i]!)));
    for (const set of byKey.values()) expect(set.size).toBe(1);
    expect(() => splitKeys("location", sids, sources)).toThrow(/lat\/lon/);
  });
});
