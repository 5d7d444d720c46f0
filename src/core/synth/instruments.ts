/**
 * Spectrometers of the synthetic sources: each has its own grid (range, step, order), unit
 * and distortions relative to the reference instrument. These parameters are written to the
 * `instruments` output so harmonization can be scored against the known truth.
 */
import type { SpectralUnit } from "../spectra/block.js";

export interface InstrumentSpec {
  source: string;
  instrument: string;
  reference: boolean;
  unit: SpectralUnit;
  grid: { start: number; end: number; step: number };
  /** Wavenumber calibration error, cm-1 (the instrument reads nu where the truth is nu + shift). */
  shift: number;
  /** Additive absorbance offset and slope per 1000 cm-1 around 2300 cm-1. */
  baselineOffset: number;
  baselineSlope: number;
  /** Multiplicative scatter: instrument mean and per-scan sd. */
  scatterMean: number;
  scatterSd: number;
  /** Detector noise sd in reflectance (fraction); in absorbance it is noiseSd·10^A / ln 10. */
  noiseSd: number;
  /** Residual CO2 band amplitude sd (background drift). */
  co2Sd: number;
}

/** Grid from `start` towards `end` (either direction) in steps of |step|, ends included when hit. */
export function makeGrid(g: InstrumentSpec["grid"]): Float64Array {
  const dir = g.end >= g.start ? 1 : -1;
  const n = Math.floor(Math.abs(g.end - g.start) / g.step + 1e-9) + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((g.start + dir * i * g.step) * 1e4) / 1e4;
  return out;
}
