import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { conformalIntervals, conformalQuantile, normalizedScores } from "../../../src/core/stats/conformal.js";
import { domainScores, fitDomain } from "../../../src/core/stats/domain.js";

describe("split-conformal quantile", () => {
  it("is the ⌈(n+1)(1−α)⌉-th smallest score, Infinity when n is too small", () => {
    const s = Float64Array.from({ length: 19 }, (_, i) => 19 - i); // 1..19
    expect(conformalQuantile(s, 0.9)).toBe(18); // ⌈20·0.9⌉ = 18
    expect(conformalQuantile(s.subarray(0, 5), 0.9)).toBe(Infinity);
    expect(() => conformalQuantile(s, 1)).toThrow(/pi_level/);
  });

  it("normalized intervals reach the nominal coverage on fresh data (log scale → g/kg)", () => {
    const r = createRng(4);
    const gen = (n: number) => {
      const sig = Float64Array.from({ length: n }, () => 0.1 + r.next());
      const pred = Float64Array.from({ length: n }, () => 2 + r.normal());
      const y = Float64Array.from(pred, (p, i) => p + sig[i]! * r.normal());
      return { sig, pred, y };
    };
    const cal = gen(400);
    const q = conformalQuantile(normalizedScores(cal.y, cal.pred, cal.sig), 0.9);
    const test = gen(4000);
    const pi = conformalIntervals(test.pred, test.sig, q, Math.expm1);
    let hit = 0;
    test.y.forEach((v, i) => (hit += pi.low[i]! <= Math.expm1(v) && Math.expm1(v) <= pi.high[i]! ? 1 : 0));
    expect(hit / 4000).toBeGreaterThan(0.87);
    expect(hit / 4000).toBeLessThan(0.94);
  });
});

describe("applicability domain (PCA T² and Q)", () => {
  it("flags shifted spectra and keeps ~99 % of the training set in domain", () => {
    const r = createRng(8);
    const p = 60;
    const n = 300;
    const basis = [0, 1, 2].map(() => Float64Array.from({ length: p }, () => r.normal()));
    const row = (shift: number) => {
      const s = [r.normal() * 3, r.normal() * 2, r.normal()];
      return Array.from(
        { length: p },
        (_, j) => s.reduce((a, sc, k) => a + sc * basis[k]![j]!, 0) + 0.05 * r.normal() + shift * Math.sin(j),
      );
    };
    const x = Float32Array.from(Array.from({ length: n }, () => row(0)).flat());
    const model = fitDomain(x, p, undefined, { components: 3 });
    expect(model.eigenvalues[0]!).toBeGreaterThan(model.eigenvalues[2]!);
    const inTrain = domainScores(model, x, p).inDomain.filter(Boolean).length / n;
    expect(inTrain).toBeGreaterThan(0.97);
    const fresh = Float32Array.from(Array.from({ length: 50 }, () => row(0)).flat());
    expect(domainScores(model, fresh, p).inDomain.filter(Boolean).length).toBeGreaterThan(40);
    const shifted = Float32Array.from(Array.from({ length: 50 }, () => row(1)).flat());
    expect(domainScores(model, shifted, p).inDomain.filter(Boolean).length).toBeLessThan(3);
  });
});
