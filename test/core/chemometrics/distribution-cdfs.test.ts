/** The CDFs behind the quantiles, their edges and messages (scipy 1.17 reference values). */
import { describe, expect, it } from "vitest";
import {
  chiSquareCdf,
  chiSquareQuantile,
  fCdf,
  fQuantile,
  normalCdf,
  normalQuantile,
} from "../../../src/core/chemometrics/distribution-quantiles.js";

describe("CDFs", () => {
  it("match scipy and are 0 at or below 0", () => {
    expect(fCdf(3.098391212140781, 3, 20)).toBeCloseTo(0.95, 12);
    expect(fCdf(1, 4, 4)).toBeCloseTo(0.5, 12); // F(d, d) has median 1
    expect(fCdf(0, 3, 20)).toBe(0);
    expect(fCdf(-1, 3, 20)).toBe(0);
    expect(fCdf(Infinity, 3, 20)).toBe(1);
    expect(chiSquareCdf(3.841458820694124, 1)).toBeCloseTo(0.95, 12);
    expect(chiSquareCdf(2, 2)).toBeCloseTo(1 - Math.exp(-1), 12); // χ²(2) is exponential(1/2)
    expect(chiSquareCdf(0, 3)).toBe(0);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(normalCdf(NaN)).toBeNaN();
  });

  it("quantiles invert the CDFs to ~1e-12, across the range", () => {
    for (const p of [0.001, 0.05, 0.5, 0.9, 0.999999]) {
      expect(fCdf(fQuantile(p, 2.5, 7), 2.5, 7)).toBeCloseTo(p, 11);
      expect(chiSquareCdf(chiSquareQuantile(p, 0.7), 0.7)).toBeCloseTo(p, 11);
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 11);
    }
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.1)).toBeCloseTo(-normalQuantile(0.9), 13);
    // closed forms: χ²(2) median = 2 ln 2; F(1,1) quantile = tan²(πp/2) (square of a Cauchy)
    expect(chiSquareQuantile(0.5, 2)).toBeCloseTo(2 * Math.LN2, 11);
    for (const p of [0.3, 0.95, 0.999]) {
      const exact = Math.tan((Math.PI * p) / 2) ** 2;
      expect(Math.abs(fQuantile(p, 1, 1) / exact - 1)).toBeLessThan(1e-10);
    }
    // far from the start of the bracket: many doublings, still inverted
    expect(chiSquareCdf(chiSquareQuantile(0.5, 2000), 2000)).toBeCloseTo(0.5, 10);
  });

  it("name the function, the argument and the value", () => {
    expect(() => fQuantile(0, 1, 1)).toThrow("fQuantile: probability must be in (0, 1), got 0");
    expect(() => fQuantile(0.5, -1, 1)).toThrow("fQuantile: d1 must be a positive finite number, got -1");
    expect(() => fQuantile(0.5, 1, Infinity)).toThrow("fQuantile: d2 must be a positive finite number, got Infinity");
    expect(() => fCdf(1, 0, 1)).toThrow("fCdf: d1 must be a positive finite number, got 0");
    expect(() => fCdf(1, 1, NaN)).toThrow("fCdf: d2 must be a positive finite number, got NaN");
    expect(() => chiSquareCdf(1, -2)).toThrow("chiSquareCdf: df must be a positive finite number, got -2");
    expect(() => chiSquareQuantile(1, 2)).toThrow("chiSquareQuantile: probability must be in (0, 1), got 1");
    expect(() => chiSquareQuantile(0.5, 0)).toThrow("chiSquareQuantile: df must be a positive finite number, got 0");
    expect(() => normalQuantile(NaN)).toThrow("normalQuantile: probability must be in (0, 1), got NaN");
  });
});
