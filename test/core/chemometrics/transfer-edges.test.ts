// Survivors of the first runs on pca-limits, SST/PDS/EPO and robustPcaOutliers: SST's
// component subspace when the transfer set has more rank than components (checked against an
// eigen-decomposition of CᵀC with ml-matrix), output lengths, exact messages, Box's limit at a zero mean, and the
// robust log limit with a MAD other than 1. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix, pseudoInverse } from "ml-matrix";
import { hotellingT2Limit, qLimitBox, qLimitRobustLog } from "../../../src/core/chemometrics/pca-limits.js";
import { matrixSstApply, matrixSstFit } from "../../../src/core/chemometrics/matrix-sst.js";
import { matrixPdsApply, matrixPdsFit } from "../../../src/core/chemometrics/matrix-pds.js";
import { matrixEpoApply, matrixEpoFit } from "../../../src/core/chemometrics/matrix-epo.js";
import { robustPcaOutliers } from "../../../src/core/chemometrics/robust-pca-outliers.js";

describe("SST with fewer components than the transfer set's rank", () => {
  it("uses the top-k eigenvectors of CᵀC, C = [X_master X_slave] (uncentred)", () => {
    const t = 4;
    const p = 3;
    const master = Float64Array.from([1, 2, 0.5, 0.3, 1.1, 2, 2, 0.1, 1, 1.5, 1.5, 1.5]);
    const slave = Float64Array.from([1.2, 1.8, 0.7, 0.2, 1.3, 1.7, 2.1, 0.4, 0.9, 1.4, 1.6, 1.2]);
    const k = 2;
    const model = matrixSstFit(master, slave, { rows: t, cols: p, components: k });
    const c = new Matrix(Array.from({ length: t }, (_, i) => [...master.subarray(i * p, i * p + p), ...slave.subarray(i * p, i * p + p)]));
    // right singular vectors = eigenvectors of CᵀC (2p x 2p), descending
    const e = new EigenvalueDecomposition(c.transpose().mmul(c), { assumeSymmetric: true });
    const order = e.realEigenvalues.map((_, i) => i).sort((a, b) => e.realEigenvalues[b]! - e.realEigenvalues[a]!);
    const v = new Matrix(2 * p, k);
    for (let j = 0; j < 2 * p; j++) for (let a = 0; a < k; a++) v.set(j, a, e.eigenvectorMatrix.get(j, order[a]!));
    const pm = new Matrix(p, k);
    const ps = new Matrix(p, k);
    for (let j = 0; j < p; j++)
      for (let a = 0; a < k; a++) {
        pm.set(j, a, v.get(j, a));
        ps.set(j, a, v.get(p + j, a));
      }
    const f = pseudoInverse(ps.transpose()).mmul(pm.transpose().sub(ps.transpose())); // p x p
    const x = new Matrix([
      [0.5, 1, 1.5],
      [2, -1, 0.3],
    ]);
    const input = Float64Array.from(x.to1DArray());
    const expected = x.clone().add(x.mmul(f)); // add works in place
    const out = matrixSstApply(input, { rows: 2, cols: p }, model);
    expect(out.length).toBe(6);
    out.forEach((val, q) => expect(val).toBeCloseTo(expected.get(Math.floor(q / p), q % p), 5));
  });
});

describe("messages and lengths", () => {
  it("name the function and the matrix", () => {
    const v = new Float64Array(6);
    const bad = new Float64Array(5);
    const o = { rows: 3, cols: 2 };
    expect(() => matrixSstFit(bad, v, o)).toThrow("matrixSstFit (master): 5 values for 3 rows x 2 cols");
    expect(() => matrixSstFit(v, bad, o)).toThrow("matrixSstFit (slave): 5 values");
    expect(() => matrixPdsFit(bad, v, o)).toThrow("matrixPdsFit (master): 5 values");
    expect(() => matrixPdsFit(v, bad, o)).toThrow("matrixPdsFit (slave): 5 values");
    expect(() => matrixEpoFit(bad, v, o)).toThrow("matrixEpoFit (master): 5 values");
    expect(() => matrixEpoFit(v, bad, o)).toThrow("matrixEpoFit (slave): 5 values");
    expect(() => matrixEpoApply(bad, o, new Float64Array(2))).toThrow("matrixEpoApply: 5 values");
    expect(() => robustPcaOutliers(bad, o)).toThrow("robustPcaOutliers: 5 values");
    const sst = { p: 2, k: 1, a: new Float64Array(2), d: new Float64Array(2) };
    expect(() => matrixSstApply(bad, o, sst)).toThrow("matrixSstApply: 5 values");
    expect(matrixSstApply(v, o, sst).length).toBe(6);
    const pds = matrixPdsFit(Float64Array.from([1, 2, 3, 1, 0, 5]), Float64Array.from([2, 2, 1, 0, 3, 1]), { ...o, halfWindow: 0 });
    expect(() => matrixPdsApply(bad, o, pds)).toThrow("matrixPdsApply: 5 values");
    expect(matrixPdsApply(v, o, pds).length).toBe(6);
    for (const w of [-1, 0.5])
      expect(() => matrixPdsFit(v, v, { ...o, halfWindow: w })).toThrow(
        `matrixPdsFit: halfWindow must be an integer in [0, 0.5], got ${w}`,
      );
    expect(() => hotellingT2Limit(3, 3, 0.05)).toThrow("hotellingT2Limit: need integer k >= 1 and n > k, got n=3, k=3");
    expect(() => hotellingT2Limit(2, 3, 0.05)).toThrow("hotellingT2Limit: need integer k >= 1 and n > k, got n=2, k=3");
  });
});

describe("Q limits", () => {
  it("Box: a zero mean returns the mean, whatever the variance", () => {
    expect(qLimitBox([-1, 1], 0.01)).toBe(0);
  });
  it("robust log: MAD 0.5", () => {
    // ln Q = 0, 0.5, 1: median 0.5, MAD 0.5
    expect(qLimitRobustLog([1, Math.exp(0.5), Math.E], 3)).toBeCloseTo(Math.exp(0.5 + 3 * 1.4826 * 0.5), 10);
  });
});
