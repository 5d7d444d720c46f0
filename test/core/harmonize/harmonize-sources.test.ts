import { describe, expect, it } from "vitest";
import { harmonizeSources, type HarmonizeOptions } from "../../../src/core/harmonize/harmonize-sources.js";
import { HarmonizeError } from "../../../src/core/harmonize/harmonize-error.js";
import { fitEpo, pairRows, transferRows } from "../../../src/core/harmonize/transfer-fit.js";
import { matrixEpoApply } from "../../../src/core/chemometrics/matrix-epo.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { soils, spectraOf, uniformGrid, type Instrument } from "../spectra/soil-fixture.js";

/** harmonize.spectra's defaults. */
const OPTIONS: HarmonizeOptions = {
  method: "none",
  components: 10,
  transfer: { sstComponents: 5, pdsHalfWindow: 5, pdsRidge: 0.01, epoComponents: 2, minTransfer: 10 },
  coral: { meanShift: "full", shrinkage: 1e-3 },
  instrument: { match: "neighbours", trim: 0.8, iterations: 15, maxRows: 2000 },
  maxScores: 5000,
};

const grid = uniformGrid(600, 4000, 12);
const block = (source: string, ids: string[], values: Float32Array): SpectraBlock => ({
  source,
  instrument: source,
  unit: "absorbance",
  wavenumbers: grid,
  ids,
  values,
});

/** Reference A: 200 soils; B: 40 of them (same ids) and 80 others, through another instrument. */
function ring(inst: Instrument) {
  const a = soils(200, 1);
  const bOwn = soils(80, 2);
  const A = block(
    "A",
    a.map((_, i) => `s${i}`),
    spectraOf(a, grid, { noise: 0.002 }, 10),
  );
  const B = block(
    "B",
    [...a.slice(0, 40).map((_, i) => `s${i}`), ...bOwn.map((_, i) => `b${i}`)],
    spectraOf([...a.slice(0, 40), ...bOwn], grid, { noise: 0.002, ...inst }, 11),
  );
  return { A, B };
}

describe("pairRows / transferRows", () => {
  const ref = block("R", ["x", "y", "z"], new Float32Array(3 * grid.length));
  const b = block("B", ["z", "q", "x"], new Float32Array(3 * grid.length));
  it("pairs shared ids without a pair list, and only pairs whose ids both have spectra with one", () => {
    expect(pairRows(ref, b, null)).toEqual([
      [0, 2],
      [2, 0],
    ]);
    expect(
      pairRows(ref, b, [
        ["y", "q"],
        ["nope", "z"],
        ["z", "x"],
      ]),
    ).toEqual([
      [1, 2], // reference rows of y, z
      [1, 2], // B rows of q, x
    ]);
  });
  it("refuses fewer pairs than minTransfer, saying how many", () => {
    expect(() => transferRows(ref, b, null, 3)).toThrow(HarmonizeError);
    try {
      transferRows(ref, b, null, 3);
    } catch (e) {
      expect((e as HarmonizeError).problem).toEqual({ kind: "pairs", source: "B", reference: "R", found: 2, needed: 3 });
    }
  });
});

