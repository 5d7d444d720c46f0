// logGamma, the regularized incomplete gamma and beta functions against closed forms
// (P(1, x) = 1 − e^−x, P(1/2, x) = erf √x, I_x(a, 1) = x^a, I_x(2, 2) = 3x² − 2x³, …) on both
// sides of each branch point, and scipy 1.17 values (special.gammaln / gammainc / betainc).
import { describe, expect, it } from "vitest";
import { logGamma } from "../../../src/core/chemometrics/log-gamma.js";
import { regularizedGammaP } from "../../../src/core/chemometrics/regularized-gamma.js";
import { regularizedBeta } from "../../../src/core/chemometrics/regularized-beta.js";

/** erf by its Maclaurin series (|x| ≤ 2 here): an independent reference. */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe("logGamma", () => {
  it("matches scipy gammaln on both sides of the reflection point 0.5", () => {
    const ref: [number, number][] = [
      [0.5, 0.5723649429247],
      [1, 0],
      [2, 0],
      [10, 12.801827480081469],
      [0.1, 2.252712651734206],
      [100, 359.1342053695754],
      [1e-5, 11.512919692895826],
      [0.3, 1.0957979948180756],
      [3.7, 1.428072326665388],
    ];
    for (const [x, v] of ref) expect(logGamma(x)).toBeCloseTo(v, 12);
    // log n! for integers
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 13);
    expect(logGamma(0.49)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * 0.49)) - logGamma(0.51), 13);
  });
  it("rejects x ≤ 0 and NaN", () => {
    expect(() => logGamma(0)).toThrow("logGamma: x must be > 0, got 0");
    expect(() => logGamma(-1)).toThrow(RangeError);
    expect(() => logGamma(Number.NaN)).toThrow(RangeError);
  });
});

describe("regularizedGammaP", () => {
  it("closed forms on both branches (series for x < a + 1, continued fraction otherwise)", () => {
    for (const x of [0.01, 0.5, 1.5, 1.99, 2, 2.01, 3, 8, 30]) expect(regularizedGammaP(1, x)).toBeCloseTo(-Math.expm1(-x), 14);
    // P(2, x) = 1 − (1 + x)e^−x
    for (const x of [0.2, 2.9, 3, 3.1, 12]) expect(regularizedGammaP(2, x)).toBeCloseTo(1 - (1 + x) * Math.exp(-x), 14);
    for (const x of [0.04, 1.2, 1.5, 1.6, 4]) expect(regularizedGammaP(0.5, x)).toBeCloseTo(erf(Math.sqrt(x)), 13);
  });
  it("matches scipy gammainc", () => {
    expect(regularizedGammaP(2.5, 3.5)).toBeCloseTo(0.7793596920632894, 14);
    expect(regularizedGammaP(2.5, 1.2)).toBeCloseTo(0.20852587940567532, 14);
    expect(regularizedGammaP(7, 7.9)).toBeCloseTo(0.6742599044193969, 14);
    expect(regularizedGammaP(7, 8)).toBeCloseTo(0.6866257224636023, 14);
  });
  it("ends: 0 at x = 0, 1 at ∞, in [0, 1] far in the tails; messages", () => {
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaP(3, Infinity)).toBe(1);
    expect(regularizedGammaP(3, 800)).toBe(1);
    expect(regularizedGammaP(1e-3, 1e-300)).toBeGreaterThan(0.4);
    expect(regularizedGammaP(1e-3, 1e-300)).toBeLessThanOrEqual(1);
    expect(regularizedGammaP(500, 1)).toBe(0);
    expect(() => regularizedGammaP(0, 1)).toThrow("regularizedGammaP: a must be > 0, got 0");
    expect(() => regularizedGammaP(Number.NaN, 1)).toThrow(RangeError);
    expect(() => regularizedGammaP(1, -0.1)).toThrow("regularizedGammaP: x must be >= 0, got -0.1");
    expect(() => regularizedGammaP(1, Number.NaN)).toThrow(RangeError);
  });
});

describe("regularizedBeta", () => {
  it("closed forms on both sides of the symmetry switch x = (a + 1)/(a + b + 2)", () => {
    for (const x of [0.01, 0.3, 0.5, 0.7, 0.99]) {
      expect(regularizedBeta(x, 1, 1)).toBeCloseTo(x, 14);
      expect(regularizedBeta(x, 3, 1)).toBeCloseTo(x ** 3, 14);
      expect(regularizedBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 14);
      expect(regularizedBeta(x, 2, 2)).toBeCloseTo(3 * x * x - 2 * x ** 3, 14);
      // I_x(1/2, 1/2) = (2/π) asin √x
      expect(regularizedBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 13);
    }
    // the switch point of (2, 2) is 0.5 exactly; of (3, 1) it is 2/3
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 15);
    expect(regularizedBeta(2 / 3, 3, 1)).toBeCloseTo(8 / 27, 14);
  });
  it("matches scipy betainc", () => {
    expect(regularizedBeta(0.2, 2.5, 0.7)).toBeCloseTo(0.010532224589409257, 14);
    expect(regularizedBeta(0.95, 2.5, 0.7)).toBeCloseTo(0.7610736381393803, 13);
    expect(regularizedBeta(0.4, 30, 40)).toBeCloseTo(0.31814380259056413, 13);
  });
  it("ends and messages", () => {
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedBeta(-0.01, 1, 1)).toThrow("regularizedBeta: x must be in [0, 1], got -0.01");
    expect(() => regularizedBeta(1.01, 1, 1)).toThrow(RangeError);
    expect(() => regularizedBeta(Number.NaN, 1, 1)).toThrow(RangeError);
    expect(() => regularizedBeta(0.5, 0, 1)).toThrow("regularizedBeta: a and b must be > 0, got a=0, b=1");
    expect(() => regularizedBeta(0.5, 1, 0)).toThrow(RangeError);
    expect(() => regularizedBeta(0.5, Number.NaN, 1)).toThrow(RangeError);
  });
});
