/**
 * PLS CV details the other PLS tests leave open: the SE of the RMSECV curve, the one-SE rule,
 * the component cap, predictions of non-finite rows and the error messages.
 */
import { describe, expect, it } from "vitest";
import { plsPredict, plsRegressionCv, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import { createRng } from "../../../src/core/random.js";
import { kFolds } from "../../../src/core/stats/split.js";

function data(n: number, p: number, seed = 4) {
  const rng = createRng(seed);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = [rng.normal(), rng.normal(), rng.normal()];
    for (let j = 0; j < p; j++)
      x[i * p + j] = t[0]! * Math.sin(j + 1) + t[1]! * Math.cos(2 * j) + 0.3 * t[2]! * (j % 3) + 0.05 * rng.normal();
    y[i] = 2 * t[0]! - t[1]! + 0.5 * t[2]! + 0.2 * rng.normal();
  }
  return { x, y };
}

describe("plsRegressionCv details", () => {
  const n = 60;
  const p = 10;
  const { x, y } = data(n, p);

  it("se = SD(per-fold RMSE)/√k, recomputed from explicit refits", () => {
    const k = 5;
    const res = plsRegressionCv(x, p, y, { maxComponents: 4, folds: k, seed: 3, rule: "min" });
    const folds = kFolds(n, k, 3);
    const pick = (rows: number[]) => {
      const out = new Float64Array(rows.length * p);
      rows.forEach((r, m) => out.set(x.subarray(r * p, (r + 1) * p), m * p));
      return out;
    };
    for (let a = 1; a <= 4; a++) {
      const rmse: number[] = [];
      for (let f = 0; f < k; f++) {
        const tr = [...Array(n).keys()].filter((i) => folds[i] !== f);
        const te = [...Array(n).keys()].filter((i) => folds[i] === f);
        const pred = plsPredict(
          plsRegressionFit(
            pick(tr),
            p,
            Float64Array.from(tr, (i) => y[i]!),
            a,
          ),
          pick(te),
        );
        rmse.push(Math.sqrt(te.reduce((s, i, m) => s + (pred[m]! - y[i]!) ** 2, 0) / te.length));
      }
      const mean = rmse.reduce((s, v) => s + v, 0) / k;
      const sd = Math.sqrt(rmse.reduce((s, v) => s + (v - mean) ** 2, 0) / (k - 1));
      expect(res.cv.se[a - 1]).toBeCloseTo(sd / Math.sqrt(k), 10);
    }
    expect(res.cv.components).toEqual([1, 2, 3, 4]);
  });

  it("one_se: the fewest components with RMSECV ≤ min + its SE; minComponents is the minimum", () => {
    const min = plsRegressionCv(x, p, y, { maxComponents: 8, folds: 5, seed: 2, rule: "min" });
    const se = plsRegressionCv(x, p, y, { maxComponents: 8, folds: 5, seed: 2 });
    const best = min.cv.rmsecv.indexOf(Math.min(...min.cv.rmsecv));
    const limit = min.cv.rmsecv[best]! + min.cv.se[best]!;
    const expected = min.cv.rmsecv.findIndex((v) => v <= limit) + 1;
    expect(se.model.components).toBe(expected);
    expect(se.minComponents).toBe(best + 1);
    expect(min.minComponents).toBe(min.model.components);
    expect(min.model.components).toBe(best + 1);
    expect(se.rule).toBe("one_se");
    expect(min.rule).toBe("min");
    expect(se.folds).toBe(5);
  });

  it("caps components at p and at the smallest training fold − 1", () => {
    const small = data(12, 3);
    expect(plsRegressionCv(small.x, 3, small.y, { maxComponents: 10, folds: 3 }).cv.rmsecv).toHaveLength(3);
    const few = data(7, 10);
    // 7 rows, 3 folds: largest fold 3, smallest training set 4 → at most 3 components
    expect(plsRegressionCv(few.x, 10, few.y, { maxComponents: 10, folds: 3 }).cv.rmsecv.length).toBeLessThanOrEqual(3);
  });

  it("the final model is the fit on all rows with the chosen components", () => {
    const res = plsRegressionCv(x, p, y, { maxComponents: 5, folds: 4, seed: 1, rule: "min" });
    const direct = plsRegressionFit(x, p, y, res.model.components);
    expect(
      Array.from(res.model.coefficients)
        .map((v, j) => v - direct.coefficients[j]!)
        .every((d) => Math.abs(d) < 1e-9),
    ).toBe(true);
    expect(res.model.yMean).toBeCloseTo(direct.yMean, 12);
  });

  it("predicts NaN for a row with a non-finite value; checks shapes", () => {
    const m = plsRegressionFit(x, p, y, 2);
    const rows = Float64Array.from(x.subarray(0, 2 * p));
    rows[p + 3] = NaN;
    const pr = plsPredict(m, rows);
    expect(Number.isFinite(pr[0]!)).toBe(true);
    expect(pr[1]).toBeNaN();
    expect(() => plsPredict(m, new Float64Array(p + 1))).toThrow(`x has ${p + 1} values, not a multiple of p=${p}`);
    expect(() => plsPredict(m, new Float64Array(p), new Float64Array(2))).toThrow("out has 2 entries, expected 1");
    const out = new Float64Array(1);
    expect(plsPredict(m, x.subarray(0, p), out)).toBe(out);
  });

  it("names what is wrong", () => {
    expect(() => plsRegressionCv(x, 0, y)).toThrow("p must be a positive integer (got 0)");
    expect(() => plsRegressionCv(x, 1.5, y)).toThrow("p must be a positive integer (got 1.5)");
    expect(() => plsRegressionCv(x.subarray(1), p, y)).toThrow(`x has ${n * p - 1} values, expected ${n}×${p}`);
    expect(() => plsRegressionCv(x, p, y, { maxComponents: 1.5 })).toThrow("maxComponents must be a positive integer (got 1.5)");
    expect(() => plsRegressionCv(x.subarray(0, 5 * p), p, y.subarray(0, 5), { folds: 5 })).toThrow(
      "PLS CV needs more rows than folds (n=5, folds=5)",
    );
    const yBad = Float64Array.from(y);
    yBad[7] = Infinity;
    expect(() => plsRegressionCv(x, p, yBad)).toThrow("y[7] is not finite");
    const xBad = Float64Array.from(x);
    xBad[3 * p + 2] = NaN;
    expect(() => plsRegressionCv(xBad, p, y)).toThrow("x row 3 has a non-finite value");
    expect(() => plsRegressionFit(x, p, y.subarray(1), 2)).toThrow(`x has ${n * p} values, expected ${n - 1}×${p}`);
    expect(() => plsRegressionFit(x.subarray(0, p), p, y.subarray(0, 1), 2)).toThrow("PLS needs at least 2 rows (n=1)");
  });
});
