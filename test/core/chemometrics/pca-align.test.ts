// Exact checks of pcaAlign (CORAL in the reference's PCA space) and the score-space helpers,
// against hand-made reference models: closed-form 1-component recolouring, a 2 x 2 matrix
// square root in closed form for the 2-component case, hand-computed distances.
import { describe, expect, it } from "vitest";
import type { PcaModel } from "../../../src/core/chemometrics/matrix-pca.js";
import {
  meanNearestDistance,
  nearestRows,
  pcaAlign,
  pcaCentroidDistance,
  whitenedScores,
} from "../../../src/core/chemometrics/pca-align.js";

function model(p: number, k: number, loadings: number[], eigenvalues: number[], mean: number[]): PcaModel {
  return {
    n: 10,
    p,
    k,
    mean: Float64Array.from(mean),
    loadings: Float64Array.from(loadings),
    eigenvalues: Float64Array.from(eigenvalues),
    covariance: new Float64Array(p * p),
    totalVariance: eigenvalues.reduce((s, x) => s + x, 0),
    explained: 1,
  };
}

/** 4 rows in p = 3: mean (5, 0, −1), scores z = (1, −1, 2, −2) along (0.6, 0.8, 0), and an off-span part along e2. */
function oneComponent() {
  const z = [1, -1, 2, -2];
  const off = [0.5, -0.5, 0, 0];
  const x = Float64Array.from(z.flatMap((t, i) => [5 + 0.6 * t, 0.8 * t, -1 + off[i]!]));
  return { x, z, off, ref: model(3, 1, [0.6, 0.8, 0], [4, 1, 0.5], [1, 2, 3]) };
}

