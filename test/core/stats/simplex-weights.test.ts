import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { simplexWeights } from "../../../src/core/stats/simplex-weights.js";

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function sse(bases: Float64Array[], s: Float64Array, w: ArrayLike<number>, rows: ArrayLike<number>): number {
  let e = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    let p = 0;
    bases.forEach((b, j) => (p += w[j]! * b[r]!));
    e += (s[r]! - p) ** 2;
  }
  return e;
}

function noisy(n: number, seed: number) {
  const rng = createRng(seed);
  const s = Float64Array.from({ length: n }, () => 1 + 4 * rng.next());
  const a = Float64Array.from(s, (v) => v + rng.normal(0.3, 0.4));
  const b = Float64Array.from(s, (v) => v + rng.normal(-0.2, 0.6));
  const c = Float64Array.from(s, (v) => 0.5 * v + rng.normal(0, 0.2));
  return { s, a, b, c };
}

describe("simplexWeights", () => {
  it("gives the closed-form two-base optimum, computed here, when it lies inside [0, 1]", () => {
    const { s, a, b } = noisy(50, 1);
    // minimize Σ(s − b − w(a − b))²: w = Σ(s − b)(a − b) / Σ(a − b)²
    let num = 0;
    let den = 0;
    for (let r = 0; r < 50; r++) {
      num += (s[r]! - b[r]!) * (a[r]! - b[r]!);
      den += (a[r]! - b[r]!) ** 2;
    }
    const w = num / den;
    expect(w).toBeGreaterThan(0.05);
    expect(w).toBeLessThan(0.95);
    const got = simplexWeights([a, b], s, all(50));
    expect(got[0]).toBeCloseTo(w, 10);
    expect(got[1]).toBeCloseTo(1 - w, 10);
  });

  it("clamps to a vertex when the unconstrained optimum leaves the simplex", () => {
    const { s, a } = noisy(40, 2);
    // b is a worse copy of a shifted away from s: the line optimum is w > 1, the simplex gives w = 1
    const b = Float64Array.from(a, (v) => v + 3);
    const got = simplexWeights([a, b], s, all(40));
    expect(Array.from(got)).toEqual([1, 0]);
    // and in the other order
    expect(Array.from(simplexWeights([b, a], s, all(40)))).toEqual([0, 1]);
  });

  it("recovers exact convex weights of three bases", () => {
    const { a, b, c } = noisy(30, 3);
    const s = Float64Array.from(a, (v, r) => 0.2 * v + 0.5 * b[r]! + 0.3 * c[r]!);
    const got = simplexWeights([a, b, c], s, all(30));
    expect(got[0]).toBeCloseTo(0.2, 9);
    expect(got[1]).toBeCloseTo(0.5, 9);
    expect(got[2]).toBeCloseTo(0.3, 9);
  });

  it("matches a brute-force search of the simplex when the truth lies outside the bases' hull", () => {
    const { s, a, b, c } = noisy(60, 4);
    const t = Float64Array.from(s, (v, r) => 2 * a[r]! - b[r]! + 0.1 * v);
    const bases = [a, b, c];
    const got = simplexWeights(bases, t, all(60));
    expect(got.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    for (const v of got) expect(v).toBeGreaterThanOrEqual(0);
    let best = Infinity;
    const step = 0.005;
    for (let u = 0; u <= 1 + 1e-9; u += step)
      for (let v = 0; u + v <= 1 + 1e-9; v += step) best = Math.min(best, sse(bases, t, [u, v, 1 - u - v], all(60)));
    const mine = sse(bases, t, got, all(60));
    expect(mine).toBeLessThanOrEqual(best + 1e-9);
    // a grid this fine is within a small margin of the exact optimum
    expect(best - mine).toBeLessThan(0.05 * mine + 1e-6);
  });

  it("uses only the given rows", () => {
    const { s, a, b } = noisy(40, 5);
    const rows = Int32Array.from({ length: 20 }, (_, i) => 2 * i);
    const want = simplexWeights(
      [Float64Array.from(rows, (r) => a[r]!), Float64Array.from(rows, (r) => b[r]!)],
      Float64Array.from(rows, (r) => s[r]!),
      all(20),
    );
    // garbage in the rows left out changes nothing
    const a2 = Float64Array.from(a, (v, r) => (r % 2 ? 1e6 : v));
    const got = simplexWeights([a2, b], s, rows);
    expect(got[0]).toBeCloseTo(want[0]!, 12);
    expect(got[1]).toBeCloseTo(want[1]!, 12);
  });

  it("handles identical bases (a singular pair) and a single base", () => {
    const { s, a } = noisy(20, 6);
    const got = simplexWeights([a, Float64Array.from(a)], s, all(20));
    expect(got[0]! + got[1]!).toBeCloseTo(1, 12);
    expect(Array.from(got)).toEqual([1, 0]);
    expect(Array.from(simplexWeights([a], s, all(20)))).toEqual([1]);
  });

  it("solves a pair whose first base predicts zero everywhere (a zero pivot: row exchange needed)", () => {
    const { a } = noisy(25, 8);
    const zero = new Float64Array(25);
    const s = Float64Array.from(a, (v) => 0.7 * v);
    const got = simplexWeights([zero, a], s, all(25));
    expect(got[0]).toBeCloseTo(0.3, 10);
    expect(got[1]).toBeCloseTo(0.7, 10);
  });

  it("takes up to 8 bases", () => {
    const rng = createRng(10);
    const bases = Array.from({ length: 8 }, () => Float64Array.from({ length: 40 }, () => rng.next()));
    const w = [0.05, 0.1, 0.15, 0.2, 0.1, 0.15, 0.1, 0.15];
    const s = Float64Array.from({ length: 40 }, (_, r) => bases.reduce((acc, b, j) => acc + w[j]! * b[r]!, 0));
    const got = simplexWeights(bases, s, all(40));
    got.forEach((v, j) => expect(v).toBeCloseTo(w[j]!, 8));
  });

  it("refuses non-finite predictions or truth, naming the row, and empty inputs", () => {
    const { s, a, b } = noisy(10, 7);
    const bad = Float64Array.from(b);
    bad[4] = NaN;
    expect(() => simplexWeights([a, bad], s, all(10))).toThrow("base 1's prediction at row 4 is not finite");
    const badS = Float64Array.from(s);
    badS[7] = Infinity;
    expect(() => simplexWeights([a, b], badS, all(10))).toThrow("the truth at row 7 is not finite");
    expect(() => simplexWeights([], s, all(10))).toThrow("at least one base");
    expect(() => simplexWeights([a], s, new Int32Array(0))).toThrow("at least one row");
    expect(() =>
      simplexWeights(
        Array.from({ length: 9 }, () => a),
        s,
        all(10),
      ),
    ).toThrow("at most 8");
  });
});
