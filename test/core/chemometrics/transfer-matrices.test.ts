// Exact checks of the calibration-transfer matrices (ridge regression, PDS, SST, EPO) on small
// hand-worked cases: closed-form ridge solutions, PDS windows and coefficients, SST mapping
// every slave spectrum of the transfer span onto its master, EPO projecting off the difference
// directions. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { matrixRidge, ridgePredict } from "../../../src/core/chemometrics/ridge-regression.js";
import { matrixPdsApply, matrixPdsFit } from "../../../src/core/chemometrics/matrix-pds.js";
import { matrixSstApply, matrixSstFit } from "../../../src/core/chemometrics/matrix-sst.js";
import { matrixEpoApply, matrixEpoFit } from "../../../src/core/chemometrics/matrix-epo.js";

describe("matrixRidge (closed forms)", () => {
  it("one column: b = Sxy / (Sxx + λ), intercept = ȳ − b·x̄", () => {
    const x = Float64Array.from([0, 1, 2, 3]);
    const y = [1, 3, 2, 6]; // Sxx = 5, Sxy = 7, x̄ = 1.5, ȳ = 3
    const r = matrixRidge(x, y, { rows: 4, cols: 1, lambda: 2 });
    expect(r.coefficients[0]).toBeCloseTo(1, 14);
    expect(r.intercept).toBeCloseTo(1.5, 14);
    const d = matrixRidge(x, y, { rows: 4, cols: 1 }); // default λ = 1e-8 · 5 / 1
    expect(d.coefficients[0]).toBeCloseTo(7 / (5 + 5e-8), 14);
    expect(d.coefficients[0]).not.toBe(7 / 5);
    expect(d.intercept).toBeCloseTo(3 - 1.5 * (7 / (5 + 5e-8)), 14);
    const z = matrixRidge(x, y, { rows: 4, cols: 1, lambda: 0 });
    expect(z.coefficients[0]).toBeCloseTo(1.4, 14);
    expect(z.intercept).toBeCloseTo(0.9, 14);
  });
  it("two columns: solves (XcᵀXc + λI) b = Xcᵀyc (Cramer's rule), and a subset", () => {
    const x = Float64Array.from([1, 0, 2, 1, 4, 1, 5, 3, 9, 9]); // 5 x 2
    const y = [1, 2, 0, 4, 7];
    const lambda = 1.5;
    const ref = (rows: number[]) => {
      const n = rows.length;
      const m0 = rows.reduce((s, i) => s + x[2 * i]!, 0) / n;
      const m1 = rows.reduce((s, i) => s + x[2 * i + 1]!, 0) / n;
      const my = rows.reduce((s, i) => s + y[i]!, 0) / n;
      let a00 = lambda;
      let a01 = 0;
      let a11 = lambda;
      let b0 = 0;
      let b1 = 0;
      for (const i of rows) {
        const u = x[2 * i]! - m0;
        const v = x[2 * i + 1]! - m1;
        const w = y[i]! - my;
        a00 += u * u;
        a01 += u * v;
        a11 += v * v;
        b0 += u * w;
        b1 += v * w;
      }
      const det = a00 * a11 - a01 * a01;
      const c0 = (b0 * a11 - a01 * b1) / det;
      const c1 = (a00 * b1 - a01 * b0) / det;
      return { c: [c0, c1], intercept: my - c0 * m0 - c1 * m1 };
    };
    const all = ref([0, 1, 2, 3, 4]);
    const r = matrixRidge(x, y, { rows: 5, cols: 2, lambda });
    expect(r.coefficients[0]).toBeCloseTo(all.c[0]!, 12);
    expect(r.coefficients[1]).toBeCloseTo(all.c[1]!, 12);
    expect(r.intercept).toBeCloseTo(all.intercept, 12);
    const sub = ref([4, 1, 3]);
    const s = matrixRidge(x, y, { rows: 5, cols: 2, lambda, subset: [4, 1, 3] });
    expect(s.coefficients[0]).toBeCloseTo(sub.c[0]!, 12);
    expect(s.coefficients[1]).toBeCloseTo(sub.c[1]!, 12);
    expect(s.intercept).toBeCloseTo(sub.intercept, 12);
    const pred = ridgePredict(Float64Array.from([1, 2, -3, 0.5]), { rows: 2, cols: 2 }, r);
    expect(pred[0]).toBeCloseTo(r.intercept + r.coefficients[0]! + 2 * r.coefficients[1]!, 12);
    expect(pred[1]).toBeCloseTo(r.intercept - 3 * r.coefficients[0]! + 0.5 * r.coefficients[1]!, 12);
  });
  it("messages", () => {
    const x = Float64Array.from([0, 1, 2]);
    expect(() => matrixRidge(x, [1, 2], { rows: 3, cols: 1 })).toThrow("matrixRidge: y has 2 values for 3 rows");
    expect(() => matrixRidge(x, [1, 2, 3], { rows: 3, cols: 1, subset: [2] })).toThrow("matrixRidge: need at least 2 rows, got 1");
    expect(matrixRidge(x, [1, 2, 4], { rows: 3, cols: 1, subset: [0, 2], lambda: 0 }).coefficients[0]).toBeCloseTo(1.5, 14);
    expect(() => matrixRidge(x, [1, 2, 3], { rows: 3, cols: 1, lambda: -1 })).toThrow("matrixRidge: lambda must be >= 0, got -1");
    expect(() => matrixRidge(x, [1, 2, 3], { rows: 3, cols: 1, lambda: Number.NaN })).toThrow(RangeError);
    expect(() => ridgePredict(x, { rows: 3, cols: 1 }, { intercept: 0, coefficients: new Float64Array(2) })).toThrow(
      "ridgePredict: model has 2 coefficients for 1 cols",
    );
  });
});

