/**
 * assignFolds and foldsFromValues beyond balance: the draw order the folds are dealt in, the
 * largest-group-first greedy, ties between equal draws (FNV-1a collisions), and pinned
 * assignments — a published k-fold result can be rerun only if the folds stay the same.
 */
import { describe, expect, it } from "vitest";
import { assignFolds, foldsFromValues } from "../../../src/core/stats/folds.js";
import { keyedUniform } from "../../../src/core/stats/keyed.js";

const sizes = (fold: Int32Array, k: number) => {
  const s = new Array<number>(k).fill(0);
  for (const f of fold) s[f]!++;
  return s;
};

describe("assignFolds: the assignment itself", () => {
  it("one-sample keys are dealt round robin in the order of their keyed draw", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `id-${i}`);
    for (const seed of [1, 2, 3]) {
      const fold = assignFolds(ids, { folds: 4, seed });
      const byDraw = [...ids.keys()].sort((a, b) => keyedUniform(ids[a]!, seed) - keyedUniform(ids[b]!, seed));
      // rank r in draw order gets the same fold as rank r mod 4
      byDraw.forEach((row, r) => expect(fold[row]).toBe(fold[byDraw[r % 4]!]));
      expect(new Set(byDraw.slice(0, 4).map((row) => fold[row])).size).toBe(4);
    }
  });

  it("pinned folds (seed 1 plain, seed 1 grouped, seed 2 stratified)", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
    expect([...assignFolds(ids, { folds: 5, seed: 1 })]).toEqual([0, 0, 1, 4, 3, 2, 4, 2, 3, 1, 2, 1]);
    const groups = ["a", "a", "a", "a", "a", "b", "c", "d", "e", "f", "g", "g"];
    expect([...assignFolds(groups, { folds: 3, seed: 1 })]).toEqual([2, 2, 2, 2, 2, 0, 1, 0, 1, 0, 1, 1]);
    const y = Float64Array.from(ids, (_, i) => (i * 7) % 12);
    expect([...assignFolds(ids, { folds: 4, seed: 2, strata: y })]).toEqual([3, 0, 1, 3, 2, 2, 3, 0, 0, 2, 1, 1]);
  });

  it("groups: the largest first, so a 5-sample group and five singles give two folds of 5", () => {
    const keys = ["big", "big", "big", "big", "big", "p", "q", "r", "s", "t"];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const fold = assignFolds(keys, { folds: 2, seed });
      expect(sizes(fold, 2)).toEqual([5, 5]);
      expect(new Set(fold.slice(0, 5)).size).toBe(1);
    }
  });

  it("keys whose draws tie (FNV-1a collisions) are ordered by key, so row order still does not matter", () => {
    const keys = ["costarring", "liquid", "declinate", "macallums", "altarage", "zinke"];
    const a = assignFolds(keys, { folds: 2, seed: 5 });
    const rev = assignFolds([...keys].reverse(), { folds: 2, seed: 5 });
    keys.forEach((_, i) => expect(rev[keys.length - 1 - i]).toBe(a[i]));
    // each colliding pair is consecutive in draw order, so dealt to the two folds
    for (let i = 0; i < keys.length; i += 2) expect(a[i]).not.toBe(a[i + 1]);
    // the smaller key of a tied pair first
    expect([...a]).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it("strata must cover every row", () => {
    expect(() => assignFolds(["a", "b", "c"], { folds: 2, seed: 1, strata: Float64Array.of(1, 2) })).toThrow(
      "strata has 2 values for 3 rows",
    );
  });
});

describe("foldsFromValues", () => {
  it("empty text and a missing first row are missing; mixed labels sort as text", () => {
    expect(foldsFromValues(["1", "", "2"])).toEqual({ missingRow: 1 });
    expect(foldsFromValues([null, 1])).toEqual({ missingRow: 0 });
    const r = foldsFromValues(["2", "b", "10", "2"]);
    expect("labels" in r && r.labels).toEqual(["10", "2", "b"]);
    expect("fold" in r && [...r.fold]).toEqual([1, 2, 0, 1]);
  });
});
