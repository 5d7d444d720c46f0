/**
 * The synthetic global MIR library: samples (as a lab reports them), spectra (one block per
 * source on its instrument's grid and unit), the ground truth, and the instrument
 * distortions. Deterministic from the seed; built for 57,000+ samples in seconds.
 */
import { createRng, permutation, type Rng } from "../random.js";
import type { SpectraBlock } from "../spectra/block.js";
import type { Table } from "../table.js";
import { sampleComposition, type Composition } from "./composition.js";
import type { InstrumentSpec } from "./instruments.js";
import { measure } from "./lab.js";
import { SOURCES, type SourceSpec } from "./sources.js";
import { drawScanEffects, renderPlan, renderSpectrum, type RenderPlan, type SpectrumDefect } from "./spectrum.js";

export const DEFECTS = ["saturated", "flat", "spike", "water", "duplicate_id", "unit_percent", "impossible"] as const;
export type Defect = (typeof DEFECTS)[number];

export interface SynthOptions {
  n: number;
  seed: number;
  /** Share of samples given one defect for QC to find (split evenly over DEFECTS). */
  defectRate?: number;
  /** Share of samples with a reported C. */
  cMeasured?: number;
  /** Share of samples with a reported OM. */
  omMeasured?: number;
  /** Called after each source with samples done so far (progress). */
  onProgress?: (done: number) => void;
}

export interface InstrumentRecord extends InstrumentSpec {
  points: number;
  samples: number;
  walkleyBlackShare: number;
  regions: SourceSpec["regions"];
}

export interface SynthLibrary {
  samples: Table;
  truth: Table;
  blocks: SpectraBlock[];
  instruments: InstrumentRecord[];
}

/** Samples per source by largest remainder, every source at least one when n allows. */
export function sourceCounts(n: number, sources: readonly SourceSpec[]): number[] {
  const total = sources.reduce((s, x) => s + x.weight, 0);
  const base = sources.map((s) => Math.floor((n * s.weight) / total));
  const order = sources.map((s, i) => ({ i, r: (n * s.weight) / total - base[i]! })).sort((a, b) => b.r - a.r);
  let left = n - base.reduce((a, b) => a + b, 0);
  for (const { i } of order) if (left-- > 0) base[i]!++;
  // Borrow from the largest source so none is empty.
  for (let i = 0; i < base.length && n >= sources.length; i++) {
    if (base[i] === 0) {
      const big = base.indexOf(Math.max(...base));
      base[big]!--;
      base[i] = 1;
    }
  }
  return base;
}

/** `duplicate_id` goes only to rows at or after `dupFrom` (they need an earlier source to collide with). */
function assignDefects(n: number, rate: number, dupFrom: number, rng: Rng): (Defect | null)[] {
  const out: (Defect | null)[] = new Array(n).fill(null);
  const per = Math.max(n >= 50 ? 1 : 0, Math.round((n * rate) / DEFECTS.length));
  const perm = permutation(n, rng);
  for (const d of DEFECTS) {
    let given = 0;
    for (let k = 0; k < n && given < per; k++) {
      const row = perm[k]!;
      if (out[row] !== null || (d === "duplicate_id" && row < dupFrom)) continue;
      out[row] = d;
      given++;
    }
  }
  return out;
}

function idOf(source: string, i: number): string {
  return `${source.replace(/-like$/, "")}-${String(i + 1).padStart(6, "0")}`;
}

