// MBL's dissimilarity space, opc choice, domain limits and prediction bookkeeping recomputed
// independently (a covariance eigen-decomposition with ml-matrix, brute-force neighbours and
// type-7 quantiles), the k grid at its boundaries, and WAPLS's early returns and clipping.
// Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { lcg } from "../../helpers/lcg.js";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { mblFit, mblKGrid, mblPredict, waplsLocal } from "../../../src/core/chemometrics/mbl.js";
import { plsPath, plsPathCoefficients, plsPathPredict } from "../../../src/core/chemometrics/pls-nipals.js";

function library(n: number, p: number, seed: number) {
  const r = lcg(seed);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = r();
    const b = r();
    for (let j = 0; j < p; j++) x[i * p + j] = (1 + 0.3 * j) * a + Math.sin(j) * b + 0.2 * r();
    y[i] = 3 * a - b + 0.1 * r();
  }
  return { x, y };
}

/** Standardised PCA scores (n × M) from the covariance's eigen-decomposition (signs arbitrary). */
function standardisedScores(x: Float64Array, n: number, p: number, M: number) {
  const mean = Array.from({ length: p }, (_, j) => Array.from({ length: n }, (_, i) => x[i * p + j]!).reduce((s, v) => s + v, 0) / n);
  const xc = Matrix.from1DArray(
    n,
    p,
    Array.from(x, (v, q) => v - mean[q % p]!),
  );
  const cov = xc
    .transpose()
    .mmul(xc)
    .div(n - 1);
  const e = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = e.realEigenvalues.map((_, i) => i).sort((a, b) => e.realEigenvalues[b]! - e.realEigenvalues[a]!);
  const z = new Float64Array(n * M);
  const sds: number[] = [];
  for (let c = 0; c < M; c++) {
    const sd = Math.sqrt(e.realEigenvalues[order[c]!]!);
    sds.push(sd);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < p; j++) t += xc.get(i, j) * e.eigenvectorMatrix.get(j, order[c]!);
      z[i * M + c] = t / sd;
    }
  }
  return { z, mean, sds, xc };
}

function type7(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}

describe("mblKGrid", () => {
  it("the fixed grid within 0.8·n, completed by round(0.4n, 0.6n, 0.8n) (at least 8), at most n − 2", () => {
    expect(mblKGrid(400)).toEqual([50, 100, 150, 200, 300]);
    expect(mblKGrid(375)).toEqual([50, 100, 150, 200, 300]); // 0.8·375 = 300 included
    expect(mblKGrid(374)).toEqual([50, 100, 150, 200]);
    expect(mblKGrid(250)).toEqual([50, 100, 150, 200]);
    expect(mblKGrid(188)).toEqual([50, 100, 150]); // three: not completed
    expect(mblKGrid(187)).toEqual([50, 75, 100, 112, 150]); // 150 > 149.6: completed (round(0.8n) may pass 0.8n)
    expect(mblKGrid(124)).toEqual([50, 74, 99]); // [50] + 49.6, 74.4, 99.2 rounded
    expect(mblKGrid(62)).toEqual([25, 37, 50]);
    expect(mblKGrid(20)).toEqual([8, 12, 16]);
    expect(mblKGrid(10)).toEqual([8]);
    expect(mblKGrid(9)).toEqual([]);
  });
});

