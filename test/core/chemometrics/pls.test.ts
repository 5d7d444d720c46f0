import { describe, expect, it } from "vitest";
import { plsPredict, plsRegressionCv, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import { createRng } from "../../../src/core/random.js";
import { kFolds } from "../../../src/core/stats/split.js";

/** Deterministic data that python reproduces exactly (see the reference below). */
function smallData(): { x: Float64Array; y: Float64Array; n: number; p: number } {
  const n = 40;
  const p = 12;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = Math.sin(0.1 * (i + 1) * (j + 1)) + Math.cos(0.37 * i + 0.11 * j * j);
    y[i] = 2 * x[i * p]! - x[i * p + 5]! + 0.5 * x[i * p + 7]! ** 2 + 0.1 * Math.sin(i);
  }
  return { x, y, n, p };
}

describe("PLS1 (kernel algorithm)", () => {
  it("matches sklearn PLSRegression(scale=False) for 1, 2, 3 and 5 components", () => {
    // Reference: Debian python3-sklearn 1.2.1, numpy 1.24.2:
    //   i=arange(40)[:,None]; j=arange(12)[None,:]
    //   X=sin(.1*(i+1)*(j+1))+cos(.37*i+.11*j*j); y=2X[:,0]-X[:,5]+.5X[:,7]**2+.1 sin(arange(40))
    //   PLSRegression(n_components=a, scale=False).fit(X,y).predict(X[[0,17,39]])
    const ref: Record<number, number[]> = {
      1: [3.929678766679968, 4.806672544841421, -0.4631612344477145],
      2: [3.9810678329486016, 6.446466905970034, 0.09093644552375779],
      3: [4.049808260728201, 6.665503852495387, -0.5005667005339722],
      5: [3.7858851539554648, 6.553526692230019, -0.6809404899469067],
    };
    const { x, y, p } = smallData();
    const rows = [0, 17, 39];
    const xs = new Float64Array(rows.length * p);
    rows.forEach((r, k) => xs.set(x.subarray(r * p, (r + 1) * p), k * p));
    for (const [a, expected] of Object.entries(ref)) {
      const model = plsRegressionFit(x, p, y, Number(a));
      expect(model.components).toBe(Number(a));
      const pred = plsPredict(model, xs);
      expected.forEach((v, k) => expect(pred[k]).toBeCloseTo(v, 9));
    }
  });

  it("chooses components by CV and recovers a low-rank signal", () => {
    const rng = createRng(3);
    const n = 300;
    const p = 60;
    const bands = Array.from({ length: 3 }, (_, b) =>
      Float64Array.from({ length: p }, (_, j) => Math.exp(-(((j - 10 - 18 * b) / 5) ** 2))),
    );
    const x = new Float32Array(n * p);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = [rng.next(), rng.next(), rng.next()];
      for (let j = 0; j < p; j++)
        x[i * p + j] = 1 + c[0]! * bands[0]![j]! + c[1]! * bands[1]![j]! + c[2]! * bands[2]![j]! + rng.normal(0, 0.002);
      y[i] = 3 * c[0]! - 2 * c[2]! + rng.normal(0, 0.01);
    }
    const min = plsRegressionCv(x, p, y, { maxComponents: 8, rule: "min" });
    const se = plsRegressionCv(x, p, y, { maxComponents: 8 });
    expect(min.cv.rmsecv).toHaveLength(8);
    expect(se.rule).toBe("one_se");
    expect(se.model.components).toBeLessThanOrEqual(min.model.components);
    expect(se.model.components).toBeGreaterThanOrEqual(2);
    const best = Math.min(...min.cv.rmsecv);
    expect(min.cv.rmsecv[min.model.components - 1]).toBe(best);
    expect(best).toBeLessThan(0.02);
    // same seed, same folds, same result
    expect(plsRegressionCv(x, p, y, { maxComponents: 8 }).cv.rmsecv).toEqual(se.cv.rmsecv);
    const pred = plsPredict(se.model, x.subarray(0, 10 * p));
    for (let i = 0; i < 10; i++) expect(Math.abs(pred[i]! - y[i]!)).toBeLessThan(0.06);
  });

  it("CV folds equal explicit refits on the training folds", () => {
    // RMSECV from the summed per-fold cross-products must equal refitting on each training set
    const { x, y, n, p } = smallData();
    const folds = kFolds(n, 4, 9);
    // The folds the refits use must be a partition into folds 0..3 (an off-by-one fold id
    // leaves fold 0 empty and a fold 4 no loop visits): checked here, not left to a crash.
    const sizes = [0, 1, 2, 3].map((k) => folds.filter((f) => f === k).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.floor(n / 4));
    const res = plsRegressionCv(x, p, y, { maxComponents: 3, folds: 4, seed: 9, rule: "min" });
    expect(res.folds).toBe(4);
    for (let a = 1; a <= 3; a++) {
      let sse = 0;
      for (let k = 0; k < 4; k++) {
        const tr = [...Array(n).keys()].filter((i) => folds[i] !== k);
        const te = [...Array(n).keys()].filter((i) => folds[i] === k);
        const pick = (rows: number[]) => {
          const out = new Float64Array(rows.length * p);
          rows.forEach((r, m) => out.set(x.subarray(r * p, (r + 1) * p), m * p));
          return out;
        };
        const model = plsRegressionFit(
          pick(tr),
          p,
          Float64Array.from(tr, (i) => y[i]!),
          a,
        );
        const pred = plsPredict(model, pick(te));
        te.forEach((i, m) => (sse += (pred[m]! - y[i]!) ** 2));
      }
      expect(res.cv.rmsecv[a - 1]).toBeCloseTo(Math.sqrt(sse / n), 10);
    }
  });

  it("throws RangeError on bad input", () => {
    const { x, y, p } = smallData();
    expect(() => plsRegressionCv(x, p + 1, y)).toThrow(RangeError);
    const bad = Float64Array.from(y);
    bad[3] = NaN;
    expect(() => plsRegressionCv(x, p, bad)).toThrow(RangeError);
    expect(() => plsRegressionCv(x, p, y, { maxComponents: 0 })).toThrow(RangeError);
  });
});
