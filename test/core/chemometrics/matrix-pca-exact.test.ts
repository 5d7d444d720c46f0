// Exact checks of matrixCovariance / matrixPca / pcaProject / residualTheta: data built from
// centred, mutually orthogonal score vectors along known orthonormal directions, so the mean,
// covariance, eigenvalues, loadings, T², Q and the residual θ sums are known by hand; and a
// naive O(n·p²) covariance for the blocked accumulation. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { matrixColumnMean, matrixCovariance } from "../../../src/core/chemometrics/matrix-covariance.js";
import { matrixPca, pcaProject, residualTheta } from "../../../src/core/chemometrics/matrix-pca.js";
import { residualThetaOf } from "../../../src/core/chemometrics/pca-limits.js";

/** 5 x 3: col0 = 10 + 2·h1, col1 = −3 + h2, col2 = 7 with h1 ⟂ h2 centred: cov = diag(4, 1, 0). */
function diagData(): Float64Array {
  const h1 = [1, 1, -1, -1, 0];
  const h2 = [1, -1, 1, -1, 0];
  return Float64Array.from(h1.flatMap((a, i) => [10 + 2 * a, -3 + h2[i]!, 7]));
}

function naiveCov(v: ArrayLike<number>, p: number, rows: number[]): { mean: number[]; cov: number[] } {
  const n = rows.length;
  const mean = Array.from({ length: p }, (_, j) => rows.reduce((s, i) => s + v[i * p + j]!, 0) / n);
  const cov: number[] = [];
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) cov.push(rows.reduce((s, i) => s + (v[i * p + a]! - mean[a]!) * (v[i * p + b]! - mean[b]!), 0) / (n - 1));
  return { mean, cov };
}

function pseudo(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 4294967296) * 10 - 3;
  });
}

describe("matrixCovariance (exact)", () => {
  it("equals the naive covariance for every block size, p with and without a 4-column remainder, and a subset", () => {
    for (const p of [4, 7, 9]) {
      const n = 11;
      const v = pseudo(n * p, p);
      const all = Array.from({ length: n }, (_, i) => i);
      const ref = naiveCov(v, p, all);
      for (const blockSize of [undefined, 1, 3, 4, 11, 12]) {
        const c = matrixCovariance(v, { rows: n, cols: p, blockSize });
        expect(c.n).toBe(n);
        c.mean.forEach((m, j) => expect(m).toBeCloseTo(ref.mean[j]!, 12));
        c.covariance.forEach((x, i) => expect(x).toBeCloseTo(ref.cov[i]!, 11));
      }
      const subset = [9, 2, 4, 7, 0, 5];
      const refS = naiveCov(v, p, subset);
      for (const blockSize of [undefined, 4, 5]) {
        const c = matrixCovariance(v, { rows: n, cols: p, subset, blockSize });
        expect(c.n).toBe(6);
        c.mean.forEach((m, j) => expect(m).toBeCloseTo(refS.mean[j]!, 12));
        c.covariance.forEach((x, i) => expect(x).toBeCloseTo(refS.cov[i]!, 11));
      }
    }
  });
  it("uses a given mean as is (not the column mean)", () => {
    const v = Float64Array.from([1, 2, 3, 4, 5, 9]); // 3 x 2
    const c = matrixCovariance(v, { rows: 3, cols: 2, mean: Float64Array.from([0, 0]) });
    // Σ x_a x_b / (n − 1): [1+9+25, 2+12+45; ., 4+16+81] / 2
    expect(Array.from(c.covariance)).toEqual([35 / 2, 59 / 2, 59 / 2, 101 / 2]);
    expect(Array.from(c.mean)).toEqual([0, 0]);
    expect(() => matrixCovariance(v, { rows: 3, cols: 2, mean: Float64Array.from([0]) })).toThrow(
      "matrixCovariance: mean has 1 values for 2 cols",
    );
  });
  it("diagonal data: mean and covariance exactly", () => {
    const c = matrixCovariance(diagData(), { rows: 5, cols: 3 });
    expect(Array.from(c.mean)).toEqual([10, -3, 7]);
    expect(Array.from(c.covariance)).toEqual([4, 0, 0, 0, 1, 0, 0, 0, 0]);
  });
  it("row count and block size limits", () => {
    const v = Float64Array.from([1, 2, 3, 5]);
    expect(Array.from(matrixCovariance(v, { rows: 2, cols: 2 }).covariance)).toEqual([2, 3, 3, 4.5]);
    expect(() => matrixCovariance(v, { rows: 2, cols: 2, subset: [1] })).toThrow("matrixCovariance: need at least 2 rows, got 1");
    expect(() => matrixCovariance(v, { rows: 2, cols: 2, blockSize: 0 })).toThrow(
      "matrixCovariance: blockSize must be a positive integer, got 0",
    );
    expect(() => matrixCovariance(v, { rows: 2, cols: 2, blockSize: 1.5 })).toThrow(RangeError);
    expect(Array.from(matrixCovariance(v, { rows: 2, cols: 2, blockSize: 1 }).covariance)).toEqual([2, 3, 3, 4.5]);
  });
  it("matrixColumnMean: all rows, a subset, no rows", () => {
    const v = Float64Array.from([1, 2, 3, 5, 8, 13]); // 3 x 2
    expect(Array.from(matrixColumnMean(v, { rows: 3, cols: 2 }))).toEqual([4, 20 / 3]);
    expect(Array.from(matrixColumnMean(v, { rows: 3, cols: 2, subset: [2, 1] }))).toEqual([5.5, 9]);
    expect(() => matrixColumnMean(v, { rows: 3, cols: 2, subset: [] })).toThrow("matrixColumnMean: no rows");
  });
});

