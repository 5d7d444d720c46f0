import { describe, expect, it } from "vitest";
import { DEFAULT_DOMAIN, domainScores, fitDomain } from "../../../src/core/stats/domain.js";

// Spectra of p = 4 points on four orthonormal directions around a mean: scores a (variance
// 5.6) and b (0.8) span the model (2 components), c (0.024) and d (0.006) are the residual,
// so every T², Q and limit is known by hand. (The score columns are centred and mutually
// orthogonal, so they are the principal components.)
const P = 4;
const E1 = [1, 1, 1, 1].map((v) => v / 2);
const E2 = [1, -1, 1, -1].map((v) => v / 2);
const E3 = [1, 1, -1, -1].map((v) => v / 2);
const E4 = [1, -1, -1, 1].map((v) => v / 2);
const MEAN = [3, 1, 4, 1.5];
const A = [3, -3, 1, -1, 2, -2];
const B = [1, 1, -1, -1, 0, 0];
const C = [0.1, 0.1, 0.1, 0.1, -0.2, -0.2];
const D = [1, -1, 1, -1, -2, 2].map((v) => v * 0.05);

function spectrum(a: number, b: number, c: number, d = 0): number[] {
  return MEAN.map((m, j) => m + a * E1[j]! + b * E2[j]! + c * E3[j]! + d * E4[j]!);
}
function training(): Float64Array {
  return Float64Array.from(A.flatMap((a, i) => spectrum(a, B[i]!, C[i]!, D[i]!)));
}
const T2 = A.map((a, i) => (a * a) / 5.6 + (B[i]! * B[i]!) / 0.8);
const Q = C.map((c, i) => c * c + D[i]! ** 2);

