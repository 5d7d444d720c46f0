/**
 * Train / validation / calibration / test assignment shared by every model step, so CNN,
 * multi-task CNN and PLSR are scored on the same held-out samples. Pure and seeded: the
 * split of a sample depends on the seed, the scheme and its group only — not on row order.
 */
import { createRng, permutation } from "../random.js";

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
   * k-fold: the keys fall into `folds` folds (hash-uniform, so each holds ~1/folds of them
   * and a key's fold does not depend on row order); fold `testFold` is the test set and
   * `test` is not used. Running testFold = 0…folds−1 tests every sample exactly once.
   */
  kfold?: { folds: number; testFold: number };
}

export const DEFAULT_SPLIT: SplitOptions = { scheme: "random", seed: 1, test: 0.15, val: 0.1, cal: 0.15 };

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0,1) that depends only on (key, seed): order-independent assignment. */
export function keyedUniform(key: string, seed: number): number {
  return createRng(fnv1a(key) ^ Math.imul(seed | 0, 0x9e3779b1)).next();
}

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

/**
 * Split labelled samples. `keys` come from `splitKeys`: samples with the same key (a source,
 * a location cell) move together.
 */
export function assignSplits(keys: readonly string[], options: SplitOptions): SplitName[] {
  const { test, val, cal, kfold, seed } = options;
  const fractions = kfold ? { val, cal } : { test, val, cal };
  for (const [name, f] of Object.entries(fractions)) {
    if (!(f >= 0 && f < 1)) throw new RangeError(`split fraction ${name}=${f} must be in [0,1)`);
  }
  if (Object.values(fractions).reduce((a, f) => a + f, 0) >= 1) {
    throw new RangeError(`split fractions ${Object.entries(fractions).map(([k, f]) => `${k}=${f}`).join(" ")} must sum below 1`);
  }
  if (!kfold) return keys.map((k) => bucket(keyedUniform(k, seed), test, cal, val));
  const { folds, testFold } = kfold;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds=${folds} must be an integer ≥ 2`);
  if (!Number.isInteger(testFold) || testFold < 0 || testFold >= folds) {
    throw new RangeError(`test_fold=${testFold} must be an integer in 0…${folds - 1} (folds=${folds})`);
  }
  return keys.map((k) =>
    foldOf(k, seed, folds) === testFold ? "test" : bucket(keyedUniform(k, seed ^ KFOLD_STREAM), 0, cal, val),
  );
}

/** The k-fold fold (0…folds−1) of a split key. */
export function foldOf(key: string, seed: number, folds: number): number {
  return Math.min(folds - 1, Math.floor(keyedUniform(key, seed) * folds));
}

/** k-fold ids 0..k-1, balanced, seeded. */
export function kFolds(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RangeError(`k-fold needs 2 <= k <= n (k=${k}, n=${n})`);
  const perm = permutation(n, createRng(seed));
  const folds = new Int32Array(n);
  for (let i = 0; i < n; i++) folds[perm[i]!] = i % k;
  return folds;
}
