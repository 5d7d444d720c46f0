// instrumentAlignApply / instrumentAlignFit on small exact cases: the derivative's central and
// one-sided differences at the ends and at a gap in the grid, the mean fit recovering gain,
// shift, offset and slope of a source built exactly from the reference, the ICP iterations and
// pair counts, and the messages. Fixtures are built inside each test.
import { describe, expect, it } from "vitest";
import { IDENTITY, instrumentAlignApply, instrumentAlignFit } from "../../../src/core/chemometrics/instrument-align.js";
import { matrixPca } from "../../../src/core/chemometrics/matrix-pca.js";

describe("instrumentAlignApply", () => {
  it("y = (x − o − b·s)/g, then y − δ·y′ with one-sided differences at the ends and at a gap", () => {
    const w = [1000, 1002, 1004, 1010, 1012]; // steps 2, 2, 6, 2: median 2, a gap over 3
    const x = [1, 2, 4, 3, 7];
    const m = { ...IDENTITY, gain: 2, offset: 0.5, slope: 0.1, shift: 3 };
    const y = x.map((v, j) => (v - 0.5 - (0.1 * (w[j]! - 2300)) / 1000) / 2);
    const dy = [(y[1]! - y[0]!) / 2, (y[2]! - y[0]!) / 4, (y[2]! - y[1]!) / 2, (y[4]! - y[3]!) / 2, (y[4]! - y[3]!) / 2];
    const out = instrumentAlignApply(Float64Array.from(x), { rows: 1, cols: 5 }, w, m);
    out.forEach((v, j) => expect(v).toBeCloseTo(y[j]! - 3 * dy[j]!, 5));
    // descending grid: the same differences (signs follow the grid)
    const wd = [...w].reverse();
    const xd = [...x].reverse();
    const outD = instrumentAlignApply(Float64Array.from(xd), { rows: 1, cols: 5 }, wd, m);
    outD.forEach((v, j) => expect(v).toBeCloseTo(out[4 - j]!, 5));
    // identity leaves spectra alone; a single point has no derivative
    const id = instrumentAlignApply(Float64Array.from([1, 2, 4, 3, 7, 0, 1, 0, 1, 0]), { rows: 2, cols: 5 }, w, IDENTITY);
    expect(Array.from(id)).toEqual([1, 2, 4, 3, 7, 0, 1, 0, 1, 0]);
    const one = instrumentAlignApply(Float64Array.from([3]), { rows: 1, cols: 1 }, [2300], { ...IDENTITY, shift: 5, gain: 2 });
    expect(Array.from(one)).toEqual([1.5]);
    expect(() => instrumentAlignApply(Float64Array.from(x), { rows: 1, cols: 5 }, [1, 2, 3], IDENTITY)).toThrow(
      "instrumentAlignApply: 5 cols, 3 wavenumbers",
    );
  });
});

/** 12 smooth reference spectra on p = 40 points, 1500–2280 cm-1 (20 cm-1 steps). */
function reference() {
  const p = 40;
  const w = Float64Array.from({ length: p }, (_, j) => 1500 + 20 * j);
  const ref = new Float64Array(12 * p);
  for (let i = 0; i < 12; i++) {
    const a = 0.2 + 0.07 * i;
    const b = 0.5 - 0.03 * ((i * 5) % 12);
    for (let j = 0; j < p; j++) {
      const v = w[j]!;
      ref[i * p + j] = 0.3 + a * Math.exp(-(((v - 1700) / 90) ** 2)) + b * Math.exp(-(((v - 2050) / 120) ** 2)) + 0.1 * Math.sin(v / 150);
    }
  }
  return { p, w, ref, shape: { rows: 12, cols: p } };
}