describe("PDS (exact)", () => {
  it("half window 0, no ridge: a gain and offset per column", () => {
    const slave = Float64Array.from([1, 2, 0, 3, 1, 5, 4, 7, 2, 6, 0, 1]); // 4 x 3
    const gain = [2, -1, 0.5];
    const off = [1, 3, -2];
    const master = slave.map((v, i) => gain[i % 3]! * v + off[i % 3]!);
    const m = matrixPdsFit(master, slave, { rows: 4, cols: 3, halfWindow: 0, ridge: 0 });
    expect(m.p).toBe(3);
    expect(m.halfWindow).toBe(0);
    expect(Array.from(m.start)).toEqual([0, 1, 2]);
    expect(Array.from(m.width)).toEqual([1, 1, 1]);
    m.coefficients.forEach((c, j) => expect(c).toBeCloseTo(gain[j]!, 9));
    m.offset.forEach((o, j) => expect(o).toBeCloseTo(off[j]!, 8));
    const out = matrixPdsApply(Float64Array.from([1, 1, 1, 2, 0, 4]), { rows: 2, cols: 3 }, m);
    [3, 2, -1.5, 5, 3, 0].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    expect(out).toBeInstanceOf(Float32Array);
  });
  it("half window 1: clipped windows at the ends, ridge relative to the window's variance", () => {
    const t = 5;
    const p = 4;
    const slave = Float64Array.from([1, 2, 0, 3, 4, 1, 5, 2, 2, 6, 1, 1, 0, 3, 3, 5, 7, 1, 2, 0]);
    const master = Float64Array.from({ length: t * p }, (_, i) => Math.sin(i) * 3 + (i % p));
    const ridge = 0.3;
    const m = matrixPdsFit(master, slave, { rows: t, cols: p, halfWindow: 1, ridge });
    expect(Array.from(m.start)).toEqual([0, 0, 1, 2]);
    expect(Array.from(m.width)).toEqual([2, 3, 3, 2]);
    expect(m.coefficients.length).toBe(p * 3);
    for (let j = 0; j < p; j++) {
      const s0 = m.start[j]!;
      const wd = m.width[j]!;
      const x = Float64Array.from({ length: t * wd }, (_, q) => slave[Math.floor(q / wd) * p + s0 + (q % wd)]!);
      const y = Array.from({ length: t }, (_, i) => master[i * p + j]!);
      let tr = 0;
      for (let l = 0; l < wd; l++) {
        const mu = Array.from({ length: t }, (_, i) => x[i * wd + l]!).reduce((s, v) => s + v, 0) / t;
        for (let i = 0; i < t; i++) tr += (x[i * wd + l]! - mu) ** 2;
      }
      const ref = matrixRidge(x, y, { rows: t, cols: wd, lambda: (ridge * tr) / wd + 1e-12 });
      for (let l = 0; l < wd; l++) expect(m.coefficients[j * 3 + l]).toBeCloseTo(ref.coefficients[l]!, 12);
      if (wd < 3) expect(m.coefficients[j * 3 + wd]).toBe(0);
      expect(m.offset[j]).toBeCloseTo(ref.intercept, 12);
    }
    const row = Float64Array.from([1, -2, 3, 0.5]);
    const out = matrixPdsApply(row, { rows: 1, cols: p }, m);
    for (let j = 0; j < p; j++) {
      let s = m.offset[j]!;
      for (let l = 0; l < m.width[j]!; l++) s += m.coefficients[j * 3 + l]! * row[m.start[j]! + l]!;
      expect(out[j]).toBeCloseTo(s, 5);
    }
    // default half window 5 needs 11 columns
    expect(() => matrixPdsFit(master, slave, { rows: t, cols: p })).toThrow(
      "matrixPdsFit: halfWindow must be an integer in [0, 1.5], got 5",
    );
  });
  it("limits and messages", () => {
    const v = Float64Array.from({ length: 3 * 5 }, (_, i) => (i * 7) % 5);
    const o = { rows: 3, cols: 5 };
    expect(matrixPdsFit(v, v, { ...o, halfWindow: 2 }).width[2]).toBe(5); // 2w + 1 = p allowed
    expect(() => matrixPdsFit(v, v, { ...o, halfWindow: 3 })).toThrow("in [0, 2], got 3");
    expect(() => matrixPdsFit(v, v, { ...o, halfWindow: -1 })).toThrow(RangeError);
    expect(() => matrixPdsFit(v, v, { ...o, halfWindow: 0.5 })).toThrow(RangeError);
    expect(() => matrixPdsFit(v, v, { ...o, halfWindow: 1, ridge: -0.1 })).toThrow("matrixPdsFit: ridge must be >= 0, got -0.1");
    expect(() => matrixPdsFit(v, v, { ...o, halfWindow: 1, ridge: Number.NaN })).toThrow(RangeError);
    const two = v.subarray(0, 10);
    expect(() => matrixPdsFit(two, two, { rows: 2, cols: 5, halfWindow: 1 })).toThrow(
      "matrixPdsFit: need at least 3 transfer pairs, got 2",
    );
    const m = matrixPdsFit(v, v, { ...o, halfWindow: 1 });
    expect(() => matrixPdsApply(new Float64Array(4), { rows: 1, cols: 4 }, m)).toThrow("matrixPdsApply: 4 cols, model has 5");
  });
});

