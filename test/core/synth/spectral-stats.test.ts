import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { commonGrid } from "../../../src/core/spectra/common-grid.js";
import { spectralStats } from "../../../src/core/synth/spectral-stats.js";

describe("spectralStats", () => {
  const grid = commonGrid({ from: 752, to: 3796, step: 4 });
  const p = grid.length;
  const n = 200;
  const rng = createRng(3);
  const values = new Float64Array(n * p);
  const offsets: number[] = [];
  const groups: string[] = [];
  for (let i = 0; i < n; i++) {
    // A smooth band whose height varies, a per-sample offset (SD 0.1) and white noise.
    const h = 1 + 0.2 * rng.normal(0, 1);
    const o = rng.normal(0, 0.1) + (i % 2 ? 0.05 : -0.05);
    offsets.push(o);
    groups.push(i % 2 ? "b" : "a");
    for (let j = 0; j < p; j++) {
      const noise = rng.normal(0, grid[j]! > 2800 ? 0.004 : 0.001);
      values[i * p + j] = o + h * Math.exp(-(((grid[j]! - 1100) / 150) ** 2)) + noise;
    }
  }
  const s = spectralStats(values, grid, {
    groups,
    noiseRegions: [
      [800, 1900],
      [2900, 3700],
    ],
  });

  it("recovers white noise by region from the Savitzky–Golay residual", () => {
    expect(s.noiseByRegion[0]!.sd).toBeGreaterThan(0.0009);
    expect(s.noiseByRegion[0]!.sd).toBeLessThan(0.0011);
    expect(s.noiseByRegion[1]!.sd).toBeGreaterThan(0.0036);
    expect(s.noiseByRegion[1]!.sd).toBeLessThan(0.0044);
  });

  it("sees two latent factors (offset, band height) in the PCA and the offset spread", () => {
    expect(s.pcaFor95).toBeLessThanOrEqual(2);
    expect(s.pcaCumulative[1]!).toBeGreaterThan(0.95);
    // The band adds a constant share of its height to the line fit's offset; the SD is close.
    expect(s.offsetSd).toBeGreaterThan(0.09);
    expect(s.offsetSd).toBeLessThan(0.14);
    expect(s.groups!.count).toBe(2);
    // Group means differ by 0.1 in offset: SD across two groups ≈ 0.1/√2.
    expect(s.groups!.meanSpread).toBeGreaterThan(0.05);
    expect(s.groups!.meanSpread).toBeLessThan(0.1);
  });

  it("refuses too few rows", () => {
    expect(() => spectralStats(new Float64Array(2 * p), grid)).toThrow(/≥ 3 rows/);
  });
});
