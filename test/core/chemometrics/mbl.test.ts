import { describe, expect, it } from "vitest";
import { mblFit, mblKGrid, mblPredict, waplsLocal } from "../../../src/core/chemometrics/mbl.js";
import { plsPath, plsPathPredict } from "../../../src/core/chemometrics/pls-nipals.js";
import { plsPredict, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import { createRng } from "../../../src/core/random.js";

/** The deterministic data of pls.test.ts, whose sklearn predictions are pasted there and here. */
function smallData() {
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

/**
 * Spectra of two latent variables u, v (two Gaussian bands, noise 0.01) and a V-shaped target
 * y = |u − 0.5|: linear within each half of u, so a local linear model fits it and a global
 * one cannot (the best line through a symmetric V is flat).
 */
function vShape(n: number, seed: number) {
  const p = 60;
  const rng = createRng(seed);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const band = (j: number, c: number, w: number) => Math.exp(-(((j - c) / w) ** 2));
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    const v = rng.next();
    for (let j = 0; j < p; j++) x[i * p + j] = u * band(j, 15, 6) + v * band(j, 42, 8) + 0.01 * (rng.next() - 0.5);
    y[i] = Math.abs(u - 0.5);
  }
  return { x, y, p };
}

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
};

describe("PLS1 path (NIPALS, data space)", () => {
  it("matches sklearn PLSRegression(scale=False) (the references of pls.test.ts) and the kernel PLS", () => {
    const ref: Record<number, number[]> = {
      1: [3.929678766679968, 4.806672544841421, -0.4631612344477145],
      2: [3.9810678329486016, 6.446466905970034, 0.09093644552375779],
      3: [4.049808260728201, 6.665503852495387, -0.5005667005339722],
      5: [3.7858851539554648, 6.553526692230019, -0.6809404899469067],
    };
    const { x, y, p } = smallData();
    const path = plsPath(x, p, y, 8);
    expect(path.components).toBe(8);
    const pred = plsPathPredict(path, x, [0, 17, 39]);
    for (const [a, expected] of Object.entries(ref)) {
      expected.forEach((v, k) => expect(pred[k * 8 + Number(a) - 1]).toBeCloseTo(v, 9));
    }
    const kernel = plsPredict(plsRegressionFit(x, p, y, 8), x);
    const all = plsPathPredict(path, x);
    kernel.forEach((v, i) => expect(all[i * 8 + 7]).toBeCloseTo(v, 8));
  });

  it("fits a row subset exactly as a copy of those rows", () => {
    const { x, y, p } = smallData();
    const rows = [3, 5, 8, 13, 21, 34, 1, 2, 30, 31, 32, 33];
    const sub = new Float64Array(rows.length * p);
    rows.forEach((r, k) => sub.set(x.subarray(r * p, (r + 1) * p), k * p));
    const a = plsPathPredict(plsPath(x, p, y, 4, rows), x, [0, 39]);
    const b = plsPathPredict(
      plsPath(
        sub,
        p,
        Float64Array.from(rows, (r) => y[r]!),
        4,
      ),
      x,
      [0, 39],
    );
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 10));
  });
});

describe("memory-based learning", () => {
  it("k grid: the resemble-like values within 0.8·n, else fractions of n", () => {
    expect(mblKGrid(1000)).toEqual([50, 100, 150, 200, 300]);
    expect(mblKGrid(100)).toEqual([40, 50, 60, 80]);
    expect(mblKGrid(30)).toEqual([12, 18, 24]);
  });

  it("WAPLS equals the scikit-learn reference (test/reference/wapls_sklearn.py, PLSRegression scale=False)", () => {
    // weighted average of 3..8 components on neighbours 0..29, clipped to their y range
    const ref: Record<number, number> = { 35: 2.4380313068257315, 39: -0.3984049800219263 };
    const { x, y, p } = smallData();
    const nb = Array.from({ length: 30 }, (_, i) => i);
    for (const [t, v] of Object.entries(ref)) {
      expect(waplsLocal(x, p, y, nb, x, Number(t) * p, 3, 8)).toBeCloseTo(v, 9);
    }
  });

  it("beats a global PLS on a piecewise-linear target and clips to the neighbours' range", () => {
    const lib = vShape(300, 1);
    const test = vShape(100, 2);
    const model = mblFit(lib.x, lib.p, lib.y, { k: [20, 40, 80] });
    const mbl = mblPredict(model, test.x);
    const global = plsPath(lib.x, lib.p, lib.y, 10);
    const gp = plsPathPredict(global, test.x);
    const globalBest = Math.min(
      ...Array.from({ length: global.components }, (_, a) =>
        rmse(
          Array.from({ length: 100 }, (_, i) => gp[i * global.components + a]!),
          test.y,
        ),
      ),
    );
    const local = rmse(mbl.predicted, test.y);
    // the V has SD ≈ 0.144; the best global PLS stays near it, the local models are far below
    expect(globalBest).toBeGreaterThan(0.12);
    expect(local).toBeLessThan(0.03);
    expect(model.nnv.k).toEqual([20, 40, 80]);
    expect(model.nnv.rmse.every(Number.isFinite)).toBe(true);
    expect(model.m).toBeGreaterThanOrEqual(1);
    for (const v of mbl.predicted) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(0.5);
    }
    expect(Array.from(mbl.outOfDomain).filter((f) => f === 1).length).toBeLessThan(10);
  });

  it("WAPLS never leaves the neighbours' y range, and a far-away spectrum is out of domain", () => {
    const lib = vShape(120, 3);
    const nb = Array.from({ length: 30 }, (_, i) => i);
    const far = Float64Array.from({ length: lib.p }, (_, j) => 50 * Math.sin(j));
    const pred = waplsLocal(lib.x, lib.p, lib.y, nb, far, 0, 3, 15);
    const ys = nb.map((i) => lib.y[i]!);
    expect(pred).toBeGreaterThanOrEqual(Math.min(...ys));
    expect(pred).toBeLessThanOrEqual(Math.max(...ys));
    const model = mblFit(lib.x, lib.p, lib.y);
    const out = mblPredict(model, far);
    expect(out.outOfDomain[0]).toBe(1);
    expect(out.q[0]).toBeGreaterThan(model.qLimit);
  });

  it("is deterministic and rejects too small a library", () => {
    const lib = vShape(80, 4);
    const a = mblPredict(mblFit(lib.x, lib.p, lib.y), lib.x.subarray(0, lib.p * 5));
    const b = mblPredict(mblFit(lib.x, lib.p, lib.y), lib.x.subarray(0, lib.p * 5));
    expect(Array.from(a.predicted)).toEqual(Array.from(b.predicted));
    expect(() => mblFit(lib.x.subarray(0, 10 * lib.p), lib.p, lib.y.subarray(0, 10))).toThrow(/at least 12/);
  });
});