describe("harmonizeSources", () => {
  it("none: leaves the spectra alone; the pair distance is the mean Euclidean distance of same-soil spectra", () => {
    const p = grid.length;
    const ref = Float32Array.from({ length: 6 * p }, (_, k) => Math.sin(k / 7) + (k % p) / p);
    const shifted = ref.map((v) => v + 0.1);
    const A = block("A", ["1", "2", "3", "4", "5", "6"], ref);
    const B = block("B", ["6", "5", "4", "3", "2", "1"], shifted.slice()); // same soils, reversed order
    for (let i = 0; i < 6; i++) B.values.set(shifted.subarray((5 - i) * p, (6 - i) * p), i * p);
    const h = harmonizeSources({ blocks: [A, B], reference: A, pairs: null }, { ...OPTIONS, components: 2 });
    expect(h.blocks[1]!.values).toBe(B.values);
    expect(h.refModelAfter).toBe(h.refModel);
    const d = h.diagnostics;
    expect(d.source).toEqual(["A", "B"]);
    expect(Array.from(d.pairs)).toEqual([0, 6]);
    expect(d.pairBefore[0]).toBeNaN();
    expect(d.pairBefore[1]).toBeCloseTo(0.1 * Math.sqrt(p), 4); // every point 0.1 apart
    expect(d.pairAfter[1]).toBe(d.pairBefore[1]);
    expect(d.distanceAfter[1]).toBe(d.distanceBefore[1]);
    expect(d.gain[0]).toBeNaN(); // no instrument model for other methods
  });

  it("instrument: recovers gain and offset of a distorted instrument and removes most of the same-soil distance", () => {
    const { A, B } = ring({ gain: 0.9, offset: 0.06 });
    const h = harmonizeSources({ blocks: [A, B], reference: A, pairs: null }, { ...OPTIONS, method: "instrument" });
    const d = h.diagnostics;
    expect(h.blocks[0]!.values).toBe(A.values); // the reference is left alone
    expect([d.gain[0], d.shift[0], d.offset[0], d.slope[0]]).toEqual([1, 0, 0, 0]); // the reference: identity
    expect(d.gain[1]).toBeCloseTo(0.9, 1);
    expect(d.offset[1]).toBeCloseTo(0.06, 1);
    expect(d.pairAfter[1]! / d.pairBefore[1]!).toBeLessThan(0.2);
    expect(d.nnAfter[1]).toBeLessThan(d.nnBefore[1]!);
  });

  it("sst: the same-soil distance after is out of fold, so it falls but never to zero", () => {
    const { A, B } = ring({ shift: 4, gain: 0.9, offset: 0.06 });
    const h = harmonizeSources({ blocks: [A, B], reference: A, pairs: null }, { ...OPTIONS, method: "sst" });
    const d = h.diagnostics;
    expect(d.pairs[1]).toBe(40);
    expect(d.pairAfter[1]).toBeGreaterThan(0);
    expect(d.pairAfter[1]! / d.pairBefore[1]!).toBeLessThan(0.5);
  });

  it("epo: one projection fitted on every source's pairs, applied to every block (the reference too), and a new reference PCA", () => {
    const { A, B } = ring({ shift: 4, gain: 0.9, offset: 0.06 });
    const h = harmonizeSources({ blocks: [A, B], reference: A, pairs: null }, { ...OPTIONS, method: "epo" });
    const v = fitEpo([A, B], A, null, OPTIONS.transfer, () => false)!;
    const shape = (b: SpectraBlock) => ({ rows: b.ids.length, cols: grid.length });
    expect(Array.from(h.blocks[0]!.values)).toEqual(Array.from(matrixEpoApply(A.values, shape(A), v)));
    expect(Array.from(h.blocks[1]!.values)).toEqual(Array.from(matrixEpoApply(B.values, shape(B), v)));
    expect(h.refModelAfter).not.toBe(h.refModel);
    expect(h.diagnostics.pairAfter[1]! / h.diagnostics.pairBefore[1]!).toBeLessThan(1);
  });

  it("names the source a method cannot handle", () => {
    const { A, B } = ring({ gain: 0.9 });
    const few = { ...B, ids: B.ids.slice(0, 8), values: B.values.slice(0, 8 * grid.length) };
    expect(() => harmonizeSources({ blocks: [A, few], reference: A, pairs: null }, { ...OPTIONS, method: "coral" })).toThrow(
      expect.objectContaining({ problem: { kind: "coral-rows", source: "B", rows: 8, components: 10 } }),
    );
    expect(() => harmonizeSources({ blocks: [A, few], reference: A, pairs: null }, { ...OPTIONS, method: "pds" })).toThrow(
      expect.objectContaining({ problem: { kind: "pairs", source: "B", reference: "A", found: 8, needed: 10 } }),
    );
  });
});