describe("matrixPca (exact, p ≤ 300)", () => {
  it("diagonal covariance: eigenvalues, loadings, total variance, explained", () => {
    const m = matrixPca(diagData(), { rows: 5, cols: 3, components: 2 });
    expect(m.n).toBe(5);
    expect(m.p).toBe(3);
    expect(m.k).toBe(2);
    expect(Array.from(m.mean)).toEqual([10, -3, 7]);
    expect(Array.from(m.eigenvalues)).toEqual([4, 1, 0]);
    expect(Array.from(m.loadings)).toEqual([1, 0, 0, 1, 0, 0]);
    expect(m.totalVariance).toBe(5);
    expect(m.explained).toBe(1);
    expect(matrixPca(diagData(), { rows: 5, cols: 3, components: 1 }).explained).toBe(0.8);
  });
  it("k by variance explained: stops as soon as the cumulative share reaches the target", () => {
    const k = (o: { varianceExplained?: number; maxComponents?: number }) => matrixPca(diagData(), { rows: 5, cols: 3, ...o }).k;
    expect(k({ varianceExplained: 0.8 })).toBe(1); // 4 of 5 reaches 0.8 exactly
    expect(k({ varianceExplained: 0.81 })).toBe(2);
    expect(k({ varianceExplained: 1 })).toBe(2); // 5 of 5 after two
    expect(k({})).toBe(2); // default 0.99
    expect(k({ maxComponents: 1 })).toBe(1);
    expect(k({ maxComponents: 1, varianceExplained: 1 })).toBe(1);
    for (const bad of [0, -0.1, 1.01, Number.NaN]) {
      expect(() => k({ varianceExplained: bad })).toThrow(`matrixPca: varianceExplained must be in (0, 1], got ${bad}`);
    }
  });
  it("component limits: integer in [1, min(n − 1, p)]", () => {
    expect(matrixPca(diagData(), { rows: 5, cols: 3, components: 3 }).k).toBe(3);
    for (const bad of [0, 4, 1.5]) {
      expect(() => matrixPca(diagData(), { rows: 5, cols: 3, components: bad })).toThrow(
        `matrixPca: components must be an integer in [1, 3] (n=5, p=3), got ${bad}`,
      );
    }
    // n − 1 binds: 3 rows of 3 columns
    const v = Float64Array.from([1, 0, 2, 0, 1, 5, 2, 2, 1]);
    expect(matrixPca(v, { rows: 3, cols: 3, components: 2 }).k).toBe(2);
    expect(() => matrixPca(v, { rows: 3, cols: 3, components: 3 })).toThrow("integer in [1, 2] (n=3, p=3)");
    // variance cap also limited by n − 1
    expect(matrixPca(v, { rows: 3, cols: 3, varianceExplained: 1, maxComponents: 50 }).k).toBeLessThanOrEqual(2);
  });
  it("sign convention: the largest-magnitude loading is positive", () => {
    // x = t·(3, −4): the eigenvector is ±(0.6, −0.8); −0.8 is the largest → (−0.6, 0.8)
    const t = [1, -1, 2, -2];
    const v = Float64Array.from(t.flatMap((a) => [3 * a, -4 * a]));
    const m = matrixPca(v, { rows: 4, cols: 2, components: 1 });
    expect(m.loadings[0]).toBeCloseTo(-0.6, 12);
    expect(m.loadings[1]).toBeCloseTo(0.8, 12);
    expect(m.eigenvalues[0]).toBeCloseTo((25 * 10) / 3, 10);
    expect(m.eigenvalues[1]).toBeGreaterThanOrEqual(0);
    expect(m.eigenvalues[1]).toBeLessThan(1e-12);
    const w = Float64Array.from(t.flatMap((a) => [-4 * a, 3 * a]));
    const mw = matrixPca(w, { rows: 4, cols: 2, components: 1 });
    expect(mw.loadings[0]).toBeCloseTo(0.8, 12);
    expect(mw.loadings[1]).toBeCloseTo(-0.6, 12);
  });
  it("rank-deficient data: eigenvalues clipped at 0, never negative", () => {
    const v = pseudo(4 * 9, 77); // 4 rows, 9 columns: rank 3
    const m = matrixPca(v, { rows: 4, cols: 9, components: 3 });
    expect(m.eigenvalues.length).toBe(9);
    for (let c = 3; c < 9; c++) expect(m.eigenvalues[c]).toBeGreaterThanOrEqual(0);
    for (let c = 3; c < 9; c++) expect(m.eigenvalues[c]).toBeLessThan(1e-12);
    expect(m.explained).toBeCloseTo(1, 12);
  });
  it("zero variance: explained is 1, k = 1", () => {
    const v = new Float64Array(12).fill(3);
    const m = matrixPca(v, { rows: 4, cols: 3 });
    expect(m.totalVariance).toBe(0);
    expect(m.k).toBe(1);
    expect(m.explained).toBe(1);
  });
  it("fits on a subset only", () => {
    const v = diagData();
    const m = matrixPca(v, { rows: 5, cols: 3, components: 1, subset: [0, 1, 2, 3] });
    expect(m.n).toBe(4);
    expect(Array.from(m.mean)).toEqual([10, -3, 7]);
    expect(m.eigenvalues[0]).toBeCloseTo(16 / 3, 12);
    expect(m.eigenvalues[1]).toBeCloseTo(4 / 3, 12);
  });
});

