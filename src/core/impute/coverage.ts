/**
 * Where the hybrid dataset has values: counts of measured / predicted / rejected per target and
 * breakdown (all; source; depth band 0–30/30–100/100–200 of the top depth; lat/lon grid cell),
 * and complete C+OM pairs before (both measured) and after (both measured or predicted).
 */
import { depthBand } from "../stats/depth-band.js";
import type { Table } from "../table.js";
import { TARGETS, type Target } from "./hybrid.js";

export interface SampleGroups {
  source: readonly (string | null)[];
  depthTop: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
}

export interface CoverageOptions {
  /** Grid cell size in degrees; default 10. */
  cellDeg?: number;
}

/**
 * Cell key "lat0,lon0" of the south-west corner (e.g. "-40,-120" for lat −40…−30, lon
 * −120…−110); "unknown" when lat/lon is NaN or outside ±90/±180.
 */
export function gridCell(lat: number, lon: number, cellDeg = 10): string {
  if (!(cellDeg > 0)) throw new RangeError(`cellDeg ${cellDeg} must be positive`);
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return "unknown";
  const la = Math.min(Math.floor(lat / cellDeg) * cellDeg, 90 - cellDeg);
  const lo = Math.min(Math.floor(lon / cellDeg) * cellDeg, 180 - cellDeg);
  return `${la},${lo}`;
}

/** Breakdown keys of sample i, e.g. [["all","all"],["source","lab-a"],["depth","0-30"],["cell","-40,-120"]]. */
function keysOf(g: SampleGroups, i: number, cellDeg: number): [string, string][] {
  const keys: [string, string][] = [
    ["all", "all"],
    ["source", g.source[i] ?? "unknown"],
  ];
  keys.push(["depth", depthBand(g.depthTop[i]!) ?? "other"]);
  keys.push(["cell", gridCell(g.lat[i]!, g.lon[i]!, cellDeg)]);
  return keys;
}

const BREAKDOWN_ORDER = ["all", "source", "depth", "cell", "set_aside"];

function sortKeys<T>(m: Map<string, T>): [string, T][] {
  return [...m.entries()].sort(([a], [b]) => {
    const [ka, va] = a.split("\u0000") as [string, string];
    const [kb, vb] = b.split("\u0000") as [string, string];
    return BREAKDOWN_ORDER.indexOf(ka) - BREAKDOWN_ORDER.indexOf(kb) || (va < vb ? -1 : va > vb ? 1 : 0);
  });
}

/**
 * `coverage` table from a hybrid table (rows: all samples for c then for om, as `buildHybrid`
 * writes them, so row k of target t is sample k of `groups`). Columns: target, breakdown, key,
 * n, n_measured, n_predicted, n_rejected, n_set_aside (measured values not used: impossible or
 * failed QC, see `set_aside`), mean_pi_width (g/kg, predicted rows with a finite interval; NaN
 * if none), share_out_of_domain (predicted rows with in_domain false among those with in_domain
 * known; NaN if none). Breakdown `set_aside` has one row per code (key), n = the values set
 * aside for it and n_predicted / n_rejected what became of those rows.
 */
