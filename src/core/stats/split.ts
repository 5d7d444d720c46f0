/**
 * Train / validation / calibration / test assignment shared by every model step, so CNN,
 * multi-task CNN and PLSR are scored on the same held-out samples. Pure and seeded: the
 * split of a sample depends on the seed, the scheme and its group only — not on row order.
 */
import { createRng, permutation } from "../random.js";
import { assignFolds } from "./folds.js";
import { keyedUniform } from "./keyed.js";

export { keyedUniform };

export type SplitName = "train" | "val" | "cal" | "test";

/**
 * What a sample's split key is, so that samples sharing a key always share a split:
 * - random: the sample itself;
 * - group: its source (laboratory / instrument / library): tests transfer to unseen sources;
 * - location: its lat/lon cell of `cellDeg` degrees: a soil profile's depths, and nearby
 *   profiles, never sit on both sides (spatial blocking); samples without coordinates stand
 *   alone.
 */
export type SplitScheme = "random" | "group" | "location";

export interface SplitOptions {
  scheme: SplitScheme;
  seed: number;
  /** Fractions of the labelled pool; the rest is train. Without `kfold`. */
  test: number;
  /** With `kfold`: fractions of the samples outside the test fold. */
  val: number;
  cal: number;
  /**
   * k-fold: the keys fall into `folds` folds of equal size (`assignFolds`, src/core/stats/folds.ts;
   * a key's fold does not depend on row order); fold `testFold` is the test set and `test` is
   * not used. Running testFold = 0…folds−1 tests every sample exactly once. val and cal are
   * drawn afresh inside each fold's training part (exact counts, a stream keyed by testFold),
   * so no sample sits out of every fold's fit.
   */
  kfold?: { folds: number; testFold: number };
}

export const DEFAULT_SPLIT: SplitOptions = { scheme: "random", seed: 1, test: 0.15, val: 0.1, cal: 0.15 };

/** A second, independent stream: the train/val/cal draw of k-fold splits. */
const KFOLD_STREAM = 0x5bd1e995;

function bucket(u: number, test: number, cal: number, val: number): SplitName {
  if (u < test) return "test";
  if (u < test + cal) return "cal";
  if (u < test + cal + val) return "val";
  return "train";
}

/** Split keys of each sample (see SplitScheme); `lat`/`lon` are needed for scheme location. */
export function splitKeys(
  scheme: SplitScheme,
  ids: readonly (string | null)[],
  sources: readonly (string | null)[],
  location?: { lat: ArrayLike<number>; lon: ArrayLike<number>; cellDeg: number },
): string[] {
  if (scheme === "location" && !location) throw new RangeError("scheme location needs lat/lon");
  return ids.map((id, i) => {
    if (scheme === "group") return sources[i] ?? `sample:${id}`;
    if (scheme === "location") {
      const { lat, lon, cellDeg } = location!;
      const [a, b] = [lat[i]!, lon[i]!];
      if (Number.isFinite(a) && Number.isFinite(b)) return `cell:${Math.floor(a / cellDeg)}:${Math.floor(b / cellDeg)}`;
      return `sample:${id}`;
    }
    return id ?? `row:${i}`;
  });
}

/** What k-fold assignment may take from the samples (see assignSplits). */
export interface KfoldInputs {
  /** Per-row target for stratified folds (NaN = none). */
  strata?: ArrayLike<number>;
  /** Fold of every row given by the data (`foldsFromValues`): replaces the drawn folds. */
  foldIds?: Int32Array;
}

/**
 * Split labelled samples. `keys` come from `splitKeys`: samples with the same key (a source,
 * a location cell) move together.
 */
export function assignSplits(keys: readonly string[], options: SplitOptions, kfoldInputs: KfoldInputs = {}): SplitName[] {
  const { test, val, cal, kfold, seed } = options;
  const fractions = kfold ? { val, cal } : { test, val, cal };
  for (const [name, f] of Object.entries(fractions)) {
    if (!(f >= 0 && f < 1)) throw new RangeError(`split fraction ${name}=${f} must be in [0,1)`);
  }
  if (Object.values(fractions).reduce((a, f) => a + f, 0) >= 1) {
    throw new RangeError(
      `split fractions ${Object.entries(fractions)
        .map(([k, f]) => `${k}=${f}`)
        .join(" ")} must sum below 1`,
    );
  }
  if (!kfold) return keys.map((k) => bucket(keyedUniform(k, seed), test, cal, val));
  const { folds, testFold } = kfold;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds=${folds} must be an integer ≥ 2`);
  if (!Number.isInteger(testFold) || testFold < 0 || testFold >= folds) {
    throw new RangeError(`test_fold=${testFold} must be an integer in 0…${folds - 1} (folds=${folds})`);
  }
  const fold = kfoldInputs.foldIds ?? assignFolds(keys, { folds, seed, strata: kfoldInputs.strata });
  if (fold.length !== keys.length) throw new RangeError(`fold ids have ${fold.length} rows for ${keys.length} keys`);
  return innerSplit(keys, fold, testFold, { val, cal, seed });
}

/**
 * Inside one outer fold: the keys outside fold `testFold` get exact shares `cal` and `val`
 * (rounded), drawn by a keyed stream that depends on testFold, the rest train. A different
 * cal/val per fold means every sample is fitted on in most folds (all k−1 with val = cal = 0).
 */
export function innerSplit(
  keys: readonly string[],
  fold: ArrayLike<number>,
  testFold: number,
  o: { val: number; cal: number; seed: number },
): SplitName[] {
  const stream = o.seed ^ KFOLD_STREAM ^ Math.imul(testFold + 1, 0x27d4eb2d);
  const outside = [...new Set(keys.filter((_, i) => fold[i] !== testFold))]
    .map((key) => ({ key, u: keyedUniform(key, stream) }))
    .sort((a, b) => a.u - b.u || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const m = outside.length;
  const nCal = Math.round(o.cal * m);
  const nVal = Math.round(o.val * m);
  const role = new Map<string, SplitName>();
  outside.forEach(({ key }, r) => role.set(key, r < nCal ? "cal" : r < nCal + nVal ? "val" : "train"));
  return keys.map((k, i) => (fold[i] === testFold ? "test" : role.get(k)!));
}

/** k-fold ids 0..k-1, balanced, seeded. */
export function kFolds(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RangeError(`k-fold needs 2 <= k <= n (k=${k}, n=${n})`);
  const perm = permutation(n, createRng(seed));
  const folds = new Int32Array(n);
  for (let i = 0; i < n; i++) folds[perm[i]!] = i % k;
  return folds;
}