describe("pcaProject (exact)", () => {
  it("scores, T² and Q by hand, for k = 1, 2, 3 (a zero eigenvalue adds nothing to T²)", () => {
    const m1 = matrixPca(diagData(), { rows: 5, cols: 3, components: 1 });
    const m2 = matrixPca(diagData(), { rows: 5, cols: 3, components: 2 });
    const m3 = matrixPca(diagData(), { rows: 5, cols: 3, components: 3 });
    // rows centred: (3, −2, 0.5) and (−1, 0, 0)
    const x = Float64Array.from([13, -5, 7.5, 9, -3, 7]);
    const shape = { rows: 2, cols: 3 };
    const p1 = pcaProject(x, shape, m1);
    expect(Array.from(p1.scores)).toEqual([3, -1]);
    expect(Array.from(p1.t2)).toEqual([9 / 4, 1 / 4]);
    expect(Array.from(p1.q)).toEqual([4.25, 0]);
    const p2 = pcaProject(x, shape, m2);
    expect(Array.from(p2.scores)).toEqual([3, -2, -1, 0]);
    expect(Array.from(p2.t2)).toEqual([9 / 4 + 4, 1 / 4]);
    expect(Array.from(p2.q)).toEqual([0.25, 0]);
    const p3 = pcaProject(x, shape, m3);
    expect(Array.from(p3.scores)).toEqual([3, -2, 0.5, -1, 0, 0]);
    expect(Array.from(p3.t2)).toEqual([9 / 4 + 4, 1 / 4]);
    expect(Array.from(p3.q)).toEqual([0, 0]);
    expect(() => pcaProject(new Float64Array(4), { rows: 2, cols: 2 }, m1)).toThrow("pcaProject: matrix has 2 cols, PCA model 3");
    expect(() => pcaProject(new Float64Array(5), { rows: 2, cols: 3 }, m1)).toThrow(RangeError);
  });
  it("rotated loadings: T² and Q of a row along and across the component", () => {
    const t = [1, -1, 2, -2];
    const v = Float64Array.from(t.flatMap((a) => [3 * a, -4 * a]));
    const m = matrixPca(v, { rows: 4, cols: 2, components: 1 });
    const lam = (25 * 10) / 3;
    // (3, −4) lies on the component (score −5), (4, 3) across it
    const pr = pcaProject(Float64Array.from([3, -4, 4, 3]), { rows: 2, cols: 2 }, m);
    expect(pr.scores[0]).toBeCloseTo(-5, 12);
    expect(pr.scores[1]).toBeCloseTo(0, 12);
    expect(pr.t2[0]).toBeCloseTo(25 / lam, 12);
    expect(pr.q[0]).toBeCloseTo(0, 12);
    expect(pr.q[1]).toBeCloseTo(25, 12);
  });
});

