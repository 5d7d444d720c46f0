/** Options of `spectra.preprocess` (src/steps/spectra/preprocess.ts). */
import { z } from "zod";
import { NORMALIZE_METHODS } from "../../core/spectra/x-normalize.js";

const region = z.tuple([z.number(), z.number()]);

export const preprocessOptions = z.strictObject({
  /**
   * Common grid, cm-1 (default 600–4000 every 4 → 851 points), or "native": the first block's
   * own wavenumbers (ascending), every other block resampled onto them — a file's measured grid
   * and range as they are (pair with `exclude: []` to keep the CO2 band too).
   */
  grid: z
    .union([
      z.literal("native"),
      z.strictObject({ from: z.number().default(600), to: z.number().default(4000), step: z.number().positive().default(4) }),
    ])
    .default({ from: 600, to: 4000, step: 4 }),
  /** `error` (default): a source not covering the grid is an error; `trim`: cut the grid to the range all sources cover. */
  out_of_range: z.enum(["error", "trim"]).default("error"),
  /** Regions removed after smoothing, [lo, hi] cm-1. Default the CO2 band [[2300, 2400]]. */
  exclude: z.array(region).default([[2300, 2400]]),
  /** Savitzky–Golay smoothing/derivative on the common grid; null = off (default). */
  savgol: z
    .strictObject({
      window: z.number().int().min(3).default(11),
      polyorder: z.number().int().min(0).default(2),
      deriv: z.number().int().min(0).default(0),
    })
    .nullable()
    .default(null),
  /** Per-spectrum normalization after exclusion. Default none (absorbance kept). */
  normalize: z.enum(NORMALIZE_METHODS as [string, ...string[]]).default("none"),
  /** Spectra with defects found on the native grid (flat/saturated/spike) are kept and logged (default) or dropped. */
  on_defect: z.enum(["keep", "drop"]).default("keep"),
  /** Step name to take `spectra`/`samples` from when several needs provide them. */
  from: z.string().optional(),
});

export type PreprocessOptions = z.output<typeof preprocessOptions>;
