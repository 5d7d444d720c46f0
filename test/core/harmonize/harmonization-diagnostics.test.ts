// The harmonization table recomputed by hand on small blocks: the same-soil distance after a
// transfer method is out of fold (5 folds by pair index, SST/PDS refitted per source, EPO once
// per fold for all sources), the reference row's zeros and NaNs, the nearest-reference
// distances in the "after" reference space, and the instrument parameters (identity for the
// reference, NaN where nothing was fitted).
import { describe, expect, it } from "vitest";
import { lcg } from "../../helpers/lcg.js";
import { harmonizationDiagnostics, type DiagnosticsInput } from "../../../src/core/harmonize/harmonization-diagnostics.js";
import type { HarmonizeOptions } from "../../../src/core/harmonize/harmonize-sources.js";
import { blockRows, fitEpo, fitPairwise, pairRows, type TransferOptions } from "../../../src/core/harmonize/transfer-fit.js";
import { matrixPca } from "../../../src/core/chemometrics/matrix-pca.js";
import { matrixEpoApply } from "../../../src/core/chemometrics/matrix-epo.js";
import { meanNearestDistance, whitenedScores } from "../../../src/core/chemometrics/pca-align.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";

const P = 8;
const W = Float64Array.from({ length: P }, (_, j) => 1000 + 10 * j);

/** Uniform in [0, 1) (the shared generator shifted; exact in floating point). */
function rng(seed: number) {
  const r = lcg(seed);
  return () => r() + 0.5;
}

/** Soils as two latent factors; a source sees them through its own gain and offset, plus noise. */
function block(source: string, ids: string[], gain: number, offset: number, seed: number): SpectraBlock {
  const r = rng(seed);
  const values = new Float32Array(ids.length * P);
  ids.forEach((id, i) => {
    const soil = rng(Number(id.slice(1)) + 1);
    const a = soil();
    const b = soil();
    for (let j = 0; j < P; j++) values[i * P + j] = gain * (a * (1 + 0.1 * j) + b * Math.cos(j)) + offset + 0.02 * r();
  });
  return { source, instrument: source, unit: "absorbance", wavenumbers: W, ids, values };
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `s${i + from}`);
const TRANSFER: TransferOptions = { sstComponents: 2, pdsHalfWindow: 1, pdsRidge: 0.01, epoComponents: 2, minTransfer: 3 };
const options = (method: HarmonizeOptions["method"]): HarmonizeOptions => ({
  method,
  components: 2,
  transfer: TRANSFER,
  coral: { meanShift: "full", shrinkage: 0.1 },
  instrument: { match: "neighbours", trim: 0.1, iterations: 10, maxRows: 1000 },
  maxScores: 1000,
});

function meanRowDistance(x: Float32Array, y: Float32Array): number {
  let tot = 0;
  const n = x.length / P;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < P; j++) d += (x[i * P + j]! - y[i * P + j]!) ** 2;
    tot += Math.sqrt(d);
  }
  return tot / n;
}

const ref = block("R", ids(14), 1, 0, 1);
const s1 = block("S1", ids(12), 1.3, 0.2, 2); // 12 pairs: 5 folds of 3, 3, 2, 2, 2
const s2 = block("S2", [...ids(7, 5), "x1", "x2"], 0.8, -0.1, 3); // 7 pairs
const refModel = matrixPca(ref.values, { rows: 14, cols: P, components: 2 });

function input(after: SpectraBlock[], refModelAfter = refModel): DiagnosticsInput {
  return { before: [ref, s1, s2], after, reference: ref, refModel, refModelAfter, pairs: null, instrument: new Map() };
}

/** The out-of-fold same-soil distance, fold f = pairs i with i % folds === f. */
function outOfFold(
  b: SpectraBlock,
  correct: (xs: Float32Array, xm: Float32Array, train: [number[], number[]], f: number, folds: number) => [Float32Array, Float32Array],
) {
  const [m, s] = pairRows(ref, b, null);
  const folds = Math.min(5, m.length);
  let tot = 0;
  for (let f = 0; f < folds; f++) {
    const test: number[] = [];
    const train: number[] = [];
    m.forEach((_, i) => (i % folds === f ? test : train).push(i));
    const [xs, xm] = correct(
      blockRows(
        b,
        test.map((i) => s[i]!),
      ),
      blockRows(
        ref,
        test.map((i) => m[i]!),
      ),
      [train.map((i) => m[i]!), train.map((i) => s[i]!)],
      f,
      folds,
    );
    tot += meanRowDistance(xs, xm) * test.length;
  }
  return tot / m.length;
}

