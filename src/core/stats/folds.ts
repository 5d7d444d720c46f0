/**
 * k-fold assignment: every fold used, fold sizes that differ by at most one sample (groups
 * permitting), optionally stratified on the target's quantiles, and a fold id that depends on
 * (key, seed, the multiset of keys) only — never on row order. Pure; typed arrays out.
 *
 * Keys come from `splitKeys` (src/core/stats/split.ts): samples sharing a key (a source, a
 * lat/lon cell, a duplicated id) always share a fold.
 *
 * - Keys of one sample each (the usual case): sorted by a keyed uniform draw and dealt round
 *   robin, so fold sizes differ by ≤ 1.
 * - `strata` (stratified k-fold): the keys with a finite value are sorted by it and cut into
 *   consecutive runs of `folds` keys; each run deals one key to every fold in a seeded random
 *   order (the usual "sorted-y" stratification: every fold spans the whole target range).
 *   Keys without a value (unlabelled rows) are dealt afterwards to the smallest folds.
 * - Keys holding several samples (groups): largest first, each to the fold holding the fewest
 *   samples so far (greedy balancing); sizes then differ by at most the largest group.
 */
import { createRng, permutation } from "../random.js";
import { keyedUniform } from "./keyed.js";

export interface FoldOptions {
  folds: number;
  seed: number;
  /**
   * Per-row stratification value (e.g. the target); rows of one key are averaged. NaN rows do
   * not count. Stratification applies to one-sample keys; groups are balanced by size only.
   */
  strata?: ArrayLike<number>;
}

interface KeyInfo {
  key: string;
  rows: number[];
  u: number;
  value: number;
}

function byDraw(a: KeyInfo, b: KeyInfo): number {
  return a.u - b.u || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The fold (0…folds−1) of every row; see the module comment. */
export function assignFolds(keys: readonly string[], options: FoldOptions): Int32Array {
  const { folds, seed, strata } = options;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds=${folds} must be an integer ≥ 2`);
  if (strata && strata.length !== keys.length) throw new RangeError(`strata has ${strata.length} values for ${keys.length} rows`);
  const byKey = new Map<string, KeyInfo>();
  keys.forEach((key, i) => {
    let info = byKey.get(key);
    if (!info) byKey.set(key, (info = { key, rows: [], u: keyedUniform(key, seed), value: NaN }));
    info.rows.push(i);
  });
  const infos = [...byKey.values()];
  if (infos.length < folds) {
    throw new RangeError(`folds=${folds} needs at least ${folds} samples or groups to split (there are ${infos.length})`);
  }
  if (strata) {
    for (const info of infos) {
      const v = info.rows.map((i) => strata[i]!).filter(Number.isFinite);
      info.value = v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
    }
  }
  const fold = new Int32Array(keys.length);
  const size = new Float64Array(folds);
  // Ties between equally small folds go to a seeded order of the folds (not always fold 0).
  const tieOrder = permutation(folds, createRng(seed ^ 0x2545f491));
  const put = (info: KeyInfo, f: number) => {
    for (const i of info.rows) fold[i] = f;
    size[f]! += info.rows.length;
  };
  const smallest = (): number => {
    let best = tieOrder[0]!;
    for (const f of tieOrder) if (size[f]! < size[best]!) best = f;
    return best;
  };
  const grouped = infos.some((k) => k.rows.length > 1);
  if (grouped) {
    infos.sort((a, b) => b.rows.length - a.rows.length || byDraw(a, b));
    for (const info of infos) put(info, smallest());
    return fold;
  }
  const rest = strata ? infos.filter((k) => !Number.isFinite(k.value)) : infos;
  if (strata) {
    const labelled = infos.filter((k) => Number.isFinite(k.value)).sort((a, b) => a.value - b.value || byDraw(a, b));
    const rng = createRng(seed ^ 0x68e31da4);
    for (let start = 0; start < labelled.length; start += folds) {
      const order = permutation(folds, rng);
      const run = labelled.slice(start, start + folds);
      run.forEach((info, j) => put(info, order[j]!));
    }
  }
  rest.sort(byDraw);
  for (const info of rest) put(info, smallest());
  return fold;
}

/**
 * Fold ids taken from the samples (e.g. a published `fold` column numbered 1–10): the distinct
 * values sorted (numerically when all are numbers) become folds 0…k−1. Returns the index of
 * the first row without a value (for the caller's message) instead of guessing one.
 */
export function foldsFromValues(
  values: readonly (string | number | null)[],
): { fold: Int32Array; labels: string[] } | { missingRow: number } {
  const missingRow = values.findIndex((v) => v === null || v === "" || (typeof v === "number" && !Number.isFinite(v)));
  if (missingRow >= 0) return { missingRow };
  const text = values.map((v) => String(v));
  const distinct = [...new Set(text)];
  const numeric = distinct.every((v) => Number.isFinite(Number(v)));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(distinct.map((v, i) => [v, i]));
  return { fold: Int32Array.from(text, (v) => index.get(v)!), labels: distinct };
}
