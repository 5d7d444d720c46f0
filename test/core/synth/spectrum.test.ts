import { describe, expect, it } from "vitest";
import { omLoading } from "../../../src/core/synth/spectrum.js";

describe("omLoading (OM's apparent absorbance: linear while dilute, logarithmic beyond the crossover)", () => {
  const x0 = 0.1;
  it("equals the mass fraction at 3 % OM and is 0 without OM", () => {
    expect(omLoading(0.03, x0)).toBeCloseTo(0.03, 12);
    expect(omLoading(0, x0)).toBe(0);
  });
  it("is proportional to OM well below the crossover", () => {
    expect(omLoading(0.002, x0) / omLoading(0.001, x0)).toBeCloseTo(2, 1); // 1.990
  });
  it("grows with log OM well above it: equal steps per doubling", () => {
    const a = omLoading(2, x0) - omLoading(1, x0);
    const b = omLoading(4, x0) - omLoading(2, x0);
    expect(b / a).toBeGreaterThan(0.9);
    expect(b / a).toBeLessThan(1.05);
    // and is concave throughout
    expect(omLoading(0.4, x0) - omLoading(0.2, x0)).toBeLessThan(omLoading(0.2, x0) - omLoading(0, x0));
  });
  it("stays linear for longer when the crossover is higher (coarse, quartz-rich powders)", () => {
    expect(omLoading(0.3, 0.2) / omLoading(0.03, 0.2)).toBeGreaterThan(omLoading(0.3, 0.05) / omLoading(0.03, 0.05));
  });
});
