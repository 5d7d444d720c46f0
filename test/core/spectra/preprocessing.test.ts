import { describe, expect, it } from "vitest";
import { commonGrid, gridKeepIndices } from "../../../src/core/spectra/common-grid.js";
import { resamplePlan, xResample } from "../../../src/core/spectra/x-resample.js";
import { xAbsorbance } from "../../../src/core/spectra/x-absorbance.js";
import { xRepairNaN } from "../../../src/core/spectra/x-repair-nan.js";
import { xNormalize } from "../../../src/core/spectra/x-normalize.js";
import { xSavitzkyGolay } from "../../../src/core/spectra/x-savitzky-golay.js";
import { matrixScanDefects } from "../../../src/core/spectra/scan-defects.js";
import { soils, spectraOf, uniformGrid } from "./soil-fixture.js";

describe("commonGrid", () => {
  it("600–4000 step 4 has 851 points; regions are excluded", () => {
    const g = commonGrid();
    expect(g.length).toBe(851);
    expect([g[0], g[850]]).toEqual([600, 4000]);
    const keep = gridKeepIndices(g, [[2400, 2300]]);
    expect(keep.length).toBe(851 - 26);
    expect(() => commonGrid({ from: 10, to: 5 })).toThrow(RangeError);
  });
});

describe("xResample", () => {
  it("is exact on a linear function for ascending and descending sources", () => {
    const asc = Float64Array.from({ length: 50 }, (_, i) => 590 + i * 2.3);
    const desc = asc.slice().reverse();
    const f = (w: number) => 3 - 0.01 * w;
    const to = Float64Array.from([600, 612.5, 650, 700.1]);
    for (const src of [asc, desc]) {
      const y = Float64Array.from(src, f);
      const out = xResample(y, resamplePlan(src, to));
      out.forEach((v, i) => expect(v).toBeCloseTo(f(to[i]!), 12));
    }
  });
  it("refuses to extrapolate", () => {
    expect(() => resamplePlan([600, 602, 604], [598, 600])).toThrow(/outside the source range/);
    expect(() => resamplePlan([600, 602, 604], [700, 800])).toThrow(
      /source axis 600–604 cm-1 does not overlap the target grid 700–800 cm-1 at all/,
    );
  });
});

describe("xAbsorbance", () => {
  it("converts % and fraction, flags R ≤ 0 and keeps R > 100 %", () => {
    const r = xAbsorbance(Float64Array.from([10, 100, 0, 120]), { unit: "reflectance_percent" });
    expect(r.values[0]).toBeCloseTo(1, 12);
    expect(r.values[1]).toBeCloseTo(0, 12);
    expect(Number.isNaN(r.values[2]!)).toBe(true);
    expect(r.values[3]).toBeCloseTo(-Math.log10(1.2), 12);
    expect([r.nonpositive, r.aboveOne]).toEqual([1, 1]);
    expect(xAbsorbance(Float64Array.from([0.01]), { unit: "reflectance" }).values[0]).toBeCloseTo(2, 12);
  });
});

describe("xRepairNaN", () => {
  it("interpolates interior gaps and extends the ends", () => {
    const y = Float64Array.from([NaN, 1, NaN, NaN, 4, NaN]);
    expect(xRepairNaN(y)).toBe(4);
    expect(Array.from(y)).toEqual([1, 1, 2, 3, 4, 4]);
    expect(xRepairNaN(Float64Array.from([NaN, NaN]))).toBe(-1);
  });
});

describe("xNormalize", () => {
  it("computes each method by hand", () => {
    const base = [1, 2, 3, 4];
    const snv = Float64Array.from(base);
    xNormalize(snv, { method: "snv" });
    const sd = Math.sqrt(5 / 3);
    expect(snv[0]).toBeCloseTo(-1.5 / sd, 12);
    const mm = Float64Array.from(base);
    xNormalize(mm, { method: "minmax" });
    expect(Array.from(mm)).toEqual([0, 1 / 3, 2 / 3, 1]);
    const bl = Float64Array.from(base);
    xNormalize(bl, { method: "baseline" });
    expect(Array.from(bl)).toEqual([0, 1, 2, 3]);
    const ve = Float64Array.from(base);
    xNormalize(ve, { method: "vector" });
    expect(ve[3]).toBeCloseTo(4 / Math.sqrt(30), 12);
    const ar = Float64Array.from(base);
    xNormalize(ar, { method: "area" });
    expect(ar[0]).toBeCloseTo(0.1, 12);
    expect(xNormalize(Float64Array.from([2, 2, 2]), { method: "snv" })).toBe(false);
  });
});

describe("xSavitzkyGolay", () => {
  // scipy.signal.savgol_filter(y, 5, 2, mode="interp") and (y, 7, 3, deriv=1, delta=2)
  const y = [1, 3, 2, 5, 7, 4, 6, 9, 8, 12, 10, 11, 15, 13];
  it("smoothing matches scipy (mode interp)", () => {
    const ref = [
      1.3714285714, 1.9142857143, 3.0285714286, 4.9142857143, 5.8, 5.2, 6.0857142857, 7.8, 9.7142857143, 10.2857142857, 10.7714285714,
      11.7714285714, 12.6857142857, 14.0285714286,
    ];
    xSavitzkyGolay(y, { windowSize: 5, polynomial: 2 }).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 9));
  });
  it("first derivative matches scipy", () => {
    const ref = [
      0.5436507937, 0.6091269841, 0.5912698413, 0.4900793651, 0.1547619048, 0.1547619048, 0.4027777778, 1.1626984127, 0.5714285714,
      0.1031746032, 0.6408730159, 0.5694444444, 0.3313492063, -0.0734126984,
    ];
    xSavitzkyGolay(y, { windowSize: 7, polynomial: 3, derivative: 1, deltaX: 2 }).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 9));
  });
  it("rejects even windows and too-high derivatives", () => {
    expect(() => xSavitzkyGolay(y, { windowSize: 4 })).toThrow(RangeError);
    expect(() => xSavitzkyGolay(y, { polynomial: 1, derivative: 2 })).toThrow(RangeError);
  });
});

describe("matrixScanDefects", () => {
  it("finds flat, saturated and spike scans and nothing in clean ones", () => {
    const grid = uniformGrid(600, 4000, 4);
    const p = grid.length;
    const n = 60;
    const v = spectraOf(soils(n, 3), grid, { noise: 0.002 }, 4);
    const row = (i: number) => v.subarray(i * p, (i + 1) * p);
    row(1).fill(0.8);
    for (let j = 0; j < p; j++) row(2)[j] = 0.8 + ((j * 7919) % 13) * 1e-4;
    const r3 = row(3);
    const cap = Math.min(...r3) + 0.5 * (Math.max(...r3) - Math.min(...r3));
    for (let j = 0; j < p; j++) r3[j] = Math.min(r3[j]!, cap);
    row(4)[400]! += 0.7;
    const res = matrixScanDefects(v, { rows: n, cols: p });
    expect(res.defects[1]).toEqual(["flat"]);
    expect(res.defects[2]).toContain("flat");
    expect(res.defects[3]).toContain("saturated");
    expect(res.defects[4]).toEqual(["spike"]);
    for (let i = 5; i < n; i++) expect(res.defects[i], `row ${i}`).toEqual([]);
  });
});