describe("fitDomain / domainScores on spectra of known structure", () => {
  it("finds the mean, the two components' variances and directions", () => {
    const model = fitDomain(training(), P, undefined, { components: 2, quantile: 0.7 });
    for (let j = 0; j < P; j++) expect(model.mean[j]).toBeCloseTo(MEAN[j]!, 12);
    expect(model.eigenvalues).toHaveLength(2);
    expect(model.eigenvalues[0]).toBeCloseTo(5.6, 9);
    expect(model.eigenvalues[1]).toBeCloseTo(0.8, 9);
    // loadings are ±E1, ±E2
    const dot = (u: number[], v: number[]) => u.reduce((s, x, j) => s + x * v[j]!, 0);
    expect(Math.abs(dot(model.loadings[0]!, E1))).toBeCloseTo(1, 9);
    expect(Math.abs(dot(model.loadings[1]!, E2))).toBeCloseTo(1, 9);
    expect(model.quantile).toBe(0.7);
  });

  it("T² and Q of every training row, and the limits at the 70th percentile (interpolated)", () => {
    const x = training();
    const model = fitDomain(x, P, undefined, { components: 2, quantile: 0.7 });
    const s = domainScores(model, x, P);
    for (let i = 0; i < A.length; i++) {
      expect(s.t2[i]).toBeCloseTo(T2[i]!, 9);
      expect(s.q[i]).toBeCloseTo(Q[i]!, 9);
    }
    // sorted T²: 4/5.6 ×2, 1/5.6 + 1.25 ×2, 9/5.6 + 1.25 ×2; position 0.7·5 = 3.5
    expect(model.t2Limit).toBeCloseTo((1 / 5.6 + 1.25 + 9 / 5.6 + 1.25) / 2, 9);
    // sorted Q: 0.0125 ×4, 0.05 ×2; position 3.5 → (0.0125 + 0.05) / 2
    expect(model.qLimit).toBeCloseTo(0.03125, 9);
    // rows 0, 1 (T² above the limit) and 4, 5 (Q above the limit) are out
    expect(s.inDomain).toEqual([false, false, true, true, false, false]);
  });

  it("scores new spectra: on a component, off the model, at the limits", () => {
    const model = fitDomain(training(), P, undefined, { components: 2, quantile: 0.7 });
    const x = Float64Array.from([
      ...spectrum(1, 0, 0), // T² = 1/5.6, Q = 0
      ...spectrum(0, 0, 2), // Q = 4
      ...spectrum(0, 1, 0.1), // T² = 1.25, Q = 0.01
    ]);
    const s = domainScores(model, x, P);
    expect(s.t2[0]).toBeCloseTo(1 / 5.6, 9);
    expect(s.q[0]).toBeCloseTo(0, 9);
    expect(s.q[0]).toBeGreaterThanOrEqual(0);
    expect(s.t2[1]).toBeCloseTo(0, 9);
    expect(s.q[1]).toBeCloseTo(4, 9);
    expect(s.t2[2]).toBeCloseTo(1.25, 9);
    expect(s.q[2]).toBeCloseTo(0.01, 9);
    expect(s.inDomain.slice(0, 3)).toEqual([true, false, true]);
    // the limits are inclusive: a model whose limits equal the scores keeps the row
    const exact = { ...model, t2Limit: s.t2[0]!, qLimit: Infinity };
    expect(domainScores(exact, x, P, [0]).inDomain).toEqual([true]);
    expect(domainScores({ ...model, t2Limit: s.t2[0]! * (1 - 1e-9), qLimit: Infinity }, x, P, [0]).inDomain).toEqual([false]);
    const qExact = { ...model, t2Limit: Infinity, qLimit: s.q[1]! };
    expect(domainScores(qExact, x, P, [1]).inDomain).toEqual([true]);
    expect(domainScores({ ...qExact, qLimit: s.q[1]! * (1 - 1e-9) }, x, P, [1]).inDomain).toEqual([false]);
  });

  it("rows: fits and scores only the rows given, in their order", () => {
    const x = Float64Array.from([...spectrum(50, 50, 50), ...training(), ...spectrum(-50, 9, 9)]);
    const rows = [1, 2, 3, 4, 5, 6];
    const model = fitDomain(x, P, rows, { components: 2, quantile: 0.7 });
    expect(model.eigenvalues[0]).toBeCloseTo(5.6, 9);
    expect(model.eigenvalues[1]).toBeCloseTo(0.8, 9);
    expect(model.t2Limit).toBeCloseTo((1 / 5.6 + 9 / 5.6 + 2.5) / 2, 9);
    const s = domainScores(model, x, P, [6, 1]);
    expect(s.t2).toHaveLength(2);
    expect(s.t2[0]).toBeCloseTo(T2[5]!, 9);
    expect(s.q[0]).toBeCloseTo(Q[5]!, 9);
    expect(s.t2[1]).toBeCloseTo(T2[0]!, 9);
    expect(s.q[1]).toBeCloseTo(Q[0]!, 9);
  });

  it("maxRows: the PCA sees evenly spaced rows, the limits use all rows", () => {
    // 12 rows: the training set twice; maxRows 6 fits on rows 0, 2, 4, … (one copy of each
    // even row, both copies of none), so the mean and variances differ from the full fit
    const x = Float64Array.from([...training(), ...training()]);
    const model = fitDomain(x, P, undefined, { components: 2, quantile: 0.5, maxRows: 6 });
    // fit rows 0, 2, 4, 6, 8, 10 = training rows 0, 2, 4 twice: mean of a = (3 + 1 + 2)/3 = 2,
    // of b, c and d 0, so the mean is MEAN + 2·E1 = MEAN + 1
    for (let j = 0; j < P; j++) expect(model.mean[j]).toBeCloseTo(MEAN[j]! + 1, 9);
    // a − 2 and b are both 1, −1, 0 (twice each), c and d both ∝ 1, 1, −2: rank 2, so the two
    // components hold the whole variance 4/5 + 4/5 + 0.024 + 0.006
    expect(model.eigenvalues[0]! + model.eigenvalues[1]!).toBeCloseTo(1.63, 9);
    // scores: all 12 rows; median of the 12 T² values relative to the fitted model
    const s = domainScores(model, x, P);
    const sorted = Float64Array.from(s.t2).sort();
    expect(model.t2Limit).toBeCloseTo((sorted[5]! + sorted[6]!) / 2, 12);
    const sq = Float64Array.from(s.q).sort();
    expect(model.qLimit).toBeCloseTo((sq[5]! + sq[6]!) / 2, 12);
  });

  it("caps the components at n − 1 and p, floors the eigenvalues, defaults as documented", () => {
    expect(DEFAULT_DOMAIN).toEqual({ components: 5, quantile: 0.99, maxRows: 4000, seed: 1 });
    const x = training();
    const def = fitDomain(x, P);
    // 5 components asked, p = 4: all four, Q = 0
    expect(def.eigenvalues).toHaveLength(4);
    expect(def.quantile).toBe(0.99);
    [5.6, 0.8, 0.024, 0.006].forEach((v, c) => expect(def.eigenvalues[c]).toBeCloseTo(v, 9));
    expect(def.qLimit).toBeCloseTo(0, 9);
    // sorted T² (4 components): position 0.99·5 = 4.95 between the two largest (equal) values
    const t2all = A.map((a, i) => (a * a) / 5.6 + B[i]! ** 2 / 0.8 + C[i]! ** 2 / 0.024 + D[i]! ** 2 / 0.006);
    expect(def.t2Limit).toBeCloseTo(Math.max(...t2all), 9);
    // three rows → at most 2 components; p = 1 → 1 component
    const three = fitDomain(Float64Array.from([1, 2, 4, 0, 5, 5, 0, 9, 1]), 3, undefined, { components: 9 });
    expect(three.loadings).toHaveLength(2);
    const one = fitDomain(Float64Array.from([1, 2, 4, 7]), 1, undefined, { components: 3 });
    expect(one.loadings).toHaveLength(1);
    expect(Math.abs(one.loadings[0]![0]!)).toBeCloseTo(1, 12);
    // variance of 1, 2, 4, 7: mean 3.5, Σ(x − 3.5)² = 6.25 + 2.25 + 0.25 + 12.25 = 21, /3 = 7
    expect(one.eigenvalues[0]).toBeCloseTo(7, 9);
    // the same seed gives the same model; every seed gives the same limits
    expect(fitDomain(x, P, undefined, { components: 2, seed: 4 }).t2Limit).toBeCloseTo(
      fitDomain(x, P, undefined, { components: 2, seed: 1 }).t2Limit,
      9,
    );
  });

  it("rejects fewer than 3 rows and spectra of another length", () => {
    expect(() => fitDomain(Float64Array.from([1, 2, 3, 4]), 2)).toThrow(
      new RangeError("applicability domain needs at least 3 training spectra (got 2)"),
    );
    expect(() => fitDomain(training(), P, [0, 1])).toThrow(
      new RangeError("applicability domain needs at least 3 training spectra (got 2)"),
    );
    const model = fitDomain(training(), P, undefined, { components: 2 });
    expect(() => domainScores(model, Float64Array.from([1, 2, 3]), 3)).toThrow(new RangeError("domain model has 4 points, spectra have 3"));
  });
});