/** Master rows a·u + b·v and slave rows a·u′ + b·v′ (rank 2 together). */
function sstPairs() {
  const u = [1, 2, 0, -1, 3];
  const v = [0, 1, 1, 2, -1];
  const us = [1.1, 1.7, 0.2, -0.6, 2.5];
  const vs = [0.3, 0.8, 1.4, 2.1, -0.5];
  const ab = [
    [1, 0.5],
    [-0.3, 2],
    [2, 1],
  ];
  const mk = (a: number, b: number, e: number[], f: number[]) => e.map((x, j) => a * x + b * f[j]!);
  return {
    master: Float64Array.from(ab.flatMap(([a, b]) => mk(a!, b!, u, v))),
    slave: Float64Array.from(ab.flatMap(([a, b]) => mk(a!, b!, us, vs))),
    map: (a: number, b: number) => ({ m: mk(a, b, u, v), s: mk(a, b, us, vs) }),
  };
}

describe("SST (exact)", () => {
  it("maps every slave spectrum of the transfer span onto its master spectrum", () => {
    const { master, slave, map } = sstPairs();
    const model = matrixSstFit(master, slave, { rows: 3, cols: 5 }); // default k = min(5, t − 1) = 2
    expect(model.k).toBe(2);
    expect(model.p).toBe(5);
    expect(model.a.length).toBe(10);
    expect(model.d.length).toBe(10);
    const out = matrixSstApply(slave, { rows: 3, cols: 5 }, model);
    out.forEach((x, i) => expect(x).toBeCloseTo(master[i]!, 4));
    const fresh = map(-1.5, 0.7);
    const o2 = matrixSstApply(Float64Array.from(fresh.s), { rows: 1, cols: 5 }, model);
    o2.forEach((x, j) => expect(x).toBeCloseTo(fresh.m[j]!, 4));
  });
  it("limits and messages", () => {
    const { master, slave } = sstPairs();
    const o = { rows: 3, cols: 5 };
    expect(() => matrixSstFit(master, slave, { ...o, components: 3 })).toThrow(
      "matrixSstFit: components must be an integer in [1, 2] for 3 pairs, got 3",
    );
    expect(() => matrixSstFit(master, slave, { ...o, components: 0 })).toThrow(RangeError);
    expect(() => matrixSstFit(master, slave, { ...o, components: 1.5 })).toThrow(RangeError);
    expect(matrixSstFit(master, slave, { ...o, components: 1 }).k).toBe(1);
    expect(() => matrixSstFit(master.subarray(0, 10), slave.subarray(0, 10), { rows: 2, cols: 5 })).toThrow(
      "matrixSstFit: need at least 3 transfer pairs, got 2",
    );
    // rank 1 exactly (two zero pairs: the Gram matrix's other eigenvalues are exactly 0)
    const m1 = Float64Array.from([1, 2, 3, 0, 0, 0, 0, 0, 0]);
    const s1 = Float64Array.from([2, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => matrixSstFit(m1, s1, { rows: 3, cols: 3, components: 2 })).toThrow(
      "matrixSstFit: the transfer set has rank < 2; lower components",
    );
    // rank 2 up to rounding: pairs 3 and 4 are 0.3·first + 0.7·second and 0.6·first − 0.2·second
    // in floating point, so the Gram matrix's third eigenvalue is rounding noise, not exactly 0
    const p = 40;
    const base = (r: number, j: number) => Math.sin(0.1 * (j + 1) * (r + 1)) + 1.7 + 0.01 * j;
    const mr = new Float64Array(4 * p);
    const sr = new Float64Array(4 * p);
    for (let j = 0; j < p; j++) {
      for (let r = 0; r < 2; r++) {
        mr[r * p + j] = base(r, j);
        sr[r * p + j] = 1.1 * base(r, j) + 0.05;
      }
      for (const [r, a, b] of [
        [2, 0.3, 0.7],
        [3, 0.6, -0.2],
      ] as const) {
        mr[r * p + j] = a * mr[j]! + b * mr[p + j]!;
        sr[r * p + j] = a * sr[j]! + b * sr[p + j]!;
      }
    }
    expect(matrixSstFit(mr, sr, { rows: 4, cols: p, components: 2 }).k).toBe(2);
    expect(() => matrixSstFit(mr, sr, { rows: 4, cols: p, components: 3 })).toThrow(
      "matrixSstFit: the transfer set has rank < 3; lower components",
    );
    const k1 = matrixSstFit(m1, s1, { rows: 3, cols: 3, components: 1 });
    const out = matrixSstApply(s1, { rows: 3, cols: 3 }, k1);
    out.forEach((x, i) => expect(x).toBeCloseTo(m1[i]!, 5));
    const model = matrixSstFit(master, slave, o);
    expect(() => matrixSstApply(new Float64Array(4), { rows: 1, cols: 4 }, model)).toThrow("matrixSstApply: 4 cols, model has 5");
  });
});

describe("EPO (exact)", () => {
  it("rank-1 differences: one direction, the second column left zero; apply projects it off", () => {
    const master = Float64Array.from([1, 2, 3, 0, 1, 1, 2, 2, 0]); // 3 x 3
    const w = [2 / 3, -1 / 3, 2 / 3]; // unit
    const c = [3, -1, 0.5];
    const slave = master.map((x, i) => x + c[Math.floor(i / 3)]! * w[i % 3]!);
    const v = matrixEpoFit(master, slave, { rows: 3, cols: 3 }); // default 2 components
    expect(v.length).toBe(6);
    const sign = Math.sign(v[0]!);
    for (let j = 0; j < 3; j++) {
      expect(sign * v[j * 2]!).toBeCloseTo(w[j]!, 12);
      expect(v[j * 2 + 1]).toBe(0);
    }
    const x = Float64Array.from([1, 1, 1, 3, 0, -1]);
    const out = matrixEpoApply(x, { rows: 2, cols: 3 }, v);
    for (let i = 0; i < 2; i++) {
      const d = w.reduce((s, wj, j) => s + wj * x[i * 3 + j]!, 0);
      for (let j = 0; j < 3; j++) expect(out[i * 3 + j]).toBeCloseTo(x[i * 3 + j]! - d * w[j]!, 6);
    }
  });
  it("the leading difference direction first; all m = t directions", () => {
    // D rows: 3·e0, e1, 0.5·e2 + (p = 4)
    const master = new Float64Array(12);
    const slave = Float64Array.from([3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5, 0]);
    const v1 = matrixEpoFit(master, slave, { rows: 3, cols: 4, components: 1 });
    expect(Array.from(v1, Math.abs)).toEqual([1, 0, 0, 0]);
    const v3 = matrixEpoFit(master, slave, { rows: 3, cols: 4, components: 3 });
    // columns ±e0, ±e1, ±e2 in that order
    const abs = Array.from(v3, Math.abs);
    expect(abs).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    const out = matrixEpoApply(Float64Array.from([5, 6, 7, 8]), { rows: 1, cols: 4 }, v3);
    expect(Array.from(out)).toEqual([0, 0, 0, 8]);
    expect(() => matrixEpoFit(master, slave, { rows: 3, cols: 4, components: 4 })).toThrow(
      "matrixEpoFit: components must be an integer in [1, 3], got 4",
    );
    expect(() => matrixEpoFit(master, slave, { rows: 3, cols: 4, components: 0 })).toThrow(RangeError);
    expect(() => matrixEpoFit(master, slave, { rows: 3, cols: 4, components: 1.5 })).toThrow(RangeError);
  });
});