export function hybridCoverage(hybrid: Table, groups: SampleGroups, options: CoverageOptions = {}): Table {
  const cellDeg = options.cellDeg ?? 10;
  const n = groups.depthTop.length;
  const origin = hybrid.origin as string[];
  const lo = hybrid.pi_low as Float64Array;
  const hi = hybrid.pi_high as Float64Array;
  const dom = hybrid.in_domain as (boolean | null)[];
  const aside = (hybrid.set_aside as (string | null)[] | undefined) ?? [];
  if (origin.length !== TARGETS.length * n) throw new RangeError(`hybrid has ${origin.length} rows, expected ${TARGETS.length}×${n}`);
  const out = {
    target: [] as string[],
    breakdown: [] as string[],
    key: [] as string[],
    n: [] as number[],
    n_measured: [] as number[],
    n_predicted: [] as number[],
    n_rejected: [] as number[],
    n_set_aside: [] as number[],
    mean_pi_width: [] as number[],
    share_out_of_domain: [] as number[],
  };
  TARGETS.forEach((t: Target, ti) => {
    type Acc = { n: number; m: number; p: number; r: number; a: number; w: number; nw: number; ood: number; nd: number };
    const acc = new Map<string, Acc>();
    for (let i = 0; i < n; i++) {
      const row = ti * n + i;
      const keys = keysOf(groups, i, cellDeg);
      if (aside[row]) keys.push(["set_aside", aside[row]!]);
      for (const [kind, key] of keys) {
        const id = `${kind}\u0000${key}`;
        let a = acc.get(id);
        if (!a) acc.set(id, (a = { n: 0, m: 0, p: 0, r: 0, a: 0, w: 0, nw: 0, ood: 0, nd: 0 }));
        a.n++;
        if (aside[row]) a.a++;
        if (origin[row] === "measured") a.m++;
        else if (origin[row] === "rejected") a.r++;
        else {
          a.p++;
          const w = hi[row]! - lo[row]!;
          if (Number.isFinite(w)) {
            a.w += w;
            a.nw++;
          }
          if (dom[row] !== null && dom[row] !== undefined) {
            a.nd++;
            if (dom[row] === false) a.ood++;
          }
        }
      }
    }
    for (const [id, a] of sortKeys(acc)) {
      const [kind, key] = id.split("\u0000") as [string, string];
      out.target.push(t);
      out.breakdown.push(kind);
      out.key.push(key);
      out.n.push(a.n);
      out.n_measured.push(a.m);
      out.n_predicted.push(a.p);
      out.n_rejected.push(a.r);
      out.n_set_aside.push(a.a);
      out.mean_pi_width.push(a.nw ? a.w / a.nw : NaN);
      out.share_out_of_domain.push(a.nd ? a.ood / a.nd : NaN);
    }
  });
  return {
    target: out.target,
    breakdown: out.breakdown,
    key: out.key,
    n: Float64Array.from(out.n),
    n_measured: Float64Array.from(out.n_measured),
    n_predicted: Float64Array.from(out.n_predicted),
    n_rejected: Float64Array.from(out.n_rejected),
    n_set_aside: Float64Array.from(out.n_set_aside),
    mean_pi_width: Float64Array.from(out.mean_pi_width),
    share_out_of_domain: Float64Array.from(out.share_out_of_domain),
  };
}

/**
 * `pairs` table: per breakdown (all, source, depth band, cell) the number of samples and of
 * complete C+OM pairs before imputation (both measured) and after (both measured or
 * predicted), with the after-pairs split by origin: measured_measured, one_predicted,
 * both_predicted (so pairs_after = the three summed).
 */
export function hybridPairs(hybrid: Table, groups: SampleGroups, options: CoverageOptions = {}): Table {
  const cellDeg = options.cellDeg ?? 10;
  const n = groups.depthTop.length;
  const origin = hybrid.origin as string[];
  if (origin.length !== TARGETS.length * n) throw new RangeError(`hybrid has ${origin.length} rows, expected ${TARGETS.length}×${n}`);
  type Acc = { n: number; before: number; after: number; mm: number; one: number; pp: number };
  const acc = new Map<string, Acc>();
  for (let i = 0; i < n; i++) {
    const c = origin[i]!;
    const om = origin[n + i]!;
    const mm = c === "measured" && om === "measured";
    const after = c !== "rejected" && om !== "rejected";
    const pp = c === "predicted" && om === "predicted";
    for (const [kind, key] of keysOf(groups, i, cellDeg)) {
      const id = `${kind}\u0000${key}`;
      let a = acc.get(id);
      if (!a) acc.set(id, (a = { n: 0, before: 0, after: 0, mm: 0, one: 0, pp: 0 }));
      a.n++;
      if (mm) a.before++;
      if (after) {
        a.after++;
        if (mm) a.mm++;
        else if (pp) a.pp++;
        else a.one++;
      }
    }
  }
  const rows = sortKeys(acc);
  return {
    breakdown: rows.map(([id]) => id.split("\u0000")[0]!),
    key: rows.map(([id]) => id.split("\u0000")[1]!),
    n_samples: Float64Array.from(rows, ([, a]) => a.n),
    pairs_before: Float64Array.from(rows, ([, a]) => a.before),
    pairs_after: Float64Array.from(rows, ([, a]) => a.after),
    measured_measured: Float64Array.from(rows, ([, a]) => a.mm),
    one_predicted: Float64Array.from(rows, ([, a]) => a.one),
    both_predicted: Float64Array.from(rows, ([, a]) => a.pp),
  };
}
