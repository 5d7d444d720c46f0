/**
 * One synthetic scan: Beer-Lambert mixing of the component spectra, a saturation typical of
 * diffuse reflection (A_app = S(1 - exp(-A/S))), a path length that depends on texture,
 * sample scatter/baseline, then the instrument's distortions, noise and unit.
 * Pure: writes into `out`, randomness from the given stream.
 */
import type { Rng } from "../random.js";
import { COMPONENTS, componentMatrix } from "./bands.js";
import type { Composition } from "./composition.js";
import { makeGrid, type InstrumentSpec } from "./instruments.js";

/** Apparent absorbance ceiling of diffuse reflection. */
export const SATURATION = 2.2;
const NC = COMPONENTS.length;
const CO2 = COMPONENTS.indexOf("co2");

export type SpectrumDefect = "saturated" | "flat" | "spike" | null;

/** An instrument's precomputed pieces: component matrix on its (shifted) grid, baseline shapes. */
export interface RenderPlan {
  inst: InstrumentSpec;
  grid: Float64Array;
  k: Float64Array;
  /** (nu - 600) / 3400: sample baseline tilt shape. */
  tilt: Float64Array;
  /** (nu - 2300) / 1000: instrument baseline slope shape. */
  slope: Float64Array;
}

/** The instrument's render plan: its native grid and the component bands read at nu + shift. */
export function renderPlan(inst: InstrumentSpec): RenderPlan {
  const grid = makeGrid(inst.grid);
  return {
    inst,
    grid,
    k: componentMatrix(grid, inst.shift),
    tilt: grid.map((v) => (v - 600) / 3400),
    slope: grid.map((v) => (v - 2300) / 1000),
  };
}

export interface ScanEffects {
  scatter: number;
  baseline: number;
  tilt: number;
  co2: number;
  /** Extra water mass fraction (a wet sample: the `water` defect). */
  extraWater: number;
}

export function drawScanEffects(rng: Rng, comp: Composition, inst: InstrumentSpec): ScanEffects {
  return {
    scatter: Math.max(0.5, rng.normal(1, inst.scatterSd)),
    // Fine, clay-rich powders scatter more: a higher, flatter baseline.
    baseline: 0.12 + 0.25 * comp.clay + rng.normal(0, 0.03),
    tilt: 0.08 + 0.1 * comp.quartz + rng.normal(0, 0.02),
    co2: rng.normal(0, inst.co2Sd),
    extraWater: 0,
  };
}

export function renderSpectrum(
  out: Float32Array,
  plan: RenderPlan,
  comp: Composition,
  fx: ScanEffects,
  defect: SpectrumDefect,
  rng: Rng,
): void {
  const { k, inst } = plan;
  const p = plan.grid.length;
  const f = new Float64Array(NC);
  f[0] = comp.om * (1 - comp.omCarbohydrateShare);
  f[1] = comp.om * comp.omCarbohydrateShare;
  f[2] = comp.kaolinite;
  f[3] = comp.smectite;
  f[4] = comp.quartz;
  f[5] = comp.otherMinerals;
  f[6] = comp.carbonate;
  f[7] = comp.ironOxide;
  f[8] = comp.water + fx.extraWater;
  // Coarse quartz sand lets light travel further; organic-rich, clayey powders less far.
  const path = 0.85 + 0.5 * comp.quartz - 0.2 * comp.clay - 0.15 * comp.om;
  const gain = inst.scatterMean * fx.scatter;
  for (let j = 0; j < p; j++) {
    let a = 0;
    for (let c = 0; c < CO2; c++) a += f[c]! * k[c * p + j]!;
    a = SATURATION * (1 - Math.exp((-path * a) / SATURATION));
    out[j] =
      gain * (a + fx.baseline + fx.tilt * plan.tilt[j]!) +
      inst.baselineOffset +
      inst.baselineSlope * plan.slope[j]! +
      fx.co2 * k[CO2 * p + j]! +
      rng.normal(0, inst.noiseSd);
  }
  applyDefect(out, defect, rng);
  toUnit(out, inst.unit);
}

function applyDefect(a: Float32Array, defect: SpectrumDefect, rng: Rng): void {
  if (!defect) return;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  if (defect === "saturated") {
    // Detector saturation: every peak above the cap is cut flat.
    const cap = lo + (0.4 + 0.2 * rng.next()) * (hi - lo);
    for (let j = 0; j < a.length; j++) if (a[j]! > cap) a[j] = cap;
  } else if (defect === "flat") {
    const m = sum / a.length;
    for (let j = 0; j < a.length; j++) a[j] = m + rng.normal(0, 1e-4);
  } else {
    const n = 1 + rng.int(3);
    for (let s = 0; s < n; s++) a[rng.int(a.length)]! += (rng.next() < 0.5 ? -1 : 1) * (0.6 + 1.2 * rng.next());
  }
}

function toUnit(a: Float32Array, unit: InstrumentSpec["unit"]): void {
  if (unit === "absorbance") return;
  const scale = unit === "reflectance_percent" ? 100 : 1;
  for (let j = 0; j < a.length; j++) a[j] = scale * 10 ** -a[j]!;
}
