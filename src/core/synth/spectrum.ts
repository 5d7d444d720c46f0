/**
 * One synthetic scan: Beer-Lambert mixing of the component spectra, a saturation typical of
 * diffuse reflection (A_app = S(1 - exp(-A/S))), a path length that depends on texture,
 * sample scatter/baseline, then the instrument's distortions, noise and unit.
 * Pure: writes into `out`, randomness from the given stream.
 *
 * Organic matter enters through `omLoading`: linear (Beer–Lambert) while OM is dilute, then
 * logarithmic as it grows — in diffuse reflection the light's penetration depth shrinks as the
 * absorber takes over (Kubelka–Munk: log(1/R) of a strong absorber grows with the log of its
 * concentration). That is why PLSR on log-scale C works on real MIR libraries (R² ≈ 0.9); the
 * crossover depends on the mineral matrix (coarse quartz lets light deeper, clay less), and
 * this interaction, the path length and the saturation are the nonlinearity left for a CNN.
 */
import type { Rng } from "../random.js";
import { COMPONENTS, componentMatrix } from "./bands.js";
import type { Composition } from "./composition.js";
import { makeGrid, type InstrumentSpec } from "./instruments.js";

/** Apparent absorbance ceiling of diffuse reflection. */
export const SATURATION = 2.2;
/** OM mass fraction where its apparent absorbance turns from linear to logarithmic (matrix-scaled). */
export const OM_CROSSOVER = 0.1;

/**
 * Effective OM loading of a scan with OM mass fraction `om`: om while om ≪ crossover,
 * crossover·ln(1 + om/crossover) beyond, scaled to equal `om` at 3 % OM (a typical topsoil) so
 * the band amplitudes of bands.ts keep their meaning there.
 */
export function omLoading(om: number, crossover: number): number {
  const ref = 0.03;
  return (om > 0 ? crossover * Math.log1p(om / crossover) : 0) * (ref / (crossover * Math.log1p(ref / crossover)));
}
const NC = COMPONENTS.length;
const NOISE_GAIN = 1 / Math.LN10;
const CO2 = COMPONENTS.indexOf("co2");
const VAPOUR = COMPONENTS.indexOf("water_vapour");

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
  /** Water-vapour residual amplitude (background drift, like CO2). */
  vapour: number;
  /** Extra water mass fraction (a wet sample: the `water` defect). */
  extraWater: number;
  /** Absorptivity of this soil's OM relative to the average (its chemistry and particle size). */
  omStrength: number;
}

export function drawScanEffects(rng: Rng, comp: Composition, inst: InstrumentSpec): ScanEffects {
  return {
    scatter: Math.max(0.5, rng.normal(1, inst.scatterSd)),
    // Fine, clay-rich powders scatter more: a higher, flatter baseline.
    baseline: 0.3 + 0.3 * comp.clay + rng.normal(0, 0.1),
    tilt: 0.08 + 0.1 * comp.quartz + rng.normal(0, 0.03),
    co2: rng.normal(0, inst.co2Sd),
    extraWater: 0,
    vapour: rng.normal(0, 0.8 * inst.co2Sd),
    omStrength: Math.exp(rng.normal(0, 0.15)),
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
  // Light reaches deeper into coarse, quartz-rich powders: OM stays linear for longer there.
  const crossover = OM_CROSSOVER * (0.3 + 2 * comp.quartz);
  const om = omLoading(comp.om, crossover) * fx.omStrength;
  f[0] = om * (1 - comp.omCarbohydrateShare);
  f[1] = om * comp.omCarbohydrateShare;
  f[2] = comp.kaolinite;
  f[3] = comp.smectite;
  f[4] = comp.quartz;
  f[5] = comp.otherMinerals;
  f[6] = comp.carbonate;
  f[7] = comp.ironOxide;
  f[8] = comp.water + fx.extraWater;
  // Coarse quartz sand lets light travel further; organic-rich, clayey powders less far.
  const path = 0.9 + 0.2 * comp.quartz - 0.1 * comp.clay - 0.1 * comp.om;
  const gain = inst.scatterMean * fx.scatter;
  for (let j = 0; j < p; j++) {
    let a = 0;
    for (let c = 0; c < CO2; c++) a += f[c]! * k[c * p + j]!;
    a = SATURATION * (1 - Math.exp((-path * a) / SATURATION));
    const clean =
      gain * (a + fx.baseline + fx.tilt * plan.tilt[j]!) +
      inst.baselineOffset +
      inst.baselineSlope * plan.slope[j]! +
      fx.co2 * k[CO2 * p + j]! +
      fx.vapour * k[VAPOUR * p + j]!;
    // Detector noise is constant in reflectance, so in absorbance it grows as 10^A / ln 10.
    out[j] = clean + rng.normal(0, inst.noiseSd * NOISE_GAIN * 10 ** Math.min(3, clean));
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
