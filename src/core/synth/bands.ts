/**
 * Absorption bands of the latent soil components, placed where the MIR literature puts them
 * (see shared/SCIENCE.md). Amplitudes are absorbance per unit mass fraction at unit path
 * length: tuned so a typical mineral soil peaks near 1.5-2 (quartz Si-O saturating) and
 * 1 % OM adds a few hundredths at 2920 cm-1, as in real KSSL spectra.
 */
export interface Band {
  center: number;
  /** Gaussian sigma or Lorentzian half width at half maximum, cm-1. */
  width: number;
  amp: number;
  shape: "g" | "l";
}

const g = (center: number, width: number, amp: number): Band => ({ center, width, amp, shape: "g" });
const l = (center: number, width: number, amp: number): Band => ({ center, width, amp, shape: "l" });

/**
 * Components in a fixed order (the columns of the mixing matrix). OM is split into an
 * aliphatic/aromatic-rich pool (C-rich, low OM/C ratio) and a carbohydrate/carboxyl-rich
 * pool (high ratio), so the OM/C ratio leaves a spectral trace and C stays learnable.
 */
export const COMPONENTS = [
  "om_aliphatic",
  "om_carbohydrate",
  "kaolinite",
  "smectite",
  "quartz",
  "other_minerals",
  "carbonate",
  "iron_oxide",
  "water",
  "co2",
  "water_vapour",
] as const;
export type Component = (typeof COMPONENTS)[number];

export const BANDS: Record<Component, Band[]> = {
  om_aliphatic: [
    g(2920, 18, 1.6),
    g(2850, 12, 0.9),
    g(1620, 35, 1.0),
    g(1540, 25, 0.45),
    g(1450, 25, 0.35),
    g(1720, 20, 0.35),
    g(3350, 200, 0.5),
    g(1230, 40, 0.3),
  ],
  om_carbohydrate: [
    l(1720, 18, 1.0),
    g(1620, 40, 0.7),
    g(1080, 50, 1.1),
    g(1040, 35, 0.8),
    g(1410, 35, 0.45),
    g(2920, 20, 0.45),
    g(3350, 220, 1.0),
  ],
  kaolinite: [
    l(3695, 8, 1.3),
    l(3620, 7, 1.1),
    l(3650, 8, 0.35),
    g(1100, 25, 1.6),
    g(1030, 22, 2.6),
    g(1008, 18, 2.2),
    g(915, 12, 1.5),
    g(695, 12, 0.5),
  ],
  smectite: [g(3625, 35, 0.6), g(3420, 180, 0.7), g(1035, 55, 2.6), g(915, 20, 0.5), g(1640, 40, 0.25)],
  quartz: [
    g(1990, 22, 0.35),
    g(1870, 22, 0.3),
    g(1790, 20, 0.25),
    g(1160, 30, 2.8),
    g(1080, 40, 4.0),
    g(800, 8, 1.2),
    g(780, 8, 1.1),
    g(695, 8, 0.6),
  ],
  other_minerals: [g(1010, 80, 1.2), g(760, 30, 0.4), g(640, 30, 0.6)],
  carbonate: [g(2980, 25, 0.25), g(2875, 20, 0.35), g(2520, 20, 0.8), g(1795, 15, 0.6), g(1450, 60, 4.0), l(875, 14, 1.2), l(712, 9, 0.5)],
  iron_oxide: [g(3140, 160, 0.8), g(890, 15, 1.0), g(795, 15, 0.8), g(650, 40, 1.5)],
  water: [g(3400, 180, 3.0), g(1640, 40, 1.0), g(3250, 120, 0.35)],
  // Atmospheric CO2 doublet left by imperfect background subtraction (amplitude per sample).
  co2: [g(2360, 10, 1.0), g(2340, 9, 0.85), g(668, 4, 0.6)],
  // Water-vapour rotation lines left the same way (amplitude per sample).
  water_vapour: vapourLines(),
};

/**
 * A fixed comb of rotation lines (Lorentzian, 3–5 cm-1 half width: lines far narrower, broadened
 * to the instruments' ~4–8 cm-1 resolution) where water vapour
 * absorbs, 1350–1950 and 3450–3950 cm-1: on real MIR spectra its residual, not detector noise,
 * dominates the point-to-point roughness there. Positions and strengths from a fixed LCG: the
 * same pattern for every instrument, as the atmosphere's is.
 */
function vapourLines(): Band[] {
  let state = 12345;
  const u = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Band[] = [];
  for (const [lo, hi] of [
    [1350, 1950],
    [3450, 3950],
  ] as const) {
    for (let nu = lo + 6 * u(); nu < hi; nu += 6 + 12 * u()) out.push(l(nu, 3 + 2 * u(), 0.2 + 0.8 * u() ** 2));
  }
  return out;
}

function bandValue(b: Band, nu: number): number {
  const d = nu - b.center;
  if (b.shape === "g") return b.amp * Math.exp(-(d * d) / (2 * b.width * b.width));
  return b.amp / (1 + (d * d) / (b.width * b.width));
}

/** Mixing matrix K: COMPONENTS.length rows x grid, component k at wavenumber grid[j] + shift. */
export function componentMatrix(grid: Float64Array, shift = 0): Float64Array {
  const p = grid.length;
  const k = new Float64Array(COMPONENTS.length * p);
  COMPONENTS.forEach((name, c) => {
    for (let j = 0; j < p; j++) {
      const nu = grid[j]! + shift;
      let v = 0;
      for (const b of BANDS[name]) v += bandValue(b, nu);
      k[c * p + j] = v;
    }
  });
  return k;
}