describe("pcaAlign", () => {
  it("one component: scores rescaled by √λ_ref / √(var_s + shrink), mean moved, off-span part kept", () => {
    const { x, z, off, ref } = oneComponent();
    const shape = { rows: 4, cols: 3 };
    const vs = 10 / 3;
    for (const [shrinkage, expectedShrink] of [
      [undefined, 1e-3 * vs],
      [0, 0],
      [0.5, 0.5 * vs],
    ] as const) {
      const out = pcaAlign(x, shape, ref, shrinkage === undefined ? {} : { shrinkage });
      const a = 2 / Math.sqrt(vs + expectedShrink);
      for (let i = 0; i < 4; i++) {
        const t = z[i]! * a;
        expect(out[i * 3]).toBeCloseTo(1 + 0.6 * t, 5);
        expect(out[i * 3 + 1]).toBeCloseTo(2 + 0.8 * t, 5);
        expect(out[i * 3 + 2]).toBeCloseTo(3 + off[i]!, 5);
      }
    }
    const none = pcaAlign(x, shape, ref, { meanShift: "none", shrinkage: 0 });
    const a0 = 2 / Math.sqrt(vs);
    for (let i = 0; i < 4; i++) {
      expect(none[i * 3]).toBeCloseTo(5 + 0.6 * z[i]! * a0, 5);
      expect(none[i * 3 + 1]).toBeCloseTo(0.8 * z[i]! * a0, 5);
      expect(none[i * 3 + 2]).toBeCloseTo(-1 + off[i]!, 5);
    }
    const plain = pcaAlign(x, shape, ref, { recolor: false });
    for (let i = 0; i < 12; i++) expect(plain[i]).toBeCloseTo(x[i]! - [5, 0, -1][i % 3]! + [1, 2, 3][i % 3]!, 5);
  });
  it("two components: Z·A with A = C_s^{-1/2} C_r^{1/2} (closed-form 2 x 2 square root)", () => {
    // p = 3, loadings e0 and e1 of the reference, eigenvalues 9 and 4
    const ref = model(3, 2, [1, 0, 0, 1, 0, 0], [9, 4, 1], [0, 0, 0]);
    const zs = [
      [1, 0.5],
      [-2, 1],
      [0.5, -1.5],
      [0.5, 0],
      [0, 0],
    ];
    const x = Float64Array.from(zs.flatMap(([a, b], i) => [a!, b!, i]));
    const out = pcaAlign(x, { rows: 5, cols: 3 }, ref, { shrinkage: 0 });
    // C_s of the (already centred) scores, / (n − 1)
    let s00 = 0;
    let s01 = 0;
    let s11 = 0;
    for (const [a, b] of zs) {
      s00 += a! * a!;
      s01 += a! * b!;
      s11 += b! * b!;
    }
    s00 /= 4;
    s01 /= 4;
    s11 /= 4;
    // √M = (M + √det·I)/√(tr + 2√det); its inverse via the 2 x 2 inverse
    const sd = Math.sqrt(s00 * s11 - s01 * s01);
    const tt = Math.sqrt(s00 + s11 + 2 * sd);
    const r00 = (s00 + sd) / tt;
    const r01 = s01 / tt;
    const r11 = (s11 + sd) / tt;
    const det = r00 * r11 - r01 * r01;
    const i00 = r11 / det;
    const i01 = -r01 / det;
    const i11 = r00 / det;
    // A = C_s^{-1/2} · diag(3, 2)
    const a00 = i00 * 3;
    const a01 = i01 * 2;
    const a10 = i01 * 3;
    const a11 = i11 * 2;
    zs.forEach(([z0, z1], i) => {
      expect(out[i * 3]).toBeCloseTo(z0! * a00 + z1! * a10, 5);
      expect(out[i * 3 + 1]).toBeCloseTo(z0! * a01 + z1! * a11, 5);
      expect(out[i * 3 + 2]).toBeCloseTo(i - 2, 5); // off-span column, moved from mean 2 to 0
    });
    // the aligned scores have the reference covariance diag(9, 4)
    let c00 = 0;
    let c01 = 0;
    let c11 = 0;
    for (let i = 0; i < 5; i++) {
      c00 += out[i * 3]! ** 2;
      c01 += out[i * 3]! * out[i * 3 + 1]!;
      c11 += out[i * 3 + 1]! ** 2;
    }
    expect(c00 / 4).toBeCloseTo(9, 4);
    expect(c01 / 4).toBeCloseTo(0, 4);
    expect(c11 / 4).toBeCloseTo(4, 4);
  });
  it("limits and messages", () => {
    const { x, ref } = oneComponent();
    expect(() => pcaAlign(new Float64Array(4), { rows: 2, cols: 2 }, ref)).toThrow("pcaAlign: 2 cols, reference PCA has 3");
    expect(() => pcaAlign(x.subarray(0, 6), { rows: 2, cols: 3 }, ref)).toThrow(
      "pcaAlign: 2 spectra cannot estimate a 1-component covariance (need at least 3)",
    );
    expect(pcaAlign(x.subarray(0, 9), { rows: 3, cols: 3 }, ref).length).toBe(9);
    expect(pcaAlign(x.subarray(0, 6), { rows: 2, cols: 3 }, ref, { recolor: false }).length).toBe(6);
    expect(() => pcaAlign(new Float64Array(0), { rows: 0, cols: 3 }, ref, { recolor: false })).toThrow("pcaAlign: no spectra");
  });
});

