import { describe, expect, it } from "vitest";
import { matrixCovariance } from "../../../src/core/chemometrics/matrix-covariance.js";
import { matrixPca, pcaProject, residualTheta } from "../../../src/core/chemometrics/matrix-pca.js";
import { residualThetaOf } from "../../../src/core/chemometrics/pca-limits.js";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { matrixRidge, ridgePredict } from "../../../src/core/chemometrics/ridge-regression.js";
import { plsPredict, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import { createRng } from "../../../src/core/random.js";

// numpy: rng = default_rng(0); X = (normal(12,5) @ normal(5,5)).round(6); eigh(cov(X.T))
const X = [
  [-0.226891, 0.351373, 0.987561, 0.047898, 2.393778],
  [0.244962, 3.556158, 3.12128, 1.407603, -0.821181],
  [0.194385, 0.138595, -3.097951, 3.120653, -3.378564],
  [0.096865, -1.15388, -2.318574, -0.903467, -0.125669],
  [-0.625666, 1.054728, 0.900388, 0.371649, -4.715777],
  [0.749168, -1.754085, -2.254676, -0.210697, -1.208045],
  [-0.187246, 0.247264, -1.76747, 0.258891, 0.647396],
  [-0.746424, -3.003904, -0.206102, -2.101342, 0.983166],
  [-0.753747, 4.10596, 1.790871, 0.501373, -0.071338],
  [-2.269019, 1.991617, 4.535194, -1.47873, 2.182877],
  [-0.953478, -1.952943, 0.122003, 0.498225, 5.732628],
  [1.191421, 1.896651, 1.096263, 0.310148, -1.074653],
];
const EIG = [8.907358824669794, 8.403216096143336, 1.9826766068821555, 0.5254031123076146, 0.40036182054569225];
const flat = Float64Array.from(X.flat());

describe("matrixCovariance", () => {
  it("blocked accumulation equals the naive covariance for any block size", () => {
    const rng = createRng(3);
    const n = 37;
    const p = 9;
    const v = Float32Array.from({ length: n * p }, () => rng.normal(2, 1));
    const ref = matrixCovariance(v, { rows: n, cols: p, blockSize: 1000 });
    for (const B of [1, 4, 7, 64]) {
      const c = matrixCovariance(v, { rows: n, cols: p, blockSize: B });
      c.covariance.forEach((x, i) => expect(x).toBeCloseTo(ref.covariance[i]!, 10));
    }
    // naive check of one entry
    let s = 0;
    for (let i = 0; i < n; i++) s += (v[i * p + 2]! - ref.mean[2]!) * (v[i * p + 5]! - ref.mean[5]!);
    expect(ref.covariance[2 * p + 5]).toBeCloseTo(s / (n - 1), 10);
  });
  it("rejects shape mismatches", () => {
    expect(() => matrixCovariance(new Float64Array(5), { rows: 2, cols: 3 })).toThrow(RangeError);
  });
});

describe("matrixPca", () => {
  it("eigenvalues match numpy; loadings orthonormal; T² and Q consistent", () => {
    const m = matrixPca(flat, { rows: 12, cols: 5, components: 2 });
    Array.from(m.eigenvalues).forEach((l, i) => expect(l).toBeCloseTo(EIG[i]!, 9));
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        let s = 0;
        for (let j = 0; j < 5; j++) s += m.loadings[j * 2 + a]! * m.loadings[j * 2 + b]!;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    const proj = pcaProject(flat, { rows: 12, cols: 5 }, m);
    // mean T² over the fit set = k (n−1)/n·... exactly: Σ T² = (n−1)·k
    expect(proj.t2.reduce((s, v) => s + v, 0)).toBeCloseTo(11 * 2, 8);
    // Σ Q = (n−1)·Σ residual eigenvalues
    expect(proj.q.reduce((s, v) => s + v, 0)).toBeCloseTo(11 * (EIG[2]! + EIG[3]! + EIG[4]!), 8);
  });
  it("subspace iteration (p > 300) agrees with a full eigen-decomposition", () => {
    const rng = createRng(9);
    const n = 200;
    const p = 320;
    const basis = Float64Array.from({ length: 6 * p }, () => rng.normal());
    const v = new Float32Array(n * p);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: 6 }, (_, c) => rng.normal(0, 5 / (c + 1)));
      for (let j = 0; j < p; j++) v[i * p + j] = z.reduce((s, zc, c) => s + zc * basis[c * p + j]!, 0) + rng.normal(0, 0.05);
    }
    const m = matrixPca(v, { rows: n, cols: p, components: 8 });
    const cov = matrixCovariance(v, { rows: n, cols: p }).covariance;
    const rows = Array.from({ length: p }, (_, i) => Array.from(cov.subarray(i * p, (i + 1) * p)));
    const full = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
    // signal eigenvalues tightly; noise-level ones (closely spaced, slow to separate) to 1e-3
    for (let c = 0; c < 6; c++) expect(m.eigenvalues[c]! / full[c]!).toBeCloseTo(1, 9);
    for (let c = 6; c < 8; c++) expect(m.eigenvalues[c]! / full[c]!).toBeCloseTo(1, 3);
    const [t1, t2, t3] = residualTheta(m);
    const ref = residualThetaOf(full, 8);
    expect(t1 / ref[0]).toBeCloseTo(1, 4);
    expect(t2 / ref[1]).toBeCloseTo(1, 3);
    expect(t3 / ref[2]).toBeCloseTo(1, 2);
  });

  it("chooses k by variance explained", () => {
    const m = matrixPca(flat, { rows: 12, cols: 5, varianceExplained: 0.9 });
    // cumulative: 8.91, 17.31, 19.29 of 20.22 → 0.95 at k=3
    expect(m.k).toBe(3);
  });
  it("rejects impossible component counts", () => {
    expect(() => matrixPca(flat, { rows: 12, cols: 5, components: 6 })).toThrow(RangeError);
  });
});

describe("regression", () => {
  it("ridge with λ≈0 and PLSR with all components equal least squares", () => {
    const rng = createRng(5);
    const n = 30;
    const p = 4;
    const x = Float64Array.from({ length: n * p }, () => rng.normal());
    const beta = [1.5, -2, 0.5, 3];
    const y = Float64Array.from({ length: n }, (_, i) => 0.7 + beta.reduce((s, b, j) => s + b * x[i * p + j]!, 0) + rng.normal(0, 0.01));
    const r = matrixRidge(x, y, { rows: n, cols: p, lambda: 0 });
    const pls = plsRegressionFit(x, p, y, p);
    r.coefficients.forEach((c, j) => {
      expect(c).toBeCloseTo(beta[j]!, 2);
      expect(pls.coefficients[j]!).toBeCloseTo(c, 8);
    });
    expect(pls.yMean - pls.xMean.reduce((s, m, j) => s + m * pls.coefficients[j]!, 0)).toBeCloseTo(r.intercept, 8);
    const pr = ridgePredict(x, { rows: n, cols: p }, r);
    const pp = plsPredict(pls, x);
    pr.forEach((v, i) => expect(pp[i]!).toBeCloseTo(v, 8));
  });
});
