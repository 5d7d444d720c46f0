/**
 * Scan-level defects of a set of spectra of one source on one grid (rows x cols):
 * - `flat`: a dead or flattened scan — its SD is below `flatSdRatio` x the pool's median SD,
 *   or its roughness (median |second difference| / SD) is above `flatRoughnessRatio` x the
 *   pool's median roughness (a constant plus noise after any rescaling);
 * - `saturated`: at least `saturationRun` consecutive points within 1e-6 of the range of the
 *   spectrum's maximum (or minimum): a clipped detector (exactly equal values; a tolerance of
 *   1e-4 flagged smooth shallow reflectance minima of real NRW spectra);
 * - `spike`: a point whose second difference is more than `spikeZ` robust SDs (median/MAD per
 *   wavenumber across the pool) from the pool's median at that wavenumber.
 * The pool statistics need ≥ `minPool` rows (default 10); with fewer, only the
 * pool-free checks (constant, saturated) run.
 */
import type { NumArray } from "../chemometrics/types.js";

export type ScanDefect = "flat" | "saturated" | "spike";

export interface ScanDefectOptions {
  rows: number;
  cols: number;
  /** Default 5. */
  saturationRun?: number;
  /** Default 100 (real LimeSoDa NRW_115 spectra reach z ≈ 90 from sharp, strongly varying reststrahlen features; injected spikes reach hundreds to thousands). */
  spikeZ?: number;
  /** Default 0.05. */
  flatSdRatio?: number;
  /** Default 8. */
  flatRoughnessRatio?: number;
  /** Default 10. */
  minPool?: number;
  /** Rows sampled (evenly) for the pool statistics. Default 2000. */
  maxPool?: number;
  /** Per column, 1 = not scored for spikes (e.g. the CO2 band and its edges). */
  ignore?: Uint8Array;
}

export interface ScanDefectResult {
  /** Per row: the defects found (empty when clean). */
  defects: ScanDefect[][];
  /** Per row: the largest spike z (NaN without pool statistics). */
  spikeZ: Float64Array;
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

export function matrixScanDefects(values: NumArray, options: ScanDefectOptions): ScanDefectResult {
  const { rows: n, cols: p } = options;
  if (values.length !== n * p) throw new RangeError(`matrixScanDefects: ${values.length} values for ${n}x${p}`);
  if (p < 5) throw new RangeError(`matrixScanDefects: need at least 5 points per spectrum, got ${p}`);
  const run = options.saturationRun ?? 5;
  const zMax = options.spikeZ ?? 100;
  const sdRatio = options.flatSdRatio ?? 0.05;
  const roughRatio = options.flatRoughnessRatio ?? 8;
  const minPool = options.minPool ?? 10;
  const maxPool = options.maxPool ?? 2000;
  const defects: ScanDefect[][] = Array.from({ length: n }, () => []);
  const spikeZ = new Float64Array(n).fill(NaN);
  const sd = new Float64Array(n);
  const rough = new Float64Array(n);
  const d2 = new Float64Array(p - 2);
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let m = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < p; j++) {
      const v = values[off + j]!;
      m += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    m /= p;
    let s = 0;
    for (let j = 0; j < p; j++) s += (values[off + j]! - m) ** 2;
    sd[i] = Math.sqrt(s / (p - 1));
    for (let j = 1; j < p - 1; j++) d2[j - 1] = Math.abs(values[off + j]! - 0.5 * (values[off + j - 1]! + values[off + j + 1]!));
    rough[i] = sd[i]! > 0 ? median(d2) / sd[i]! : Infinity;
    const range = hi - lo;
    if (!(range > 1e-9 * Math.max(1, Math.abs(hi)))) {
      defects[i]!.push("flat");
      continue;
    }
    const tol = 1e-6 * range;
    let runHi = 0;
    let runLo = 0;
    let best = 0;
    for (let j = 0; j < p; j++) {
      const v = values[off + j]!;
      runHi = v >= hi - tol ? runHi + 1 : 0;
      runLo = v <= lo + tol ? runLo + 1 : 0;
      best = Math.max(best, runHi, runLo);
    }
    if (best >= run) defects[i]!.push("saturated");
  }
  if (n < minPool) return { defects, spikeZ };
  const stride = Math.max(1, Math.floor(n / maxPool));
  const pool: number[] = [];
  for (let i = 0; i < n && pool.length < maxPool; i += stride) pool.push(i);
  const medSd = median(Float64Array.from(pool, (i) => sd[i]!));
  const medRough = median(
    Float64Array.from(
      pool.filter((i) => Number.isFinite(rough[i]!)),
      (i) => rough[i]!,
    ),
  );
  for (let i = 0; i < n; i++) {
    if (defects[i]!.includes("flat")) continue;
    if (sd[i]! < sdRatio * medSd || rough[i]! > roughRatio * medRough) defects[i]!.push("flat");
  }
  // per-wavenumber robust location/scale of the second difference
  const q = pool.length;
  const colMed = new Float64Array(p - 2);
  const colScale = new Float64Array(p - 2);
  const col = new Float64Array(q);
  for (let j = 1; j < p - 1; j++) {
    for (let r = 0; r < q; r++) {
      const off = pool[r]! * p;
      col[r] = values[off + j]! - 0.5 * (values[off + j - 1]! + values[off + j + 1]!);
    }
    const med = median(col);
    for (let r = 0; r < q; r++) col[r] = Math.abs(col[r]! - med);
    colMed[j - 1] = med;
    colScale[j - 1] = 1.4826 * median(col);
  }
  const floor = 1e-3 * median(colScale) + 1e-12;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let z = 0;
    for (let j = 1; j < p - 1; j++) {
      if (options.ignore?.[j]) continue;
      const d = values[off + j]! - 0.5 * (values[off + j - 1]! + values[off + j + 1]!);
      const zz = Math.abs(d - colMed[j - 1]!) / Math.max(colScale[j - 1]!, floor);
      if (zz > z) z = zz;
    }
    spikeZ[i] = z;
    if (z > zMax && !defects[i]!.includes("flat")) defects[i]!.push("spike");
  }
  return { defects, spikeZ };
}
