/**
 * Summary statistics of a set of absorbance spectra on one uniform grid, used to calibrate the
 * synthetic library against real spectra (bench/synth-vs-real.ts prints both side by side):
 *
 * - PCA explained variance (mean-centred, no scaling; `matrixPca`): cumulative share of the
 *   first components and how many reach 95 / 99 %.
 * - Noise: there are no replicate scans, so noise is estimated per spectrum from the residual
 *   of a 5-point quadratic Savitzky–Golay smooth (Savitzky & Golay 1964). For white noise σ the
 *   residual has variance σ²(1 − h0), h0 = 17/35 the filter's centre weight, so σ̂ = robust SD
 *   of the residual / √(1 − h0); the robust SD (1.4826 × median absolute residual) ignores the
 *   few sharp bands (kaolinite O–H, quartz doublet) that the smooth cannot follow. Reported as
 *   the median over spectra, overall and per spectral region (the noise's spectral shape).
 * - Baseline/scatter between samples: least-squares line A ≈ a + b·(ν − 2300)/1000 per spectrum
 *   (SD over samples of the offset a and the slope b), and the SNV scale (the SD of a spectrum
 *   over wavenumbers: multiplicative scatter), as its coefficient of variation over samples.
 * - Per-group (instrument) mean spectra: RMS over wavenumbers of their SD across groups, and
 *   the range of their overall levels.
 */
import { matrixPca } from "../chemometrics/matrix-pca.js";
import { savitzkyGolayFilter, savitzkyGolayWeights } from "../spectra/x-savitzky-golay.js";

export interface SpectralStatsOptions {
  /** Regions (cm-1, [lo, hi)) over which the noise shape is reported. */
  noiseRegions?: readonly (readonly [number, number])[];
  /** Group label of each row (instrument); per-group mean spectra are compared when ≥ 2 groups. */
  groups?: readonly string[];
  /** Components whose cumulative share is reported. Default 10. */
  pcaComponents?: number;
}

export interface SpectralStats {
  n: number;
  p: number;
  /** Mean absorbance over samples and wavenumbers, and the 5 / 95 % quantiles of per-sample means. */
  level: { mean: number; q05: number; q95: number };
  /** Cumulative explained variance of components 1..k. */
  pcaCumulative: number[];
  pcaFor95: number;
  pcaFor99: number;
  /** Median over spectra of σ̂ (absorbance units), overall and per region. */
  noise: number;
  noiseByRegion: { region: [number, number]; sd: number }[];
  offsetSd: number;
  slopeSd: number;
  /** Coefficient of variation over samples of the per-spectrum SD over wavenumbers. */
  snvScaleCv: number;
  groups?: { count: number; meanSpread: number; levels: Record<string, number> };
}

export const DEFAULT_NOISE_REGIONS: readonly [number, number][] = [
  [750, 1300],
  [1300, 1800],
  [1800, 2300],
  [2400, 2800],
  [2800, 3200],
  [3200, 3800],
];

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};
const sd = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return Math.sqrt(v / Math.max(1, a.length - 1));
};

/** `values` row-major n × grid.length absorbance; `grid` uniform and ascending. */
export function spectralStats(values: Float64Array | Float32Array, grid: Float64Array, options: SpectralStatsOptions = {}): SpectralStats {
  const p = grid.length;
  const n = values.length / p;
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`spectralStats: need ≥ 3 rows of ${p} values, got ${values.length} values`);
  const regions = options.noiseRegions ?? DEFAULT_NOISE_REGIONS;
  const kMax = Math.min(options.pcaComponents ?? 10, n - 1, p);

  const pca = matrixPca(values, { rows: n, cols: p, components: Math.min(30, n - 1, p) });
  const cum: number[] = [];
  let acc = 0;
  let for95 = 0;
  let for99 = 0;
  for (let c = 0; c < pca.eigenvalues.length; c++) {
    acc += pca.eigenvalues[c]!;
    const share = acc / pca.totalVariance;
    if (c < kMax) cum.push(share);
    if (!for95 && share >= 0.95) for95 = c + 1;
    if (!for99 && share >= 0.99) for99 = c + 1;
  }

  const smooth = savitzkyGolayFilter(p, { windowSize: 5, polynomial: 2 });
  const h0 = savitzkyGolayWeights(5, 2, 0, 2)[2]!;
  const scale = 1.4826 / Math.sqrt(1 - h0);
  const noiseAll: number[] = [];
  const noiseReg: number[][] = regions.map(() => []);
  const regIdx = regions.map(([lo, hi]) => Array.from(grid.keys()).filter((j) => grid[j]! >= lo && grid[j]! < hi && j >= 2 && j < p - 2));
  const offsets: number[] = [];
  const slopes: number[] = [];
  const snv: number[] = [];
  const levels: number[] = [];
  const x = grid.map((v) => (v - 2300) / 1000);
  const xm = x.reduce((s, v) => s + v, 0) / p;
  const sxx = x.reduce((s, v) => s + (v - xm) ** 2, 0);
  const row = new Float64Array(p);
  const res = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = values[i * p + j]!;
    const sm = smooth(row);
    for (let j = 0; j < p; j++) res[j] = Math.abs(row[j]! - sm[j]!);
    noiseAll.push(scale * median(Array.from(res.subarray(2, p - 2))));
    regIdx.forEach((idx, r) => noiseReg[r]!.push(scale * median(idx.map((j) => res[j]!))));
    let m = 0;
    for (let j = 0; j < p; j++) m += row[j]!;
    m /= p;
    let sxy = 0;
    for (let j = 0; j < p; j++) sxy += (x[j]! - xm) * (row[j]! - m);
    const b = sxy / sxx;
    offsets.push(m - b * xm);
    slopes.push(b);
    snv.push(sd(row));
    levels.push(m);
  }
  const snvMean = snv.reduce((s, v) => s + v, 0) / n;

  const out: SpectralStats = {
    n,
    p,
    level: { mean: levels.reduce((s, v) => s + v, 0) / n, q05: quantile(levels, 0.05), q95: quantile(levels, 0.95) },
    pcaCumulative: cum,
    pcaFor95: for95 || Infinity,
    pcaFor99: for99 || Infinity,
    noise: median(noiseAll),
    noiseByRegion: regions.map((r, k) => ({
      region: [r[0], r[1]],
      sd: noiseReg[k]!.length && regIdx[k]!.length ? median(noiseReg[k]!) : NaN,
    })),
    offsetSd: sd(offsets),
    slopeSd: sd(slopes),
    snvScaleCv: sd(snv) / snvMean,
  };

  if (options.groups) {
    if (options.groups.length !== n) throw new RangeError(`spectralStats: ${options.groups.length} group labels for ${n} rows`);
    const names = [...new Set(options.groups)];
    const means = names.map((g) => {
      const m = new Float64Array(p);
      let cnt = 0;
      options.groups!.forEach((h, i) => {
        if (h !== g) return;
        cnt++;
        for (let j = 0; j < p; j++) m[j]! += values[i * p + j]!;
      });
      return m.map((v) => v / cnt);
    });
    if (names.length >= 2) {
      let ss = 0;
      for (let j = 0; j < p; j++) ss += sd(means.map((m) => m[j]!)) ** 2;
      out.groups = {
        count: names.length,
        meanSpread: Math.sqrt(ss / p),
        levels: Object.fromEntries(names.map((g, k) => [g, means[k]!.reduce((s, v) => s + v, 0) / p])),
      };
    }
  }
  return out;
}
