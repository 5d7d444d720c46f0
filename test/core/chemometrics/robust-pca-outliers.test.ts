// robustPcaOutliers against independent recomputation: the final fit set is the robust Q cut
// (median + 5·1.4826·MAD, computed here) of the usable rows under the returned model; the limits
// are the T² / Box / Jackson–Mudholkar limits of that set; scores, T² and Q are pcaProject's.
// Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { lcg } from "../../helpers/lcg.js";
import { matrixPca, pcaProject, residualTheta } from "../../../src/core/chemometrics/matrix-pca.js";
import { hotellingT2Limit, qLimitBox, qLimitJacksonMudholkar } from "../../../src/core/chemometrics/pca-limits.js";
import { robustPcaOutliers } from "../../../src/core/chemometrics/robust-pca-outliers.js";

/** n rows of p = 6: rank 2 plus small noise; rows in `spiked` get a spike at column 2. */
function data(n: number, spiked: number[], seed = 1): Float64Array {
  const r = lcg(seed);
  const u = [1, 0.5, -0.3, 0.8, 0, 0.2];
  const v = [0, 0.4, 0.9, -0.5, 0.7, 0.1];
  const x = new Float64Array(n * 6);
  for (let i = 0; i < n; i++) {
    const a = 4 * r();
    const b = 2 * r();
    for (let j = 0; j < 6; j++) x[i * 6 + j] = 5 + a * u[j]! + b * v[j]! + 0.02 * r() + (spiked.includes(i) && j === 2 ? 1.5 : 0);
  }
  return x;
}