describe("fitDomain with close component variances (the small eigenproblem does the work)", () => {
  // variances 5.6, 5.0, 4.5, 4.2: eight power sweeps barely separate them, so the Jacobi
  // rotations and the ordering of their eigenpairs decide the components
  const b = B.map((v) => v * 2.5);
  const c = C.map((v) => (v / 0.1) * Math.sqrt(1.875));
  const d = D.map((v) => (v / 0.05) * Math.sqrt(1.75));
  const build = () => Float64Array.from(A.flatMap((a, i) => spectrum(a, b[i]!, c[i]!, d[i]!)));

  it("finds the exact variances in descending order and the exact T² / Q", () => {
    const x = build();
    const all = fitDomain(x, P, undefined, { components: 4 });
    [5.6, 5.0, 4.5, 4.2].forEach((v, k) => expect(all.eigenvalues[k]).toBeCloseTo(v, 9));
    for (const seed of [1, 2, 3]) {
      const model = fitDomain(x, P, undefined, { components: 2, quantile: 1, seed });
      expect(model.eigenvalues[0]).toBeCloseTo(5.6, 9);
      expect(model.eigenvalues[1]).toBeCloseTo(5.0, 9);
      const dot = (u: number[], v: number[]) => u.reduce((s, w, j) => s + w * v[j]!, 0);
      expect(Math.abs(dot(model.loadings[0]!, E1))).toBeCloseTo(1, 9);
      expect(Math.abs(dot(model.loadings[1]!, E2))).toBeCloseTo(1, 9);
      const s = domainScores(model, x, P);
      const t2 = A.map((a, i) => (a * a) / 5.6 + b[i]! ** 2 / 5.0);
      const q = A.map((_, i) => c[i]! ** 2 + d[i]! ** 2);
      for (let i = 0; i < A.length; i++) {
        expect(s.t2[i]).toBeCloseTo(t2[i]!, 9);
        expect(s.q[i]).toBeCloseTo(q[i]!, 9);
      }
      // quantile 1: the limits are the largest training values, every training row is in
      expect(model.t2Limit).toBeCloseTo(Math.max(...t2), 9);
      expect(model.qLimit).toBeCloseTo(Math.max(...q), 9);
    }
  });
});

