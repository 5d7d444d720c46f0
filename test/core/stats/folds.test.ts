import { describe, expect, it } from "vitest";
import { assignFolds, foldsFromValues } from "../../../src/core/stats/folds.js";
import { createRng, permutation } from "../../../src/core/random.js";

const sizes = (fold: Int32Array, k: number) => {
  const s = new Array<number>(k).fill(0);
  for (const f of fold) s[f]!++;
  return s;
};

describe("assignFolds", () => {
  it("uses every fold, sizes differ by at most 1, for many n and k", () => {
    for (const n of [10, 11, 32, 42, 62, 94, 115, 133, 138, 1001]) {
      for (const k of [2, 3, 5, 10]) {
        if (k > n) continue;
        const ids = Array.from({ length: n }, (_, i) => `id${i}`);
        const s = sizes(assignFolds(ids, { folds: k, seed: 7 }), k);
        expect(Math.min(...s)).toBeGreaterThan(0);
        expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("is deterministic given the seed, changes with it, and does not depend on row order", () => {
    const ids = Array.from({ length: 133 }, (_, i) => `s${i}`);
    const a = assignFolds(ids, { folds: 10, seed: 3 });
    expect(assignFolds(ids, { folds: 10, seed: 3 })).toEqual(a);
    expect(assignFolds(ids, { folds: 10, seed: 4 })).not.toEqual(a);
    const perm = permutation(ids.length, createRng(99));
    const shuffled = Array.from(perm, (i) => ids[i]!);
    const b = assignFolds(shuffled, { folds: 10, seed: 3 });
    perm.forEach((i, r) => expect(b[r]).toBe(a[i]));
  });

  it("stratified: sizes differ by ≤ 1, each fold spans the target range, independent of row order", () => {
    const n = 94;
    const k = 10;
    const ids = Array.from({ length: n }, (_, i) => `s${i}`);
    const rng = createRng(5);
    const y = Float64Array.from(ids, () => Math.exp(rng.normal(0, 1)));
    const fold = assignFolds(ids, { folds: k, seed: 1, strata: y });
    const s = sizes(fold, k);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    // sorted by y, every consecutive run of k samples holds k different folds
    const order = [...ids.keys()].sort((a, b) => y[a]! - y[b]!);
    for (let start = 0; start + k <= n; start += k) {
      expect(new Set(order.slice(start, start + k).map((i) => fold[i])).size).toBe(k);
    }
    // fold means of y are much closer together than random folds give
    const spread = (f: Int32Array) => {
      const m = Array.from({ length: k }, (_, j) => {
        const v = [...ids.keys()].filter((i) => f[i] === j).map((i) => y[i]!);
        return v.reduce((a, b) => a + b, 0) / v.length;
      });
      return Math.max(...m) - Math.min(...m);
    };
    expect(spread(fold)).toBeLessThan(spread(assignFolds(ids, { folds: k, seed: 1 })));
    const perm = permutation(n, createRng(8));
    const b = assignFolds(
      Array.from(perm, (i) => ids[i]!),
      { folds: k, seed: 1, strata: Float64Array.from(perm, (i) => y[i]!) },
    );
    perm.forEach((i, r) => expect(b[r]).toBe(fold[i]));
  });

  it("stratified with unlabelled rows: labelled and all rows stay balanced", () => {
    const ids = Array.from({ length: 57 }, (_, i) => `u${i}`);
    const y = Float64Array.from(ids, (_, i) => (i % 4 === 0 ? NaN : i));
    const fold = assignFolds(ids, { folds: 5, seed: 2, strata: y });
    const all = sizes(fold, 5);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
  });

  it("groups never split, greedy balance by samples", () => {
    const keys = Array.from({ length: 100 }, (_, i) => `g${i % 23}`);
    const fold = assignFolds(keys, { folds: 5, seed: 1 });
    const ofKey = new Map<string, number>();
    keys.forEach((k, i) => {
      if (ofKey.has(k)) expect(fold[i]).toBe(ofKey.get(k));
      ofKey.set(k, fold[i]!);
    });
    const s = sizes(fold, 5);
    expect(Math.min(...s)).toBeGreaterThan(0);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(5);
  });

  it("refuses more folds than keys", () => {
    expect(() => assignFolds(["a", "b", "c"], { folds: 5, seed: 1 })).toThrow(/needs at least 5 samples or groups/);
    expect(() => assignFolds(["a", "b"], { folds: 1, seed: 1 })).toThrow(/folds=1/);
  });
});

describe("foldsFromValues", () => {
  it("maps sorted distinct values (numeric order) to 0…k−1", () => {
    const r = foldsFromValues([3, 1, 10, 2, 1, 10]);
    expect("fold" in r && Array.from(r.fold)).toEqual([2, 0, 3, 1, 0, 3]);
    expect("labels" in r && r.labels).toEqual(["1", "2", "3", "10"]);
    const t = foldsFromValues(["b", "a", "b"]);
    expect("fold" in t && Array.from(t.fold)).toEqual([1, 0, 1]);
  });
  it("reports the first row without a fold", () => {
    expect(foldsFromValues([1, null, 2])).toEqual({ missingRow: 1 });
    expect(foldsFromValues([1, 2, NaN])).toEqual({ missingRow: 2 });
  });
});
