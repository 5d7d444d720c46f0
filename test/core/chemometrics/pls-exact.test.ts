// PLS1 (NIPALS path and the cross-product kernel) against the Krylov-space closed form: with
// s = Xcᵀyc, C = XcᵀXc and K_A = [s, Cs, …, C^{A−1}s], the A-component regression vector is
// b_A = K_A (K_Aᵀ C K_A)⁻¹ K_Aᵀ s (solved here with ml-matrix); plus the group cross-products
// against naive sums. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { lcg } from "../../helpers/lcg.js";
import { Matrix, solve } from "ml-matrix";
import { plsPath, plsPathCoefficients, plsPathPredict } from "../../../src/core/chemometrics/pls-nipals.js";
import { plsCoefficients, plsKernel1 } from "../../../src/core/chemometrics/pls-kernel.js";
import { centeredProducts, matrixGroupProducts, sumGroupProducts } from "../../../src/core/chemometrics/pls-cross-products.js";

function problem(n: number, p: number, seed: number) {
  const r = lcg(seed);
  const x = Float64Array.from({ length: n * p }, () => 4 * r() + 1);
  const y = Float64Array.from({ length: n }, (_, i) => 2 + x[i * p]! - 0.5 * x[i * p + 1]! + r());
  return { x, y };
}

/** Centred C, s, means, and the Krylov regression vectors b_1..b_A. */
function krylov(x: Float64Array, y: ArrayLike<number>, p: number, rows: number[], A: number) {
  const n = rows.length;
  const mx = Array.from({ length: p }, (_, j) => rows.reduce((t, i) => t + x[i * p + j]!, 0) / n);
  const my = rows.reduce((t, i) => t + y[i]!, 0) / n;
  const C = new Matrix(p, p);
  const s = new Matrix(p, 1);
  for (const i of rows)
    for (let j = 0; j < p; j++) {
      s.set(j, 0, s.get(j, 0) + (x[i * p + j]! - mx[j]!) * (y[i]! - my));
      for (let k = 0; k < p; k++) C.set(j, k, C.get(j, k) + (x[i * p + j]! - mx[j]!) * (x[i * p + k]! - mx[k]!));
    }
  const bs: number[][] = [];
  const cols: Matrix[] = [s];
  for (let a = 1; a <= A; a++) {
    if (a > 1) cols.push(C.mmul(cols[a - 2]!));
    const K = new Matrix(p, a);
    cols.forEach((c, q) => K.setColumn(q, c.getColumn(0)));
    const coef = solve(K.transpose().mmul(C).mmul(K), K.transpose().mmul(s));
    bs.push(K.mmul(coef).getColumn(0));
  }
  return { C, s, mx, my, bs };
}