describe("instrumentAlignFit", () => {
  it("match mean: gain, offset and slope of an exactly distorted copy", () => {
    const { p, w, ref, shape } = reference();
    const src = ref.map((v, q) => 1.3 * v + 0.07 + (0.2 * (w[q % p]! - 2300)) / 1000);
    const pca = matrixPca(ref, { ...shape, components: 2 });
    const m = instrumentAlignFit(src, shape, w, ref, shape, pca, { match: "mean" });
    expect(m.gain).toBeCloseTo(1.3, 9);
    expect(m.offset).toBeCloseTo(0.07, 9);
    expect(m.slope).toBeCloseTo(0.2, 9);
    expect(m.shift).toBeCloseTo(0, 9);
    expect(m.pairs).toBe(0);
    expect(m.iterations).toBe(0);
  });
  it("match mean: a shift term g·r + h·r′ is read as δ = h/g", () => {
    const { p, w, ref, shape } = reference();
    // r′ of every row by central differences (one-sided at the ends), as the fit uses
    const d = new Float64Array(ref.length);
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < p; j++) {
        const l = Math.max(0, j - 1);
        const r = Math.min(p - 1, j + 1);
        d[i * p + j] = (ref[i * p + r]! - ref[i * p + l]!) / (w[r]! - w[l]!);
      }
    const src = ref.map((v, q) => 0.8 * v + 4 * d[q]! - 0.02);
    const pca = matrixPca(ref, { ...shape, components: 2 });
    const m = instrumentAlignFit(src, shape, w, ref, shape, pca, { match: "mean" });
    expect(m.gain).toBeCloseTo(0.8, 9);
    expect(m.shift).toBeCloseTo(5, 7);
    expect(m.offset).toBeCloseTo(-0.02, 9);
    expect(m.slope).toBeCloseTo(0, 9);
  });
  it("neighbours: ICP on rows of the reference recovers the model; pairs = ⌈trim·m⌉, iterations counted", () => {
    const { p, w, ref, shape } = reference();
    const rows = [1, 3, 4, 6, 8, 9, 10, 11, 0, 2];
    const src = Float64Array.from(rows.flatMap((i) => Array.from(ref.subarray(i * p, (i + 1) * p), (v) => 1.1 * v + 0.03)));
    const sShape = { rows: rows.length, cols: p };
    const pca = matrixPca(ref, { ...shape, components: 2 });
    const m = instrumentAlignFit(src, sShape, w, ref, shape, pca);
    // a subset of the soils: the mean fit is off, ICP pulls it back close
    expect(Math.abs(m.gain - 1.1)).toBeLessThan(0.01);
    expect(Math.abs(m.offset - 0.03)).toBeLessThan(0.01);
    expect(m.pairs).toBe(8); // ⌈0.8 · 10⌉ closest pairs
    expect(m.iterations).toBeGreaterThanOrEqual(1);
    expect(m.iterations).toBeLessThan(15);
    const all = instrumentAlignFit(src, sShape, w, ref, shape, pca, { trim: 1 });
    expect(all.pairs).toBe(10);
    const half = instrumentAlignFit(src, sShape, w, ref, shape, pca, { trim: 0.5 });
    expect(half.pairs).toBe(5);
    const once = instrumentAlignFit(src, sShape, w, ref, shape, pca, { iterations: 1 });
    expect(once.iterations).toBe(1);
    const none = instrumentAlignFit(src, sShape, w, ref, shape, pca, { iterations: 0 });
    expect(none.iterations).toBe(0);
    expect(none.pairs).toBe(1); // the mean pair
    expect(none.gain).toBe(instrumentAlignFit(src, sShape, w, ref, shape, pca, { match: "mean" }).gain);
    // maxRows 4: the matching uses 4 rows per side, so at most ⌈0.8 · 4⌉ pairs
    const capped = instrumentAlignFit(src, sShape, w, ref, shape, pca, { maxRows: 4 });
    expect(capped.pairs).toBe(4);
  });
  it("implausible gains and messages", () => {
    const { p, w, ref, shape } = reference();
    const pca = matrixPca(ref, { ...shape, components: 2 });
    const fit = (src: Float64Array, o = {}) => instrumentAlignFit(src, shape, w, ref, shape, pca, { match: "mean", ...o });
    expect(() => fit(ref.map((v) => 10 * v))).toThrow(
      "instrumentAlign: fitted gain 10.000 is implausible (spectra not comparable to the reference?)",
    );
    expect(() => fit(ref.map((v) => 0.1 * v))).toThrow(RangeError);
    expect(() => fit(ref.map((v) => 5.01 * v))).toThrow(RangeError);
    expect(() => fit(ref.map((v) => 0.199 * v))).toThrow(RangeError);
    expect(fit(ref.map((v) => 4.9 * v)).gain).toBeCloseTo(4.9, 9);
    expect(fit(ref.map((v) => 0.21 * v)).gain).toBeCloseTo(0.21, 9);
    expect(() => instrumentAlignFit(ref, shape, w.subarray(1), ref, shape, pca)).toThrow(
      "instrumentAlignFit: source, reference, PCA and wavenumbers differ in length",
    );
    expect(() => instrumentAlignFit(ref.subarray(0, 12 * (p - 1)), { rows: 12, cols: p - 1 }, w.subarray(1), ref, shape, pca)).toThrow(
      "differ in length",
    );
    const pcaShort = { ...pca, p: p - 1 };
    expect(() => instrumentAlignFit(ref, shape, w, ref, shape, pcaShort)).toThrow("differ in length");
    expect(() => instrumentAlignFit(new Float64Array(0), { rows: 0, cols: p }, w, ref, shape, pca)).toThrow(
      "instrumentAlignFit: no spectra",
    );
    expect(() => instrumentAlignFit(ref, shape, w, new Float64Array(0), { rows: 0, cols: p }, pca)).toThrow(
      "instrumentAlignFit: no spectra",
    );
    expect(() => instrumentAlignFit(ref, shape, w, ref, shape, pca, { maxRows: 0 })).toThrow(
      "instrumentAlignFit: maxRows must be ≥ 1, got 0",
    );
  });
});