describe("score-space helpers", () => {
  it("pcaCentroidDistance: Mahalanobis distance of the centroid; zero-eigenvalue components skipped", () => {
    const ref = model(3, 2, [0.6, 0, 0, 1, 0.8, 0], [4, 0], [1, 1, 1]);
    // centroid (4, 5, 5): difference (3, 4, 4) → scores (5, 4); only the first counts: 5/2
    const x = Float64Array.from([3, 5, 5, 5, 5, 5]);
    expect(pcaCentroidDistance(x, { rows: 2, cols: 3 }, ref)).toBeCloseTo(2.5, 14);
    const ref2 = model(3, 2, [0.6, 0, 0, 1, 0.8, 0], [4, 16], [1, 1, 1]);
    expect(pcaCentroidDistance(x, { rows: 2, cols: 3 }, ref2)).toBeCloseTo(Math.sqrt(25 / 4 + 16 / 16), 14);
  });
  it("whitenedScores: (x − μ)·P / √λ, 0 for a zero eigenvalue", () => {
    const ref = model(3, 2, [0.6, 0, 0, 1, 0.8, 0], [4, 0], [1, 1, 1]);
    const w = whitenedScores(Float64Array.from([4, 1, 5, 1, 3, 1]), { rows: 2, cols: 3 }, ref);
    expect(Array.from(w)).toEqual([2.5, 0, 0, 0]);
    const ref2 = model(3, 2, [0.6, 0, 0, 1, 0.8, 0], [4, 16], [1, 1, 1]);
    const w2 = whitenedScores(Float64Array.from([4, 1, 5, 1, 3, 1, 1, 1, 3]), { rows: 3, cols: 3 }, ref2);
    [2.5, 0, 0, 0.5, 0.8, 0].forEach((v, i) => expect(w2[i]).toBeCloseTo(v, 14));
    expect(() => whitenedScores(new Float64Array(5), { rows: 2, cols: 3 }, ref)).toThrow(RangeError);
  });
  it("nearestRows and meanNearestDistance by hand", () => {
    const ref = Float64Array.from([0, 0, 3, 0, 0, 4, 3, 4]); // 4 rows, k = 2
    const q = Float64Array.from([2.9, 0.2, 0.1, 3.9, 10, 10, 1.5, 0]); // last: tie between rows 0 and 1
    const r = nearestRows(q, ref, 2);
    expect(Array.from(r.index)).toEqual([1, 2, 3, 0]);
    [0.1 ** 2 + 0.2 ** 2, 0.1 ** 2 + 0.1 ** 2, 49 + 36, 2.25].forEach((d, i) => expect(r.dist2[i]).toBeCloseTo(d, 12));
    const self = nearestRows(ref, ref, 2, true);
    expect(Array.from(self.index)).toEqual([1, 0, 3, 2]);
    expect(Array.from(self.dist2)).toEqual([9, 9, 9, 9]);
    const noSelf = nearestRows(ref, ref, 2);
    expect(Array.from(noSelf.dist2)).toEqual([0, 0, 0, 0]);
    expect(Array.from(noSelf.index)).toEqual([0, 1, 2, 3]);
    const empty = nearestRows(q, new Float64Array(0), 2);
    expect(Array.from(empty.index)).toEqual([0, 0, 0, 0]);
    expect(Array.from(empty.dist2)).toEqual([Infinity, Infinity, Infinity, Infinity]);
    // a far first candidate, then a near one: the partial sum stops early but the near one wins
    const far = nearestRows(Float64Array.from([0, 0]), Float64Array.from([5, 0, 1, 1]), 2);
    expect(Array.from(far.index)).toEqual([1]);
    expect(Array.from(far.dist2)).toEqual([2]);

    expect(meanNearestDistance(ref, ref, 2, true)).toBe(3);
    expect(meanNearestDistance(q, ref, 2)).toBeCloseTo((Math.sqrt(0.05) + Math.sqrt(0.02) + Math.sqrt(85) + 1.5) / 4, 12);
    expect(meanNearestDistance(new Float64Array(0), ref, 2)).toBeNaN();
    expect(meanNearestDistance(q, new Float64Array(0), 2)).toBeNaN();
    expect(meanNearestDistance(ref.subarray(0, 2), ref.subarray(0, 2), 2, true)).toBeNaN();
    expect(meanNearestDistance(ref.subarray(0, 4), ref.subarray(0, 4), 2, true)).toBe(3);
    expect(meanNearestDistance(ref.subarray(0, 2), ref.subarray(0, 2), 2)).toBe(0);
  });
});