describe("plsPath (NIPALS) and plsKernel1 against the Krylov closed form", () => {
  it("every prefix's regression vector, means and predictions", () => {
    const n = 9;
    const p = 4;
    const { x, y } = problem(n, p, 11);
    const all = Array.from({ length: n }, (_, i) => i);
    const ref = krylov(x, y, p, all, 4);
    const path = plsPath(x, p, y, 4);
    expect(path.components).toBe(4);
    expect(path.p).toBe(4);
    expect(path.yMean).toBeCloseTo(ref.my, 13);
    path.xMean.forEach((m, j) => expect(m).toBeCloseTo(ref.mx[j]!, 13));
    const xtx = Float64Array.from(ref.C.to1DArray());
    const xty = Float64Array.from(ref.s.getColumn(0));
    const ker = plsKernel1(xtx, xty, 4);
    expect(ker.components).toBe(4);
    expect(ker.p).toBe(4);
    for (let a = 1; a <= 4; a++) {
      const b = plsPathCoefficients(path, a);
      const bk = plsCoefficients(ker, a);
      ref.bs[a - 1]!.forEach((v, j) => {
        expect(b[j]).toBeCloseTo(v, 7);
        expect(bk[j]).toBeCloseTo(v, 7);
      });
    }
    expect(Array.from(plsPathCoefficients(path, 0))).toEqual([0, 0, 0, 0]);
    expect(Array.from(plsCoefficients(ker, 0))).toEqual([0, 0, 0, 0]);
    // predictions of two rows for 1..4 components: ȳ + (x − x̄)·b_a
    const pred = plsPathPredict(path, x, [3, 7]);
    expect(pred.length).toBe(8);
    [3, 7].forEach((i, k) => {
      for (let a = 0; a < 4; a++) {
        const v = ref.my + ref.bs[a]!.reduce((t, bj, j) => t + bj * (x[i * p + j]! - ref.mx[j]!), 0);
        expect(pred[k * 4 + a]).toBeCloseTo(v, 7);
      }
    });
    const predAll = plsPathPredict(path, x);
    expect(predAll.length).toBe(n * 4);
    expect(predAll[7 * 4 + 2]).toBeCloseTo(pred[1 * 4 + 2]!, 14);
    // X loadings: x̂ = x̄ + Σ t_a p_a reproduces a training row with all components (p ≤ n − 1)
    const i = 5;
    const xc = Array.from({ length: p }, (_, j) => x[i * p + j]! - ref.mx[j]!);
    const rec = new Float64Array(p);
    for (let a = 0; a < 4; a++) {
      const t = xc.reduce((acc, v, j) => acc + v * path.r[a * p + j]!, 0);
      for (let j = 0; j < p; j++) rec[j]! += t * path.loadings[a * p + j]!;
    }
    rec.forEach((v, j) => expect(v).toBeCloseTo(xc[j]!, 9));
  });
  it("a subset of rows equals the fit on those rows copied", () => {
    const { x, y } = problem(10, 3, 5);
    const rows = [0, 2, 3, 5, 6, 9];
    const sub = plsPath(x, 3, y, 2, rows);
    const xs = Float64Array.from(rows.flatMap((i) => Array.from(x.subarray(i * 3, i * 3 + 3))));
    const ys = rows.map((i) => y[i]!);
    const copy = plsPath(xs, 3, ys, 2);
    expect(sub.components).toBe(2);
    const ref = krylov(x, y, 3, rows, 2);
    for (let a = 1; a <= 2; a++) {
      const b = plsPathCoefficients(sub, a);
      plsPathCoefficients(copy, a).forEach((v, j) => expect(b[j]).toBeCloseTo(v, 12));
      ref.bs[a - 1]!.forEach((v, j) => expect(b[j]).toBeCloseTo(v, 7));
    }
  });
  it("component caps: n − 1 and p (path), p (kernel); stops when X or y is exhausted", () => {
    const { x, y } = problem(3, 4, 2);
    expect(plsPath(x, 4, y, 5).components).toBe(2); // n − 1
    const big = problem(12, 3, 8);
    expect(plsPath(big.x, 3, big.y, 10).components).toBe(3); // p
    expect(plsPath(big.x, 3, big.y, 2).components).toBe(2);
    const kr = krylov(
      big.x,
      big.y,
      3,
      Array.from({ length: 12 }, (_, i) => i),
      1,
    );
    const xtx = Float64Array.from(kr.C.to1DArray());
    const xty = Float64Array.from(kr.s.getColumn(0));
    expect(plsKernel1(xtx, xty, 10).components).toBe(3);
    expect(plsKernel1(xtx, xty, 1).components).toBe(1);
    expect(plsKernel1(xtx, xty, 3, 1).components).toBe(0); // tᵀt never exceeds trace(XᵀX)
    // rank-1 X: one component
    const u = [1, -2, 0.5];
    const x1 = Float64Array.from({ length: 8 * 3 }, (_, q) => (Math.floor(q / 3) - 3.5) * u[q % 3]! * (1 + (Math.floor(q / 3) % 3)));
    const y1 = Array.from({ length: 8 }, (_, i) => i * i);
    const r1 = plsPath(x1, 3, y1, 3);
    expect(r1.components).toBe(1);
    expect(r1.r.length).toBe(3);
    expect(r1.loadings.length).toBe(3);
    expect(r1.q.length).toBe(1);
    const k1 = krylov(
      x1,
      y1,
      3,
      Array.from({ length: 8 }, (_, i) => i),
      1,
    );
    expect(plsKernel1(Float64Array.from(k1.C.to1DArray()), Float64Array.from(k1.s.getColumn(0)), 3).components).toBe(1);
    // constant y: nothing to extract
    const c0 = plsPath(big.x, 3, new Array(12).fill(4), 3);
    expect(c0.components).toBe(0);
    expect(c0.yMean).toBe(4);
    expect(() => plsPathCoefficients(c0, 1)).toThrow("components 1 must be in 0..0");
    expect(Array.from(plsPathPredict(c0, big.x, [0]))).toEqual([]);
    expect(plsKernel1(xtx, new Float64Array(3), 2).components).toBe(0);
  });
  it("messages", () => {
    const { x, y } = problem(5, 2, 3);
    expect(() => plsPath(x, 3, y, 1)).toThrow("x has 10 values, not a multiple of p=3");
    expect(() => plsPath(x, 2, y, 1, [4])).toThrow("PLS needs at least 2 rows (got 1)");
    expect(plsPath(x, 2, y, 1, [4, 1]).components).toBe(1);
    expect(() => plsPath(x, 2, y, 0)).toThrow("maxComponents must be a positive integer (got 0)");
    expect(() => plsPath(x, 2, y, 1.5)).toThrow(RangeError);
    const m = plsPath(x, 2, y, 2);
    expect(() => plsPathCoefficients(m, 3)).toThrow("components 3 must be in 0..2");
    expect(() => plsPathCoefficients(m, -1)).toThrow(RangeError);
    expect(() => plsPathCoefficients(m, 0.5)).toThrow(RangeError);
    expect(() => plsKernel1(new Float64Array(3), new Float64Array(2), 1)).toThrow("xtx has 3 values, expected 2×2");
    expect(() => plsKernel1(new Float64Array(4), new Float64Array(2), 0)).toThrow("maxComponents must be a positive integer (got 0)");
    expect(() => plsKernel1(new Float64Array(4), new Float64Array(2), 1.5)).toThrow(RangeError);
    const k = plsKernel1(Float64Array.from([2, 0, 0, 1]), Float64Array.from([1, 1]), 2);
    expect(k.components).toBe(2);
    expect(() => plsCoefficients(k, 3)).toThrow("components 3 must be in 0..2");
    expect(() => plsCoefficients(k, -1)).toThrow(RangeError);
    expect(() => plsCoefficients(k, 1.5)).toThrow(RangeError);
    // diagonal XᵀX: b_2 = C⁻¹s = (0.5, 1)
    const b = plsCoefficients(k, 2);
    expect(b[0]).toBeCloseTo(0.5, 14);
    expect(b[1]).toBeCloseTo(1, 14);
    // b_1 = s·(sᵀs)/(sᵀCs) = (1, 1)·2/3
    const b1 = plsCoefficients(k, 1);
    expect(b1[0]).toBeCloseTo(2 / 3, 14);
    expect(b1[1]).toBeCloseTo(2 / 3, 14);
  });
});