export function generateLibrary(o: SynthOptions): SynthLibrary {
  const { n, seed } = o;
  const cMeasured = o.cMeasured ?? 0.9;
  const omMeasured = o.omMeasured ?? 0.1;
  const rng = createRng(seed);
  const counts = sourceCounts(n, SOURCES);
  const defects = assignDefects(n, o.defectRate ?? 0.03, counts[0]!, rng.fork());
  const sourceRngs = SOURCES.map(() => rng.fork());
  const dupRng = rng.fork();
  // Its own stream, so adding clay did not change any other draw of the library.
  const clayRng = createRng((seed ^ 0x5eed_c1a7) >>> 0);

  // OM is measured mostly by some labs; scale their propensities to the library-wide rate.
  const meanProp = SOURCES.reduce((s, x, i) => s + x.lab.omPropensity * counts[i]!, 0) / Math.max(1, n);
  const pOm = SOURCES.map((s) => Math.min(0.9, (omMeasured * s.lab.omPropensity) / (meanProp || 1)));
  const pCGivenOm = 0.7;

  const ids: string[] = new Array(n);
  const srcCol: string[] = new Array(n);
  const instCol: string[] = new Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const top = new Float64Array(n);
  const bottom = new Float64Array(n);
  const c = new Float64Array(n);
  const om = new Float64Array(n);
  const clayPct = new Float64Array(n);
  const cMethod: (string | null)[] = new Array(n);
  const omMethod: (string | null)[] = new Array(n);
  const truthCols = {
    c_true_gkg: new Float64Array(n),
    om_true_gkg: new Float64Array(n),
    om_c_ratio: new Float64Array(n),
    inorganic_c_gkg: new Float64Array(n),
    organic_soil: new Array<boolean | null>(n),
    om_frac: new Float64Array(n),
    om_carbohydrate_share: new Float64Array(n),
    clay: new Float64Array(n),
    kaolinite: new Float64Array(n),
    smectite: new Float64Array(n),
    quartz: new Float64Array(n),
    other_minerals: new Float64Array(n),
    carbonate: new Float64Array(n),
    iron_oxide: new Float64Array(n),
    water: new Float64Array(n),
    scatter: new Float64Array(n),
  };

  const blocks: SpectraBlock[] = [];
  const instruments: InstrumentRecord[] = [];
  let row = 0;
  SOURCES.forEach((src, s) => {
    const r = sourceRngs[s]!;
    const inst = src.instrument;
    const plan: RenderPlan = renderPlan(inst);
    const grid = plan.grid;
    const p = grid.length;
    const count = counts[s]!;
    const values = new Float32Array(count * p);
    const blockIds: string[] = new Array(count);
    const pCNoOm = Math.min(1, Math.max(0, (cMeasured - pOm[s]! * pCGivenOm) / (1 - pOm[s]!)));
    for (let i = 0; i < count; i++, row++) {
      const defect = defects[row]!;
      const comp: Composition = sampleComposition(r, src);
      const lab = measure(r, comp, src.lab.walkleyBlackShare, pOm[s]!, pCGivenOm, pCNoOm);
      const fx = drawScanEffects(r, comp, inst);
      if (defect === "water") fx.extraWater = 0.12 + 0.15 * r.next();
      const specDefect: SpectrumDefect = defect === "saturated" || defect === "flat" || defect === "spike" ? defect : null;
      renderSpectrum(values.subarray(i * p, (i + 1) * p), plan, comp, fx, specDefect, r);

      if ((defect === "unit_percent" || defect === "impossible") && Number.isNaN(lab.c)) {
        lab.c = Math.round(comp.cTrue * 10) / 10;
        lab.cMethod = "dry_combustion";
      }
      if (defect === "unit_percent") {
        // Reported in % while the column says g/kg.
        lab.c = Math.round(lab.c) / 10;
        if (!Number.isNaN(lab.om)) lab.om = Math.round(lab.om) / 10;
      } else if (defect === "impossible") {
        if (r.next() < 0.5) lab.c = -lab.c;
        else {
          lab.om = Math.round(lab.c * 0.7 * 10) / 10;
          lab.omMethod = "loi";
        }
      }

      let id = idOf(src.name, i);
      if (defect === "duplicate_id") {
        // Reuse the id of a sample from an earlier source (lab sample numbers collide).
        const other = dupRng.int(s);
        id = idOf(SOURCES[other]!.name, dupRng.int(Math.max(1, counts[other]!)));
      }
      ids[row] = id;
      blockIds[i] = id;
      srcCol[row] = src.name;
      instCol[row] = inst.instrument;
      lat[row] = Math.round(comp.lat * 1e5) / 1e5;
      lon[row] = Math.round(comp.lon * 1e5) / 1e5;
      top[row] = comp.depthTop;
      bottom[row] = comp.depthBottom;
      c[row] = lab.c;
      om[row] = lab.om;
      // Particle-size clay (%), reported where OM was measured and for about half the rest:
      // what a LOI correction for the structural water of clays needs.
      clayPct[row] =
        !Number.isNaN(lab.om) || clayRng.next() < 0.5
          ? Math.max(0, Math.round(comp.clay * 100 * (1 + clayRng.normal(0, 0.05)) * 10) / 10)
          : NaN;
      cMethod[row] = lab.cMethod;
      omMethod[row] = lab.omMethod;
      const t = truthCols;
      t.c_true_gkg[row] = comp.cTrue;
      t.om_true_gkg[row] = comp.omTrue;
      t.om_c_ratio[row] = comp.ratio;
      t.inorganic_c_gkg[row] = comp.inorganicC;
      t.organic_soil[row] = comp.organicSoil;
      t.om_frac[row] = comp.om;
      t.om_carbohydrate_share[row] = comp.omCarbohydrateShare;
      t.clay[row] = comp.clay;
      t.kaolinite[row] = comp.kaolinite;
      t.smectite[row] = comp.smectite;
      t.quartz[row] = comp.quartz;
      t.other_minerals[row] = comp.otherMinerals;
      t.carbonate[row] = comp.carbonate;
      t.iron_oxide[row] = comp.ironOxide;
      t.water[row] = comp.water + fx.extraWater;
      t.scatter[row] = inst.scatterMean * fx.scatter;
    }
    blocks.push({ source: src.name, instrument: inst.instrument, unit: inst.unit, wavenumbers: grid, ids: blockIds, values });
    instruments.push({ ...inst, points: p, samples: count, walkleyBlackShare: src.lab.walkleyBlackShare, regions: src.regions });
    o.onProgress?.(row);
  });

  return {
    samples: {
      sample_id: ids,
      source: srcCol,
      instrument: instCol,
      lat,
      lon,
      depth_top_cm: top,
      depth_bottom_cm: bottom,
      c_gkg: c,
      om_gkg: om,
      c_method: cMethod,
      om_method: omMethod,
      clay_pct: clayPct,
    },
    truth: { sample_id: [...ids], source: [...srcCol], defect: [...defects], ...truthCols },
    blocks,
    instruments,
  };
}
