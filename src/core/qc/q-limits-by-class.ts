/**
 * Q-residual limits per soil class and source (qLimitRobustLog on each group's clean spectra).
 * Organic soils get limits of their own: on the demo library clean mineral spectra reach a
 * per-source robust z of ln Q ≈ 2.8, organic ones ≈ 5 (a rare, spectrally extreme class the
 * PCA models less well), wet samples 3.2–7.2; one limit per source either flagged organic soils
 * or missed wet mineral samples. Every instrument has its own noise and distortions, hence per
 * source; a group with fewer than `minRows` clean spectra keeps the next wider group's limit
 * (source → class over sources → all spectra).
 */
import { qLimitRobustLog } from "../chemometrics/pca-limits.js";
import { VAN_BEMMELEN } from "../chemometrics/physical-range.js";

/**
 * Per spectrum row: 1 when its sample's lab C (OM / VAN_BEMMELEN where C is missing) is at
 * least `organicCGkg` g/kg. All 0 when `organicCGkg` is null (one class).
 */
export function organicRows(
  input: { c: ArrayLike<number>; om: ArrayLike<number>; rowOf: Int32Array; rows: number },
  organicCGkg: number | null,
): Uint8Array {
  const { c, om, rowOf } = input;
  const organic = new Uint8Array(input.rows);
  if (organicCGkg === null) return organic;
  for (let i = 0; i < rowOf.length; i++) {
    const cEst = Number.isFinite(c[i]!) ? c[i]! : om[i]! / VAN_BEMMELEN;
    if (rowOf[i]! >= 0 && cEst >= organicCGkg) organic[rowOf[i]!] = 1;
  }
  return organic;
}

export interface QLimitsByClassInput {
  /** Per spectrum row: Q residual. */
  q: ArrayLike<number>;
  /** Rows the limits are fitted on (clean scans with a finite Q). */
  fitRows: Int32Array;
  /** Per row: 1 = organic soil. */
  organic: Uint8Array;
  /** Per row: source. */
  source: readonly string[];
}

export interface QLimitsByClassOptions {
  /** Robust z of qLimitRobustLog. */
  z: number;
  /** Limits per source within each class, else per class only. */
  bySource: boolean;
  /** Fewest fit rows for a group's own limit. Default 20. */
  minRows?: number;
}

export interface QLimitsByClass {
  /** Per row: the limit it is judged by. */
  perRow: Float64Array;
  /** Over all fit rows. */
  pooled: number;
  /** Per class: "" = the class over all sources, then per source (only groups with enough rows). */
  mineral: Record<string, number>;
  organic: Record<string, number>;
}

export function qLimitsByClass(input: QLimitsByClassInput, options: QLimitsByClassOptions): QLimitsByClass {
  const { q, fitRows, organic, source } = input;
  const minRows = options.minRows ?? 20;
  const n = organic.length;
  const limitOf = (rows: Int32Array) =>
    qLimitRobustLog(
      Array.from(rows, (i) => q[i]!),
      options.z,
    );
  const pooled = limitOf(fitRows);
  const perRow = new Float64Array(n).fill(pooled);
  const byClass: [Record<string, number>, Record<string, number>] = [{}, {}];
  for (const cls of [0, 1]) {
    const pool = fitRows.filter((i) => organic[i] === cls);
    if (pool.length < minRows) continue;
    const limits = byClass[cls]!;
    limits[""] = limitOf(pool);
    for (let i = 0; i < n; i++) if (organic[i] === cls) perRow[i] = limits[""];
    if (!options.bySource) continue;
    for (const s of new Set(source)) {
      const rows = pool.filter((i) => source[i] === s);
      if (rows.length < minRows) continue;
      const lim = limitOf(rows);
      limits[s] = lim;
      for (let i = 0; i < n; i++) if (source[i] === s && organic[i] === cls) perRow[i] = lim;
    }
  }
  return { perRow, pooled, mineral: byClass[0], organic: byClass[1] };
}