describe("residualTheta (exact)", () => {
  it("equals the sums of powers of the residual eigenvalues, for every k", () => {
    const p = 6;
    const n = 10;
    const v = pseudo(n * p, 5);
    // a column scaled up so the eigenvalues are well spread
    for (let i = 0; i < n; i++) v[i * p + 2] = 3 * v[i * p + 2]! - v[i * p + 4]!;
    const full = matrixPca(v, { rows: n, cols: p, components: 1 }).eigenvalues;
    for (let k = 1; k <= 5; k++) {
      const m = matrixPca(v, { rows: n, cols: p, components: k });
      const got = residualTheta(m);
      const ref = residualThetaOf(full, k);
      for (let i = 0; i < 3; i++) expect(got[i]! / ref[i]!).toBeCloseTo(1, 9);
    }
    // diagonal data, k = 1: residual eigenvalues 1, 0
    expect(residualTheta(matrixPca(diagData(), { rows: 5, cols: 3, components: 1 }))).toEqual([1, 1, 1]);
    const all = residualTheta(matrixPca(diagData(), { rows: 5, cols: 3, components: 3 }));
    expect(all).toEqual([0, 0, 0]);
  });
});

describe("matrixPca (exact, p > 300: subspace iteration)", () => {
  it("recovers known eigenvalues and loadings of a rank-4 covariance", () => {
    const p = 301;
    const n = 12;
    const dirs = [1, 2, 3, 4].map((c) => {
      const u = Array.from({ length: p }, (_, j) => Math.cos((2 * Math.PI * c * j) / p) + (c === 2 ? 0 : 0));
      const norm = Math.sqrt(u.reduce((s, x) => s + x * x, 0));
      return u.map((x) => x / norm);
    });
    const amp = [5, 3, 2, 1];
    const v = new Float64Array(n * p);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) {
        let x = 0.5 + j / p;
        for (let c = 0; c < 4; c++) x += amp[c]! * Math.cos((2 * Math.PI * (c + 1) * i) / n) * dirs[c]![j]!;
        v[i * p + j] = x;
      }
    const lam = amp.map((a) => (a * a * 6) / 11);
    for (const components of [2, 4]) {
      const m = matrixPca(v, { rows: n, cols: p, components });
      expect(m.eigenvalues.length).toBe(components + 8);
      for (let c = 0; c < 4; c++) expect(m.eigenvalues[c]! / lam[c]!).toBeCloseTo(1, 9);
      for (let c = 4; c < m.eigenvalues.length; c++) {
        expect(m.eigenvalues[c]).toBeGreaterThanOrEqual(0);
        expect(m.eigenvalues[c]).toBeLessThan(1e-9);
      }
      expect(m.totalVariance).toBeCloseTo(
        lam.reduce((s, x) => s + x, 0),
        10,
      );
      for (let c = 0; c < components; c++) {
        // loading = ±dir, with its largest-magnitude entry positive
        let dot = 0;
        let big = 0;
        for (let j = 0; j < p; j++) {
          const l = m.loadings[j * components + c]!;
          dot += l * dirs[c]![j]!;
          if (Math.abs(l) > Math.abs(big)) big = l;
        }
        expect(Math.abs(dot)).toBeCloseTo(1, 9);
        expect(big).toBeGreaterThan(0);
      }
    }
  });
});
