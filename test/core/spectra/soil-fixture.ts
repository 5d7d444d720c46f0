/**
 * Small synthetic MIR soils for tests: absorbance = baseline + Gaussian bands whose heights
 * follow a latent composition (organic C, clay, carbonate, quartz, water), plus noise.
 * An "instrument" can shift wavenumbers, broaden bands, scale and tilt the baseline, so the
 * instrument effect on the same latent soil is known exactly.
 */
import { createRng, type Rng } from "../../../src/core/random.js";

export interface Soil {
  c: number; // g/kg organic C
  clay: number;
  carbonate: number;
  quartz: number;
  water: number;
  offset: number;
}

export interface Instrument {
  shift?: number; // cm-1 added to every band centre
  broaden?: number; // factor on band widths
  gain?: number;
  offset?: number;
  tilt?: number; // absorbance per 1000 cm-1, centred at 2300
  noise?: number;
}

const BANDS: { centre: number; width: number; k: keyof Soil; h: number }[] = [
  { centre: 2920, width: 30, k: "c", h: 0.012 },
  { centre: 2850, width: 20, k: "c", h: 0.008 },
  { centre: 1720, width: 40, k: "c", h: 0.01 },
  { centre: 1540, width: 40, k: "c", h: 0.006 },
  { centre: 3695, width: 15, k: "clay", h: 0.6 },
  { centre: 3620, width: 15, k: "clay", h: 0.8 },
  { centre: 1030, width: 60, k: "clay", h: 1.0 },
  { centre: 2520, width: 30, k: "carbonate", h: 0.5 },
  { centre: 1795, width: 20, k: "carbonate", h: 0.4 },
  { centre: 1430, width: 70, k: "carbonate", h: 1.2 },
  { centre: 875, width: 15, k: "carbonate", h: 0.6 },
  { centre: 1990, width: 25, k: "quartz", h: 0.3 },
  { centre: 1870, width: 25, k: "quartz", h: 0.3 },
  { centre: 800, width: 12, k: "quartz", h: 0.7 },
  { centre: 780, width: 12, k: "quartz", h: 0.6 },
  { centre: 3400, width: 200, k: "water", h: 0.8 },
  { centre: 1640, width: 40, k: "water", h: 0.4 },
];

export function randomSoil(rng: Rng, cScale = 1): Soil {
  return {
    c: cScale * Math.exp(rng.normal(Math.log(15), 0.7)),
    clay: 0.2 + 0.6 * rng.next(),
    carbonate: Math.max(0, rng.normal(0.15, 0.15)),
    quartz: 0.2 + 0.6 * rng.next(),
    water: 0.1 + 0.2 * rng.next(),
    offset: rng.normal(0.3, 0.05),
  };
}

export function soilSpectrum(soil: Soil, grid: ArrayLike<number>, inst: Instrument = {}, rng?: Rng): Float64Array {
  const { shift = 0, broaden = 1, gain = 1, offset = 0, tilt = 0, noise = 0.002 } = inst;
  const out = new Float64Array(grid.length);
  for (let j = 0; j < grid.length; j++) {
    const w = grid[j]!;
    let a = soil.offset + 0.1 * ((4000 - w) / 3400);
    for (const b of BANDS) {
      const z = (w - b.centre - shift) / (b.width * broaden);
      a += (b.h * soil[b.k] * Math.exp(-0.5 * z * z)) / (b.k === "c" ? 1 : 1);
    }
    out[j] = gain * a + offset + tilt * ((w - 2300) / 1000) + (rng && noise ? rng.normal(0, noise) : 0);
  }
  return out;
}

export function uniformGrid(from: number, to: number, step: number, descending = false): Float64Array {
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  const g = Float64Array.from({ length: n }, (_, i) => from + i * step);
  return descending ? g.reverse() : g;
}

export function soils(n: number, seed: number, cScale = 1): Soil[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => randomSoil(rng, cScale));
}

/** Spectra (rows) of `list` on `grid` as one Float32Array. */
export function spectraOf(list: readonly Soil[], grid: ArrayLike<number>, inst: Instrument, seed: number): Float32Array {
  const rng = createRng(seed);
  const p = grid.length;
  const out = new Float32Array(list.length * p);
  list.forEach((s, i) => out.set(soilSpectrum(s, grid, inst, rng), i * p));
  return out;
}