function medianOf(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function robustCut(q: ArrayLike<number>, pool: number[]): number[] {
  const v = pool.map((i) => q[i]!);
  const med = medianOf(v);
  const mad = medianOf(v.map((x) => Math.abs(x - med)));
  return pool.filter((i) => q[i]! <= med + 5 * 1.4826 * mad);
}

describe("robustPcaOutliers", () => {
  it("leaves the spiked rows out; the fit set, limits, T² and Q recomputed independently", () => {
    const n = 31;
    const x = data(n, [3, 17]);
    const shape = { rows: n, cols: 6 };
    const res = robustPcaOutliers(x, { ...shape, components: 2 });
    expect(res.model.k).toBe(2);
    const fit = Array.from(res.fitRows);
    expect(fit).not.toContain(3);
    expect(fit).not.toContain(17);
    const pool = Array.from({ length: n }, (_, i) => i);
    expect(fit).toEqual(robustCut(res.q, pool));
    const proj = pcaProject(x, shape, res.model);
    expect(Array.from(res.q)).toEqual(Array.from(proj.q));
    expect(Array.from(res.t2)).toEqual(Array.from(proj.t2));
    expect(Array.from(res.scores)).toEqual(Array.from(proj.scores));
    expect(res.t2Limit).toBe(hotellingT2Limit(fit.length, 2, 0.001));
    expect(res.qLimit).toBe(
      qLimitBox(
        Array.from(fit, (i) => res.q[i]!),
        0.001,
      ),
    );
    // the spiked rows are far over the Q limit, the others under it
    expect(res.q[3]).toBeGreaterThan(100 * res.qLimit);
    expect(res.q[17]).toBeGreaterThan(100 * res.qLimit);
    // the model is the PCA of the rows kept under the trimmed fit (here the same set)
    const ref = matrixPca(x, { ...shape, subset: res.fitRows, components: 2 });
    Array.from(ref.eigenvalues).forEach((l, i) => expect(res.model.eigenvalues[i]).toBeCloseTo(l, 12));
    expect(res.model.n).toBe(fit.length);
  });
  it("α and the Jackson–Mudholkar Q limit", () => {
    const x = data(25, [5]);
    const shape = { rows: 25, cols: 6 };
    const res = robustPcaOutliers(x, { ...shape, components: 2, alpha: 0.05, qLimit: "jackson-mudholkar" });
    expect(res.t2Limit).toBe(hotellingT2Limit(res.fitRows.length, 2, 0.05));
    expect(res.qLimit).toBe(qLimitJacksonMudholkar(residualTheta(res.model), 0.05));
    const box = robustPcaOutliers(x, { ...shape, components: 2, alpha: 0.05 });
    expect(box.qLimit).toBe(
      qLimitBox(
        Array.from(box.fitRows, (i) => box.q[i]!),
        0.05,
      ),
    );
    expect(box.qLimit).not.toBe(res.qLimit);
  });
  it("excluded and non-finite rows are scored but never fitted", () => {
    const n = 20;
    const x = data(n, []);
    x[7 * 6 + 4] = Number.NaN;
    x[9 * 6 + 1] = Infinity;
    const shape = { rows: n, cols: 6 };
    const res = robustPcaOutliers(x, { ...shape, components: 2, exclude: [0, 12] });
    const fit = Array.from(res.fitRows);
    for (const i of [0, 7, 9, 12]) expect(fit).not.toContain(i);
    const pool = Array.from({ length: n }, (_, i) => i).filter((i) => ![0, 7, 9, 12].includes(i));
    expect(fit).toEqual(robustCut(res.q, pool));
    expect(res.q[7]).toBeNaN();
    expect(Number.isFinite(res.q[0]!)).toBe(true);
    expect(Number.isFinite(res.t2[12]!)).toBe(true);
    expect(res.q.length).toBe(n);
  });
  it("component choice: by variance on the first fit, capped by the trimmed row count", () => {
    const x = data(30, []);
    const byVar = robustPcaOutliers(x, { rows: 30, cols: 6 });
    expect(byVar.model.k).toBe(matrixPca(x, { rows: 30, cols: 6, varianceExplained: 0.99, maxComponents: 10 }).k);
    expect(robustPcaOutliers(x, { rows: 30, cols: 6, maxComponents: 1 }).model.k).toBe(1);
    expect(robustPcaOutliers(x, { rows: 30, cols: 6, varianceExplained: 0.5 }).model.k).toBe(1);
    // 12 rows, trim 0.4: at most floor(12·0.6) − 2 = 5 components
    const w = lcg(4);
    const x12 = Float64Array.from({ length: 12 * 8 }, () => w());
    expect(robustPcaOutliers(x12, { rows: 12, cols: 8, components: 6, trimFraction: 0.4 }).model.k).toBe(5);
    expect(robustPcaOutliers(x12, { rows: 12, cols: 8, components: 5, trimFraction: 0.4 }).model.k).toBe(5);
    expect(robustPcaOutliers(x12, { rows: 12, cols: 8, components: 6, trimFraction: 0.3 }).model.k).toBe(6);
  });
  it("limits and messages", () => {
    const x = data(12, []);
    const o = { rows: 12, cols: 6 };
    expect(() => robustPcaOutliers(x, { ...o, trimFraction: 0.5 })).toThrow("robustPcaOutliers: trimFraction must be in [0, 0.5), got 0.5");
    expect(() => robustPcaOutliers(x, { ...o, trimFraction: -0.01 })).toThrow(RangeError);
    expect(robustPcaOutliers(x, { ...o, trimFraction: 0, components: 2 }).model.k).toBe(2);
    expect(robustPcaOutliers(x, { ...o, trimFraction: 0.49, components: 2 }).model.k).toBe(2);
    expect(() => robustPcaOutliers(x, { ...o, exclude: [0, 1, 2] })).toThrow("robustPcaOutliers: 9 usable rows, need at least 10");
    expect(robustPcaOutliers(x, { ...o, exclude: [0, 1], components: 2 }).fitRows.length).toBeLessThanOrEqual(10);
    expect(() => robustPcaOutliers(x, { ...o, components: 8 })).toThrow("robustPcaOutliers: 12 usable rows, need at least 13");
  });
  it("maxFitRows: fits 1–2 on evenly strided rows, scores and the final cut on all", () => {
    const n = 40;
    const x = data(n, [1]);
    const res = robustPcaOutliers(x, { rows: n, cols: 6, components: 2, maxFitRows: 12 });
    expect(Array.from(res.fitRows)).toEqual(
      robustCut(
        res.q,
        Array.from({ length: n }, (_, i) => i),
      ),
    );
    expect(res.fitRows.length).toBeGreaterThan(30);
    expect(res.fitRows).not.toContain(1);
  });
});