describe("group cross-products", () => {
  it("per group: naive Σ of shifted products; rows with a negative group ignored; an empty group", () => {
    const n = 9;
    const p = 6; // 4-column blocks plus a remainder
    const r = lcg(21);
    const x = Float64Array.from({ length: n * p }, () => r() * 3);
    const y = Float64Array.from({ length: n }, () => r() * 5);
    const group = Int32Array.from([0, 1, 0, -1, 1, 1, 0, 2, 1]);
    const shiftX = Float64Array.from({ length: p }, (_, j) => 0.1 * j);
    const shiftY = 0.7;
    const parts = matrixGroupProducts(x, p, y, group, 4, shiftX, shiftY);
    expect(parts.length).toBe(4);
    for (let g = 0; g < 4; g++) {
      const rows = Array.from({ length: n }, (_, i) => i).filter((i) => group[i] === g);
      const part = parts[g]!;
      expect(part.n).toBe(rows.length);
      const xs = (i: number, j: number) => x[i * p + j]! - shiftX[j]!;
      expect(part.ys).toBeCloseTo(
        rows.reduce((t, i) => t + y[i]! - shiftY, 0),
        13,
      );
      expect(part.yy).toBeCloseTo(
        rows.reduce((t, i) => t + (y[i]! - shiftY) ** 2, 0),
        13,
      );
      for (let j = 0; j < p; j++) {
        expect(part.xs[j]).toBeCloseTo(
          rows.reduce((t, i) => t + xs(i, j), 0),
          13,
        );
        expect(part.xty[j]).toBeCloseTo(
          rows.reduce((t, i) => t + xs(i, j) * (y[i]! - shiftY), 0),
          13,
        );
        for (let k = 0; k < p; k++)
          expect(part.xtx[j * p + k]).toBeCloseTo(
            rows.reduce((t, i) => t + xs(i, j) * xs(i, k), 0),
            13,
          );
      }
    }
    expect(parts[3]!.n).toBe(0);
    expect(Array.from(parts[3]!.xtx).every((v) => v === 0)).toBe(true);
    // sum of all groups but 1, then centred: the centred products of those rows
    const sum = sumGroupProducts(parts, 1);
    expect(sum.n).toBe(4);
    const c = centeredProducts(sum, shiftX, shiftY);
    const rows = [0, 2, 6, 7];
    const mx = Array.from({ length: p }, (_, j) => rows.reduce((t, i) => t + x[i * p + j]!, 0) / 4);
    const my = rows.reduce((t, i) => t + y[i]!, 0) / 4;
    expect(c.n).toBe(4);
    expect(c.yMean).toBeCloseTo(my, 13);
    for (let j = 0; j < p; j++) {
      expect(c.xMean[j]).toBeCloseTo(mx[j]!, 13);
      expect(c.xty[j]).toBeCloseTo(
        rows.reduce((t, i) => t + (x[i * p + j]! - mx[j]!) * (y[i]! - my), 0),
        12,
      );
      for (let k = 0; k < p; k++)
        expect(c.xtx[j * p + k]).toBeCloseTo(
          rows.reduce((t, i) => t + (x[i * p + j]! - mx[j]!) * (x[i * p + k]! - mx[k]!), 0),
          12,
        );
    }
    const whole = sumGroupProducts(parts);
    expect(whole.n).toBe(8);
    expect(whole.yy).toBeCloseTo(parts[0]!.yy + parts[1]!.yy + parts[2]!.yy, 13);
    expect(whole.ys).toBeCloseTo(parts[0]!.ys + parts[1]!.ys + parts[2]!.ys, 13);
    expect(whole.xtx[7]).toBeCloseTo(parts[0]!.xtx[7]! + parts[1]!.xtx[7]! + parts[2]!.xtx[7]!, 13);
    expect(whole.xs[5]).toBeCloseTo(parts[0]!.xs[5]! + parts[1]!.xs[5]! + parts[2]!.xs[5]!, 13);
    expect(whole.xty[5]).toBeCloseTo(parts[0]!.xty[5]! + parts[1]!.xty[5]! + parts[2]!.xty[5]!, 13);
    const none = sumGroupProducts([]);
    expect(none.n).toBe(0);
    expect(none.xs.length).toBe(0);
  });
  it("messages", () => {
    const y = new Float64Array(2);
    expect(() => matrixGroupProducts(new Float64Array(5), 3, y, new Int32Array(2), 1, new Float64Array(3), 0)).toThrow(
      "x has 5 values, expected 2×3",
    );
    expect(() => matrixGroupProducts(new Float64Array(6), 3, y, new Int32Array(1), 1, new Float64Array(3), 0)).toThrow(
      "group has 1 entries, expected 2",
    );
    expect(() => matrixGroupProducts(new Float64Array(6), 3, y, new Int32Array(2), 1, new Float64Array(2), 0)).toThrow(
      "shiftX has 2 entries, expected 3",
    );
    const parts = matrixGroupProducts(new Float64Array(6), 3, y, Int32Array.from([1, 1]), 2, new Float64Array(3), 0);
    expect(() => centeredProducts(parts[0]!, new Float64Array(3), 0)).toThrow("no rows to center");
    expect(centeredProducts(parts[1]!, new Float64Array(3), 0).n).toBe(2);
  });
});
