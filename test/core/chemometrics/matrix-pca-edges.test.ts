// Edges of matrixPca the exact tests left open: the p = 300 switch to subspace iteration, a
// tie in the sign convention, the Gram–Schmidt restart of a deflated direction (a covariance
// with one non-zero entry), the relative convergence test on a small-variance matrix, and the
// messages naming the function. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { matrixColumnMean, matrixCovariance } from "../../../src/core/chemometrics/matrix-covariance.js";
import { matrixPca, pcaProject } from "../../../src/core/chemometrics/matrix-pca.js";

describe("matrixPca edges", () => {
  it("p = 300 still takes the full eigen-decomposition (all 300 eigenvalues), p = 301 the leading k + 8", () => {
    const rows = (p: number) => Float64Array.from({ length: 4 * p }, (_, q) => Math.sin(q * 0.37) + (q % p === 0 ? q / p : 0));
    expect(matrixPca(rows(300), { rows: 4, cols: 300, components: 2 }).eigenvalues.length).toBe(300);
    expect(matrixPca(rows(301), { rows: 4, cols: 301, components: 2 }).eigenvalues.length).toBe(10);
  });
  it("sign convention: of two loadings of equal magnitude the first decides", () => {
    const t = [1, -1, 2, -2];
    for (const s of [1, -1]) {
      const v = Float64Array.from(t.flatMap((a) => [s * a, -s * a]));
      const m = matrixPca(v, { rows: 4, cols: 2, components: 1 });
      expect(m.loadings[0]).toBeCloseTo(Math.SQRT1_2, 15);
      expect(m.loadings[1]).toBeCloseTo(-Math.SQRT1_2, 15);
    }
  });
  it("p > 300 with one varying column: deflated directions restart from unit vectors", () => {
    const p = 301;
    const v = new Float64Array(4 * p).fill(2);
    [1, -1, 3, -3].forEach((a, i) => (v[i * p] = 5 + a));
    const m = matrixPca(v, { rows: 4, cols: p, components: 2 });
    expect(m.eigenvalues.length).toBe(10);
    expect(m.eigenvalues[0]).toBeCloseTo(20 / 3, 12);
    for (let c = 1; c < 10; c++) expect(m.eigenvalues[c]).toBe(0);
    expect(m.loadings[0]).toBe(1);
    for (let j = 1; j < p; j++) expect(m.loadings[j * 2]).toBe(0);
    m.loadings.forEach((x) => expect(Number.isFinite(x)).toBe(true));
  });
  it("p > 300: convergence is relative to λ1, also when every variance is tiny", () => {
    const p = 301;
    const n = 12;
    const dirs = [1, 2, 3].map((c) => {
      const u = Array.from({ length: p }, (_, j) => Math.cos((2 * Math.PI * c * j) / p));
      const norm = Math.sqrt(u.reduce((s, x) => s + x * x, 0));
      return u.map((x) => x / norm);
    });
    const amp = [5e-3, 3e-3, 2e-3];
    const v = new Float64Array(n * p);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) {
        let x = 0;
        for (let c = 0; c < 3; c++) x += amp[c]! * Math.cos((2 * Math.PI * (c + 1) * i) / n) * dirs[c]![j]!;
        v[i * p + j] = x;
      }
    const m = matrixPca(v, { rows: n, cols: p, components: 2 });
    amp.forEach((a, c) => expect(m.eigenvalues[c]! / ((a * a * 6) / 11)).toBeCloseTo(1, 9));
    for (let c = 0; c < 2; c++) {
      let dot = 0;
      for (let j = 0; j < p; j++) dot += m.loadings[j * 2 + c]! * dirs[c]![j]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    }
  });
  it("messages name the function", () => {
    const v = new Float64Array(5);
    expect(() => matrixColumnMean(v, { rows: 2, cols: 3 })).toThrow("matrixColumnMean: 5 values for 2 rows x 3 cols");
    expect(() => matrixCovariance(v, { rows: 2, cols: 3 })).toThrow("matrixCovariance: 5 values for 2 rows x 3 cols");
    expect(() => matrixPca(v, { rows: 2, cols: 3 })).toThrow("matrixPca: 5 values for 2 rows x 3 cols");
    const m = matrixPca(Float64Array.from([1, 2, 3, 5, 0, 1]), { rows: 3, cols: 2, components: 1 });
    expect(() => pcaProject(v, { rows: 2, cols: 2 }, m)).toThrow("pcaProject: 5 values for 2 rows x 2 cols");
  });
  it("matrixColumnMean of a single row is that row", () => {
    const v = Float64Array.from([1, 2, 3, 5, 8, 13]);
    expect(Array.from(matrixColumnMean(v, { rows: 3, cols: 2, subset: [1] }))).toEqual([3, 5]);
    expect(Array.from(matrixColumnMean(v.subarray(0, 2), { rows: 1, cols: 2 }))).toEqual([1, 2]);
  });
});