describe("harmonizationDiagnostics", () => {
  it("sst and pds: the same-soil distance after is out of fold, refitted per source", () => {
    for (const method of ["sst", "pds"] as const) {
      const d = harmonizationDiagnostics(input([ref, s1, s2]), options(method));
      expect(Array.from(d.pairs)).toEqual([0, 12, 7]);
      expect(d.pairBefore[0]).toBeNaN();
      expect(d.pairAfter[0]).toBeNaN();
      for (const [k, b] of [
        [1, s1],
        [2, s2],
      ] as const) {
        const [m, s] = pairRows(ref, b, null);
        expect(d.pairBefore[k]).toBeCloseTo(meanRowDistance(blockRows(b, s), blockRows(ref, m)), 6);
        const want = outOfFold(b, (xs, xm, train) => [fitPairwise(method, ref, b, train, TRANSFER)(xs), xm]);
        expect(d.pairAfter[k]).toBeCloseTo(want, 6);
        expect(d.pairAfter[k]).toBeLessThan(d.pairBefore[k]!);
      }
      expect(Array.from(d.gain)).toEqual([NaN, NaN, NaN]);
    }
  });

  it("epo: one fit per fold for every source together, applied to both spectra of a pair", () => {
    const d = harmonizationDiagnostics(input([ref, s1, s2]), options("epo"));
    for (const [k, b] of [
      [1, s1],
      [2, s2],
    ] as const) {
      const want = outOfFold(b, (xs, xm, _train, f, folds) => {
        const v = fitEpo([ref, s1, s2], ref, null, TRANSFER, (_, i) => i % folds === f);
        const shape = { rows: xs.length / P, cols: P };
        return v ? [matrixEpoApply(xs, shape, v), matrixEpoApply(xm, shape, v)] : [xs, xm];
      });
      expect(d.pairAfter[k]).toBeCloseTo(want, 6);
    }
  });

  it("other methods: the distance after between the corrected blocks; nearest distances in the after space", () => {
    const refAfter = block("R", ids(14), 1.1, 0.05, 11);
    const s1After = block("S1", ids(12), 1.05, 0.02, 12);
    const s2After = block("S2", [...ids(7, 5), "x1", "x2"], 0.95, 0.01, 13);
    const refModelAfter = matrixPca(refAfter.values, { rows: 14, cols: P, components: 2 });
    const d = harmonizationDiagnostics(input([refAfter, s1After, s2After], refModelAfter), options("coral"));
    const [m, s] = pairRows(ref, s2, null);
    expect(d.pairAfter[2]).toBeCloseTo(meanRowDistance(blockRows(s2After, s), blockRows(refAfter, m)), 6);
    const sc = (b: SpectraBlock, model = refModel) => whitenedScores(b.values, { rows: b.ids.length, cols: P }, model);
    expect(d.nnBefore[0]).toBeCloseTo(meanNearestDistance(sc(ref), sc(ref), 2, true), 10);
    expect(d.nnBefore[1]).toBeCloseTo(meanNearestDistance(sc(s1), sc(ref), 2), 10);
    const refScoresAfter = sc(refAfter, refModelAfter);
    expect(d.nnAfter[0]).toBeCloseTo(meanNearestDistance(refScoresAfter, refScoresAfter, 2, true), 10);
    expect(d.nnAfter[2]).toBeCloseTo(meanNearestDistance(sc(s2After, refModelAfter), refScoresAfter, 2), 10);
    expect(d.nnAfter[2]).not.toBeCloseTo(meanNearestDistance(sc(s2After, refModel), sc(ref), 2), 6);
  });

  it("instrument: the fitted parameters per source, the identity for the reference, NaN where none was fitted", () => {
    const fitted = { gain: 1.2, shift: 0.5, offset: -0.1, slope: 0.03, pairs: 12, iterations: 4 };
    const d = harmonizationDiagnostics({ ...input([ref, s1, s2]), instrument: new Map([["S1", fitted]]) }, options("instrument"));
    expect(Array.from(d.gain)).toEqual([1, 1.2, NaN]);
    expect(Array.from(d.shift)).toEqual([0, 0.5, NaN]);
    expect(Array.from(d.offset)).toEqual([0, -0.1, NaN]);
    expect(Array.from(d.slope)).toEqual([0, 0.03, NaN]);
  });
});
