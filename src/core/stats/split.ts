/**
 * Train / validation / calibration / test assignment shared by every model step, so CNN,
 * multi-task CNN and PLSR are scored on the same held-out samples. Pure and seeded: the
 * split of a sample depends on the seed, the scheme and its group only — not on row order.
 */
import { createRng, permutation } from "../random.js";

export type SplitName = "train" | "val" | "cal" | "test";

export interface SplitOptions {
  /** random: samples independently; group: whole groups (source or location cell) stay together. */
  scheme: "random" | "group";
  seed: number;
  /** Fractions of the labelled pool; the rest is train. */
  test: number;
  val: number;
  cal: number;
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

function bucket(u: number, o: SplitOptions): SplitName {
  if (u < o.test) return "test";
  if (u < o.test + o.cal) return "cal";
  if (u < o.test + o.cal + o.val) return "val";
  return "train";
}

/**
 * Split labelled samples. `keys` are sample ids (scheme random) — or, for scheme group, pass
 * the group label of each sample (source name, location cell) and whole groups move together.
 */
export function assignSplits(keys: readonly string[], options: SplitOptions): SplitName[] {
  const { test, val, cal } = options;
  if (![test, val, cal].every((f) => f >= 0 && f < 1) || test + val + cal >= 1) {
    throw new RangeError(`split fractions test=${test} val=${val} cal=${cal} must be in [0,1) and sum below 1`);
  }
  return keys.map((k) => bucket(keyedUniform(k, options.seed), options));
}

/** k-fold ids 0..k-1, balanced, seeded. */
export function kFolds(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RangeError(`k-fold needs 2 <= k <= n (k=${k}, n=${n})`);
  const perm = permutation(n, createRng(seed));
  const folds = new Int32Array(n);
  for (let i = 0; i < n; i++) folds[perm[i]!] = i % k;
  return folds;
}
