// PCA control limits at their boundaries and in closed form: α limits, the T² argument checks,
// θ sums with clipped negative eigenvalues, the Jackson–Mudholkar formula for hand-picked θ
// (including a negative base clamped to 0), Box's moments, and the robust log-scale limit.
import { describe, expect, it } from "vitest";
import { fQuantile, normalQuantile } from "../../../src/core/chemometrics/distribution-quantiles.js";
import {
  hotellingT2Limit,
  qLimitBox,
  qLimitJacksonMudholkar,
  qLimitRobustLog,
  residualThetaOf,
} from "../../../src/core/chemometrics/pca-limits.js";

const Z95 = 1.6448536269514722; // scipy.stats.norm.ppf(0.95)

describe("hotellingT2Limit", () => {
  it("k(n−1)/(n−k)·F(1−α; k, n−k), n = k + 1 allowed", () => {
    expect(hotellingT2Limit(10, 2, 0.05)).toBeCloseTo(((2 * 9) / 8) * fQuantile(0.95, 2, 8), 12);
    expect(hotellingT2Limit(4, 3, 0.1)).toBeCloseTo(9 * fQuantile(0.9, 3, 1), 9);
    expect(hotellingT2Limit(4, 1, 0.1)).toBeCloseTo((3 / 3) * fQuantile(0.9, 1, 3), 12);
  });
  it("messages", () => {
    expect(() => hotellingT2Limit(10, 0, 0.05)).toThrow("hotellingT2Limit: need integer k >= 1 and n > k, got n=10, k=0");
    expect(() => hotellingT2Limit(10, 1.5, 0.05)).toThrow(RangeError);
    expect(() => hotellingT2Limit(Number.NaN, 1, 0.05)).toThrow(RangeError);
    for (const a of [0, 1, -0.1, Number.NaN])
      expect(() => hotellingT2Limit(10, 2, a)).toThrow(`hotellingT2Limit: alpha must be in (0, 1), got ${a}`);
  });
});

describe("residualThetaOf", () => {
  it("sums the 1st–3rd powers past k, negatives clipped at 0", () => {
    expect(residualThetaOf([9, 3, 2, -1, 0.5], 1)).toEqual([5.5, 13.25, 35.125]);
    expect(residualThetaOf([9, 3, 2], 3)).toEqual([0, 0, 0]);
    expect(residualThetaOf([9, 3, 2], 0)).toEqual([14, 94, 764]);
  });
});

describe("qLimitJacksonMudholkar", () => {
  it("closed form for θ = (1, 1, 1): h0 = 1/3", () => {
    const base = Z95 * Math.sqrt(2 / 9) + 1 + (1 / 3) * (-2 / 3);
    expect(qLimitJacksonMudholkar([1, 1, 1], 0.05)).toBeCloseTo(base ** 3, 10);
  });
  it("closed form for θ = (3, 5, 11)", () => {
    const [t1, t2, t3] = [3, 5, 11];
    const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
    const z = normalQuantile(0.99);
    const base = (z * Math.sqrt(2 * t2 * h0 * h0)) / t1 + 1 + (t2 * h0 * (h0 - 1)) / (t1 * t1);
    expect(h0).toBeCloseTo(0.12, 14);
    expect(qLimitJacksonMudholkar([t1, t2, t3], 0.01)).toBeCloseTo(t1 * base ** (1 / h0), 9);
    expect(qLimitJacksonMudholkar([t1, t2, t3], 0.01)).toBeCloseTo(
      3 * (1 + (2.326347874040841 * Math.sqrt(10 * 0.0144)) / 3 + (5 * 0.12 * -0.88) / 9) ** (1 / 0.12),
      8,
    );
  });
  it("a negative base (α near 1) gives 0, and no residual variance gives 0", () => {
    expect(qLimitJacksonMudholkar([1, 1, 1], 0.99)).toBe(0);
    expect(qLimitJacksonMudholkar([0, 1, 1], 0.05)).toBe(0);
    expect(qLimitJacksonMudholkar([1, 0, 1], 0.05)).toBe(0);
    expect(qLimitJacksonMudholkar([Number.NaN, 1, 1], 0.05)).toBe(0);
    expect(() => qLimitJacksonMudholkar([1, 1, 1], 1)).toThrow("qLimitJacksonMudholkar: alpha must be in (0, 1), got 1");
  });
});

describe("qLimitBox", () => {
  it("g·χ²(1−α; h) with g = var/(2·mean), h = 2·mean²/var: e.g. 4·χ²(0.5) for mean 2, var 16", () => {
    // Q = 0, 0, 0, 8: mean 2, sample variance (4 + 4 + 4 + 36)/3 = 16 → g = 4, h = 0.5
    const q = [0, 0, 0, 8];
    // χ²(0.95; 0.5) (scipy.stats.chi2.ppf(0.95, 0.5))
    expect(qLimitBox(q, 0.05)).toBeCloseTo(4 * 2.4202322748895257, 9);
    // Q = 1, 3: mean 2, var 2 → g = 0.5, h = 4; χ²(0.9; 4) = 7.779440339734858
    expect(qLimitBox([1, 3], 0.1)).toBeCloseTo(0.5 * 7.779440339734858, 9);
  });
  it("constant or non-positive Q: the mean itself; fewer than 2 values rejected", () => {
    expect(qLimitBox([2, 2, 2], 0.01)).toBe(2);
    expect(qLimitBox([0, 0], 0.01)).toBe(0);
    expect(qLimitBox([-1, -3], 0.01)).toBe(-2);
    expect(() => qLimitBox([1], 0.01)).toThrow("qLimitBox: need at least 2 Q values, got 1");
    expect(() => qLimitBox([1, 2], 0)).toThrow("qLimitBox: alpha must be in (0, 1), got 0");
  });
});

describe("qLimitRobustLog", () => {
  it("exp(median + z·1.4826·MAD) of ln Q; zero, negative and non-finite Q ignored", () => {
    const q = [1, Math.E, Math.E ** 2, Math.E ** 3, Math.E ** 4];
    expect(qLimitRobustLog(q, 2)).toBeCloseTo(Math.exp(2 + 2 * 1.4826), 9);
    expect(qLimitRobustLog([0, -5, Infinity, Number.NaN, ...q], 2)).toBeCloseTo(Math.exp(2 + 2 * 1.4826), 9);
    // an even count: type-7 medians. ln Q = 0, 1, 2, 4 → median 1.5, |dev| 1.5, 0.5, 0.5, 2.5 → MAD 1
    expect(qLimitRobustLog([1, Math.E, Math.E ** 2, Math.E ** 4], 1)).toBeCloseTo(Math.exp(1.5 + 1.4826), 9);
    expect(qLimitRobustLog([1, Math.E, Math.E ** 2], 0.5)).toBeCloseTo(Math.exp(1 + 0.5 * 1.4826), 9);
  });
  it("messages", () => {
    expect(() => qLimitRobustLog([1, 2, 3], 0)).toThrow("qLimitRobustLog: z must be > 0, got 0");
    expect(() => qLimitRobustLog([1, 2, 3], Number.NaN)).toThrow(RangeError);
    expect(() => qLimitRobustLog([1, 2, 0, Infinity], 1)).toThrow("qLimitRobustLog: need at least 3 positive Q values, got 2");
  });
});