describe("waplsLocal", () => {
  it("equal neighbour y: that value; no X variance: the mean; the weighted average otherwise", () => {
    const { x, y } = library(20, 5, 3);
    const nb = [0, 2, 4, 6, 8, 10, 12];
    const same = Float64Array.from(y);
    for (const i of nb) same[i] = 2.5;
    expect(waplsLocal(x, 5, same, nb, x, 5, 1, 3)).toBe(2.5);
    const flat = new Float64Array(x.length).fill(1);
    expect(waplsLocal(flat, 5, y, nb, x, 5, 1, 3)).toBeCloseTo(nb.reduce((s, i) => s + y[i]!, 0) / nb.length, 14);
    // weights 1 / (RMS residual · RMS b) over minComponents..A, by hand from plsPath
    const target = 19;
    for (const [minC, maxC] of [
      [1, 3],
      [2, 3],
      [3, 3],
      [5, 4],
    ] as const) {
      const path = plsPath(x, 5, y, maxC, nb);
      const A = path.components;
      const preds = plsPathPredict(path, x, [target]);
      const xc = Array.from({ length: 5 }, (_, j) => x[target * 5 + j]! - path.xMean[j]!);
      let wSum = 0;
      let acc = 0;
      for (let a = 1; a <= A; a++) {
        // reconstruction residual with a components
        const res = [...xc];
        for (let c = 0; c < a; c++) {
          const t = xc.reduce((s, v, j) => s + v * path.r[c * 5 + j]!, 0);
          for (let j = 0; j < 5; j++) res[j]! -= t * path.loadings[c * 5 + j]!;
        }
        const b = plsPathCoefficients(path, a);
        if (a < Math.min(minC, A)) continue;
        const w = 1 / (Math.sqrt(res.reduce((s, v) => s + v * v, 0) / 5) * Math.sqrt(b.reduce((s, v) => s + v * v, 0) / 5));
        wSum += w;
        acc += w * preds[a - 1]!;
      }
      const ys = nb.map((i) => y[i]!);
      const expected = Math.min(Math.max(...ys), Math.max(Math.min(...ys), acc / wSum));
      expect(waplsLocal(x, 5, y, nb, x, target * 5, minC, maxC)).toBeCloseTo(expected, 10);
    }
  });
  it("clips to the neighbours' y range at both ends", () => {
    // y = x0 exactly on the neighbours; a target far beyond them on either side
    const x = Float64Array.from([0, 1, 1, 0, 2, 1, 3, 0, 4, 1, 100, 0, -100, 1]); // 7 x 2
    const y = [0, 1, 2, 3, 4, 0, 0];
    const nb = [0, 1, 2, 3, 4];
    expect(waplsLocal(x, 2, y, nb, x, 10, 1, 2)).toBe(4);
    expect(waplsLocal(x, 2, y, nb, x, 12, 1, 2)).toBe(0);
    expect(waplsLocal(x, 2, y, nb, x, 4, 1, 2)).toBeCloseTo(2, 10);
  });
});