describe("fitDomain on spectra of lower rank than its working subspace", () => {
  /** Exact covariance eigenvalues (descending) of the rows, by ml-matrix. */
  async function exactEigenvalues(x: Float64Array, p: number): Promise<number[]> {
    const { EigenvalueDecomposition, Matrix } = await import("ml-matrix");
    const n = x.length / p;
    const m = new Matrix(n, p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) m.set(i, j, x[i * p + j]!);
    const mean = m.mean("column");
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) m.set(i, j, m.get(i, j) - mean[j]!);
    const cov = m
      .transpose()
      .mmul(m)
      .div(n - 1);
    return [...new EigenvalueDecomposition(cov, { assumeSymmetric: true }).realEigenvalues].sort((a, b) => b - a);
  }

  it("rank 3 in 12 points, and collinear spectra: exact eigenvalues, unit loadings, T² of the training rows as by hand", async () => {
    const cases: { x: Float64Array; p: number; k: number }[] = [];
    // 6 spectra = mixtures of 3 fixed shapes (rank ≤ 3 after centring) in p = 12
    const shapes = [0, 1, 2].map((s) => Array.from({ length: 12 }, (_, j) => Math.sin((j + 1) * (s + 1) * 0.7) + s * 0.1));
    const w = [
      [1, 0.2, -0.5],
      [0.3, 1.1, 0.4],
      [-0.7, 0.5, 0.9],
      [0.2, -0.9, 0.1],
      [1.4, 0.3, -0.2],
      [-0.4, 0.6, -1.2],
    ];
    cases.push({
      x: Float64Array.from(
        w.flatMap((c) => shapes[0]!.map((_, j) => c[0]! * shapes[0]![j]! + c[1]! * shapes[1]![j]! + c[2]! * shapes[2]![j]!)),
      ),
      p: 12,
      k: 2,
    });
    // 4 collinear spectra of 2 points (rank 1)
    cases.push({ x: Float64Array.from([1, 2, 2, 4, 3, 6, 5, 10]), p: 2, k: 1 });
    for (const { x, p, k } of cases) {
      const exact = await exactEigenvalues(x, p);
      for (const seed of [1, 2, 3]) {
        const model = fitDomain(x, p, undefined, { components: k, seed });
        for (let c = 0; c < k; c++) {
          expect(model.eigenvalues[c]).toBeCloseTo(exact[c]!, 8);
          expect(model.loadings[c]!.reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 10);
        }
        // T² of each training row = Σ t² / λ with t the projection on the (unit) loadings
        const s = domainScores(model, x, p);
        const n = x.length / p;
        for (let i = 0; i < n; i++) {
          let t2 = 0;
          for (let c = 0; c < k; c++) {
            let t = 0;
            for (let j = 0; j < p; j++) t += (x[i * p + j]! - model.mean[j]!) * model.loadings[c]![j]!;
            t2 += (t * t) / model.eigenvalues[c]!;
          }
          expect(s.t2[i]).toBeCloseTo(t2, 8);
        }
      }
    }
  });
});
