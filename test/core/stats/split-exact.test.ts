/**
 * assignSplits / innerSplit / splitKeys at their edges: the half-open fraction intervals
 * (a draw exactly at a boundary), the exact messages (the option and value named), the per-fold
 * val/cal draw pinned, and ties between equal draws.
 */
import { describe, expect, it } from "vitest";
import { keyedUniform } from "../../../src/core/stats/keyed.js";
import { assignSplits, innerSplit, splitKeys, type SplitOptions } from "../../../src/core/stats/split.js";

const base: SplitOptions = { scheme: "random", seed: 3, test: 0.2, val: 0.1, cal: 0.15 };
const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);

describe("assignSplits: fractions are half-open intervals of the key's draw", () => {
  it("a draw exactly at a boundary falls in the next bucket", () => {
    const u = keyedUniform("k", 3);
    expect(assignSplits(["k"], { ...base, test: u, cal: 0, val: 0 })).toEqual(["train"]);
    expect(assignSplits(["k"], { ...base, test: 0, cal: u, val: 0 })).toEqual(["train"]);
    expect(assignSplits(["k"], { ...base, test: 0, cal: 0, val: u })).toEqual(["train"]);
    const just = u + 1e-12;
    expect(assignSplits(["k"], { ...base, test: just, cal: 0, val: 0 })).toEqual(["test"]);
    expect(assignSplits(["k"], { ...base, test: 0, cal: just, val: 0 })).toEqual(["cal"]);
    expect(assignSplits(["k"], { ...base, test: 0, cal: 0, val: just })).toEqual(["val"]);
  });
});

describe("assignSplits: option checks, with the exact messages", () => {
  const bad = (o: Partial<SplitOptions>) => () => assignSplits(ids, { ...base, ...o });
  it("fractions in [0, 1) summing below 1; the test fraction is ignored with k-fold", () => {
    expect(bad({ val: -0.1 })).toThrow("split fraction val=-0.1 must be in [0,1)");
    expect(bad({ test: 1 })).toThrow("split fraction test=1 must be in [0,1)");
    expect(bad({ cal: NaN })).toThrow("split fraction cal=NaN must be in [0,1)");
    expect(bad({ test: 0.5, val: 0.25, cal: 0.25 })).toThrow("split fractions test=0.5 val=0.25 cal=0.25 must sum below 1");
    expect(bad({ val: 1.2, kfold: { folds: 3, testFold: 0 } })).toThrow("split fraction val=1.2 must be in [0,1)");
    expect(bad({ val: 0.5, cal: 0.5, kfold: { folds: 3, testFold: 0 } })).toThrow("split fractions val=0.5 cal=0.5 must sum below 1");
    expect(bad({ test: 0.5, val: 0.25, cal: 0.2 })).not.toThrow();
  });

  it("folds an integer ≥ 2, test_fold an integer in 0…folds−1, fold ids one per key", () => {
    expect(bad({ kfold: { folds: 2.5, testFold: 0 } })).toThrow("folds=2.5 must be an integer ≥ 2");
    expect(bad({ kfold: { folds: 1, testFold: 0 } })).toThrow("folds=1 must be an integer ≥ 2");
    expect(bad({ kfold: { folds: 3, testFold: -1 } })).toThrow("test_fold=-1 must be an integer in 0…2 (folds=3)");
    expect(bad({ kfold: { folds: 3, testFold: 0.5 } })).toThrow("test_fold=0.5 must be an integer in 0…2 (folds=3)");
    // with fold ids from the data assignFolds (which checks folds too) is not called
    const given = { foldIds: Int32Array.from(ids, (_, i) => i % 2) };
    expect(() => assignSplits(ids, { ...base, kfold: { folds: 1, testFold: 0 } }, given)).toThrow("folds=1 must be an integer ≥ 2");
    expect(() => assignSplits(ids, { ...base, kfold: { folds: 2.5, testFold: 0 } }, given)).toThrow("folds=2.5 must be an integer ≥ 2");
    const two = assignSplits(ids, { ...base, kfold: { folds: 2, testFold: 1 } });
    expect(two.filter((s) => s === "test")).toHaveLength(6);
    expect(() => assignSplits(ids, { ...base, kfold: { folds: 3, testFold: 0 } }, { foldIds: new Int32Array(11) })).toThrow(
      "fold ids have 11 rows for 12 keys",
    );
  });
});

describe("innerSplit", () => {
  const fold = Int32Array.from(ids, (_, i) => i % 3);
  it("pinned val/cal draws per test fold (a stream keyed by the fold)", () => {
    expect(innerSplit(ids, fold, 0, { val: 0.25, cal: 0.25, seed: 1 }).join(",")).toBe(
      "test,val,cal,test,train,train,test,val,cal,test,train,train",
    );
    expect(innerSplit(ids, fold, 1, { val: 0.25, cal: 0.25, seed: 1 }).join(",")).toBe(
      "cal,test,train,train,test,train,val,test,cal,val,test,train",
    );
  });

  it("keys whose draws tie are ordered by key: the same roles in any row order", () => {
    const keys = ["costarring", "liquid", "declinate", "macallums", "altarage", "zinke", "x"];
    const f = new Int32Array(keys.length).fill(1);
    f[6] = 0;
    const a = innerSplit(keys, f, 0, { val: 0, cal: 0.5, seed: 9 });
    const r = innerSplit([...keys].reverse(), Int32Array.from(f).reverse(), 0, { val: 0, cal: 0.5, seed: 9 }).reverse();
    expect(r).toEqual(a);
    // the smaller key of a tied pair first: costarring (not liquid) joins altarage and zinke in cal
    expect(a.join(",")).toBe("cal,train,train,train,cal,cal,test");
  });
});

describe("splitKeys", () => {
  it("random: a sample without an id is its row", () => {
    expect(splitKeys("random", ["a", null, "c"], [null, null, null])).toEqual(["a", "row:1", "c"]);
  });
});