describe("mblFit / mblPredict against an independent recomputation", () => {
  it("opc, the standardised scores, the domain limits, and the prediction bookkeeping", () => {
    const n = 16;
    const p = 6;
    const { x, y } = library(n, p, 7);
    const model = mblFit(x, p, y, { k: [3, 4, 6, 14, 15], maxPcs: 3, minComponents: 1, maxComponents: 3, domainQuantile: 0.9 });
    expect(model.nnv.k).toEqual([4, 6, 14]);
    expect(model.nnv.rmse.length).toBe(3);
    expect(model.k).toBe(model.nnv.k[model.nnv.rmse.indexOf(Math.min(...model.nnv.rmse))]);
    expect(model.minComponents).toBe(1);
    expect(model.maxComponents).toBe(3);
    const M = 3;
    const ref = standardisedScores(x, n, p, M);
    const nn = (m: number) =>
      Array.from({ length: n }, (_, i) => {
        let best = Infinity;
        let arg = -1;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          let s = 0;
          for (let c = 0; c < m; c++) s += (ref.z[i * M + c]! - ref.z[j * M + c]!) ** 2;
          if (s < best) {
            best = s;
            arg = j;
          }
        }
        return { arg, d: Math.sqrt(best / m) };
      });
    expect(model.opc.m).toEqual([1, 2, 3]);
    const rmsd = [1, 2, 3].map((m) => Math.sqrt(nn(m).reduce((s, { arg }, i) => s + (y[i]! - y[arg]!) ** 2, 0) / n));
    rmsd.forEach((v, i) => expect(model.opc.rmsd[i]).toBeCloseTo(v, 10));
    const m = rmsd.indexOf(Math.min(...rmsd)) + 1;
    expect(model.m).toBe(m);
    expect(model.scores.length).toBe(n * m);
    expect(model.scaledLoadings.length).toBe(p * m);
    for (let c = 0; c < m; c++) {
      expect(model.scoreSd[c]).toBeCloseTo(ref.sds[c]!, 10);
      // same scores up to the sign of the component
      const s0 = Math.sign(model.scores[c]! / ref.z[c]!);
      for (let i = 0; i < n; i++) expect(model.scores[i * m + c]).toBeCloseTo(s0 * ref.z[i * M + c]!, 9);
    }
    model.xMean.forEach((v, j) => expect(v).toBeCloseTo(ref.mean[j]!, 13));
    // NNv: every library row (n below the target cap) stands in for a new spectrum by its
    // nearest neighbour; WAPLS on the next k − 1 neighbours predicts that neighbour's y.
    const nnvRmse = model.nnv.k.map((k) => {
      let sse = 0;
      for (let i = 0; i < n; i++) {
        const order = Array.from({ length: n }, (_, j) => j)
          .filter((j) => j !== i)
          .map((j) => ({
            j,
            d: Array.from({ length: m }, (_, c) => (ref.z[i * M + c]! - ref.z[j * M + c]!) ** 2).reduce((a, b) => a + b, 0),
          }))
          .sort((a, b) => a.d - b.d || a.j - b.j)
          .map((o) => o.j);
        const nearest = order[0]!;
        const pred = waplsLocal(x, p, y, order.slice(1, k), x, nearest * p, 1, 3);
        sse += (pred - y[nearest]!) ** 2;
      }
      return Math.sqrt(sse / n);
    });
    nnvRmse.forEach((v, g) => expect(model.nnv.rmse[g]).toBeCloseTo(v, 9));
    expect(model.domainLimit).toBeCloseTo(
      type7(
        nn(m).map((o) => o.d),
        0.9,
      ),
      10,
    );
    const qOf = (i: number) => {
      let ss = 0;
      for (let j = 0; j < p; j++) ss += ref.xc.get(i, j) ** 2;
      for (let c = 0; c < m; c++) ss -= (ref.z[i * M + c]! * ref.sds[c]!) ** 2;
      return Math.max(0, ss);
    };
    expect(model.qLimit).toBeCloseTo(
      type7(
        Array.from({ length: n }, (_, i) => qOf(i)),
        0.9,
      ),
      10,
    );

    // predictions: a library row (nearest 0) and a new row; the mean dissimilarity to the k nearest
    const fresh = Float64Array.from({ length: p }, (_, j) => 0.3 * (1 + 0.3 * j) - 0.2 * Math.sin(j));
    const xNew = Float64Array.from([...x.subarray(5 * p, 6 * p), ...fresh, ...fresh.map((v, j) => (j === 2 ? Number.NaN : v))]);
    const out = mblPredict(model, xNew);
    expect(out.nearest[0]).toBeCloseTo(0, 10);
    expect(out.q[0]).toBeCloseTo(qOf(5), 10);
    const mFresh = Array.from({ length: m }, (_, c) => {
      let t = 0;
      for (let j = 0; j < p; j++) t += (fresh[j]! - ref.mean[j]!) * model.scaledLoadings[j * m + c]!;
      return t;
    });
    const dists = Array.from({ length: n }, (_, i) =>
      Math.sqrt(mFresh.reduce((s, v, c) => s + (model.scores[i * m + c]! - v) ** 2, 0) / m),
    ).sort((a, b) => a - b);
    expect(out.nearest[1]).toBeCloseTo(dists[0]!, 10);
    expect(out.meanDissimilarity[1]).toBeCloseTo(dists.slice(0, model.k).reduce((s, v) => s + v, 0) / model.k, 10);
    expect(out.outOfDomain[1]).toBe(out.nearest[1]! > model.domainLimit || out.q[1]! > model.qLimit ? 1 : 0);
    expect(out.predicted[2]).toBeNaN();
    expect(out.nearest[2]).toBeNaN();
    expect(out.meanDissimilarity[2]).toBeNaN();
    expect(out.q[2]).toBeNaN();
    expect(out.outOfDomain[2]).toBe(0);
    expect(() => mblPredict(model, new Float64Array(p + 1))).toThrow(`xNew has ${p + 1} values, not a multiple of p=${p}`);
  });
  it("out of domain by distance alone and by Q alone", () => {
    const n = 16;
    const p = 6;
    const { x, y } = library(n, p, 9);
    const model = mblFit(x, p, y, { k: [6], maxPcs: 2 });
    expect(model.k).toBe(6);
    // far along the library's own first direction: large distance, Q about the library's
    const dir = Array.from({ length: p }, (_, j) => model.scaledLoadings[j * model.m]! * model.scoreSd[0]! ** 2);
    const far = Float64Array.from({ length: p }, (_, j) => model.xMean[j]! + 40 * dir[j]!);
    const o = mblPredict(model, far);
    expect(o.nearest[0]).toBeGreaterThan(model.domainLimit);
    expect(o.outOfDomain[0]).toBe(1);
    // the mean spectrum plus a direction orthogonal to the PCA space: Q only
    const inside = mblPredict(model, Float64Array.from(model.xMean));
    expect(inside.q[0]).toBeCloseTo(0, 12);
  });
  it("messages", () => {
    const { x, y } = library(12, 4, 2);
    expect(() => mblFit(x, 5, y)).toThrow("x has 48 values, expected 12×5");
    expect(() => mblFit(x.subarray(0, 44), 4, y.subarray(0, 11))).toThrow(
      "memory-based learning needs at least 12 library spectra (got 11)",
    );
    expect(() => mblFit(x, 4, y, { k: [3, 11] })).toThrow("no k in [4, n − 2 = 10] among [3,11]");
    expect(mblFit(x, 4, y, { k: [4, 10] }).nnv.k).toEqual([4, 10]);
    expect(mblFit(x, 4, y).nnv.k).toEqual([8, 10]); // default grid of 12: 8, 8, round(9.6)
  });
});
