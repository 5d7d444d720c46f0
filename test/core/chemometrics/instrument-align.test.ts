import { describe, expect, it } from "vitest";
import { instrumentAlignFit } from "../../../src/core/chemometrics/instrument-align.js";
import { matrixPca } from "../../../src/core/chemometrics/matrix-pca.js";
import { createRng } from "../../../src/core/random.js";

/** Smooth random spectra (sums of broad bands) on a 4 cm-1 grid. */
function spectra(n: number, seed: number, w: Float64Array): Float32Array {
  const rng = createRng(seed);
  const p = w.length;
  const out = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    const a = [rng.next(), rng.next(), rng.next()];
    for (let j = 0; j < p; j++) {
      const v = w[j]!;
      out[i * p + j] =
        0.3 +
        a[0]! * Math.exp(-(((v - 1100) / 80) ** 2)) +
        a[1]! * Math.exp(-(((v - 2900) / 60) ** 2)) +
        0.5 * a[2]! * Math.exp(-(((v - 3400) / 150) ** 2));
    }
  }
  return out;
}

describe("instrumentAlignFit", () => {
  it("matches on at most maxRows evenly spaced spectra per side and still recovers gain and offset", () => {
    const w = Float64Array.from({ length: 300 }, (_, j) => 800 + 10 * j);
    const p = w.length;
    const ref = spectra(400, 1, w);
    // the source measured 300 of the reference's soils through gain 1.2 and offset 0.05
    const src = ref.subarray(0, 300 * p).map((v) => 1.2 * v + 0.05);
    const pca = matrixPca(ref, { rows: 400, cols: p, components: 3 });
    const capped = instrumentAlignFit(src, { rows: 300, cols: p }, w, ref, { rows: 400, cols: p }, pca, { maxRows: 50 });
    expect(capped.pairs).toBeLessThanOrEqual(Math.ceil(0.8 * 50));
    expect(capped.gain).toBeCloseTo(1.2, 1);
    expect(capped.offset).toBeCloseTo(0.05, 1);
    const full = instrumentAlignFit(src, { rows: 300, cols: p }, w, ref, { rows: 400, cols: p }, pca);
    expect(full.pairs).toBeGreaterThan(50);
    expect(Math.abs(capped.gain - full.gain)).toBeLessThan(0.05);
  });
});
