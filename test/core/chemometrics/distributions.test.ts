import { describe, expect, it } from "vitest";
import { regularizedBeta } from "../../../src/core/chemometrics/regularized-beta.js";
import { regularizedGammaP } from "../../../src/core/chemometrics/regularized-gamma.js";
import { chiSquareQuantile, fQuantile, normalQuantile } from "../../../src/core/chemometrics/distribution-quantiles.js";
import { hotellingT2Limit, qLimitBox, qLimitJacksonMudholkar, residualThetaOf } from "../../../src/core/chemometrics/pca-limits.js";

// Reference values: scipy 1.17 (special.betainc, special.gammainc, stats.f/chi2/norm.ppf)
// and the classic printed tables (F_0.95(3,20) = 3.10, χ²_0.95(1) = 3.841, χ²_0.99(10) = 23.209).
describe("incomplete beta/gamma", () => {
  it("matches scipy", () => {
    expect(regularizedBeta(0.3, 2.5, 3.5)).toBeCloseTo(0.29675298929566646, 12);
    expect(regularizedBeta(0.9, 0.5, 0.5)).toBeCloseTo(0.7951672353008665, 12);
    expect(regularizedBeta(0.5, 10, 20)).toBeCloseTo(0.9692858271300793, 12);
    expect(regularizedGammaP(0.5, 0.1)).toBeCloseTo(0.34527915398142317, 12);
    expect(regularizedGammaP(3, 2.5)).toBeCloseTo(0.45618688411667035, 12);
    expect(regularizedGammaP(50, 60)).toBeCloseTo(0.9155933189063082, 12);
  });
  it("rejects bad arguments", () => {
    expect(() => regularizedBeta(1.5, 1, 1)).toThrow(RangeError);
    expect(() => regularizedGammaP(-1, 1)).toThrow(RangeError);
  });
});

describe("quantiles", () => {
  it("F matches tables and scipy", () => {
    expect(fQuantile(0.95, 3, 20)).toBeCloseTo(3.098391212140781, 9);
    expect(fQuantile(0.99, 10, 100)).toBeCloseTo(2.503311126879585, 9);
    expect(fQuantile(0.999, 5, 1000)).toBeCloseTo(4.139118739455533, 9);
    expect(fQuantile(0.95, 1, 1)).toBeCloseTo(161.4476387975882, 7);
    expect(fQuantile(0.99, 5, 95)).toBeCloseTo(3.2161559507885378, 9);
  });
  it("χ² (integer and non-integer df) and normal match scipy", () => {
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(3.841458820694124, 9);
    expect(chiSquareQuantile(0.99, 10)).toBeCloseTo(23.209251158954356, 9);
    expect(chiSquareQuantile(0.999, 2.5)).toBeCloseTo(15.082186971981955, 9);
    expect(chiSquareQuantile(0.01, 100)).toBeCloseTo(70.06489492539978, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 10);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 10);
  });
  it("rejects probabilities outside (0, 1)", () => {
    expect(() => fQuantile(1, 2, 3)).toThrow(RangeError);
    expect(() => chiSquareQuantile(0.5, 0)).toThrow(RangeError);
  });
});

describe("PCA limits", () => {
  it("T² limit = k(n−1)/(n−k)·F", () => {
    expect(hotellingT2Limit(50, 3, 0.05)).toBeCloseTo(8.764812997577385, 8);
  });
  it("Jackson–Mudholkar and Box match a numpy/scipy computation", () => {
    expect(qLimitJacksonMudholkar(residualThetaOf([10, 5, 2, 1, 0.5, 0.25, 0.1, 0.05], 3), 0.01)).toBeCloseTo(8.345737873386613, 8);
    expect(qLimitBox([0.5, 1.2, 0.8, 2.5, 1.1, 0.3, 0.9, 1.7, 0.6, 1.4], 0.01)).toBeCloseTo(3.1389390402236375, 8);
  });
  it("rejects k >= n", () => {
    expect(() => hotellingT2Limit(3, 3, 0.05)).toThrow(RangeError);
  });
});
