// transfer-fit on small hand-made blocks: row copies, pairing by id and by explicit pairs,
// the pair and SST-component refusals (HarmonizeError problems), SST/PDS corrections equal to
// the matrix functions called directly, and EPO over several sources with pairs dropped.
import { describe, expect, it } from "vitest";
import { HarmonizeError } from "../../../src/core/harmonize/harmonize-error.js";
import { blockRows, fitEpo, fitPairwise, pairRows, transferRows, type TransferOptions } from "../../../src/core/harmonize/transfer-fit.js";
import { matrixSstApply, matrixSstFit } from "../../../src/core/chemometrics/matrix-sst.js";
import { matrixPdsApply, matrixPdsFit } from "../../../src/core/chemometrics/matrix-pds.js";
import { matrixEpoFit } from "../../../src/core/chemometrics/matrix-epo.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";

const W = Float64Array.from([1000, 1010, 1020, 1030, 1040]);
function block(source: string, ids: string[], seed: number): SpectraBlock {
  let s = seed;
  const values = Float32Array.from({ length: ids.length * W.length }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  });
  return { source, instrument: source, unit: "absorbance", wavenumbers: W, ids, values };
}
const OPT: TransferOptions = { sstComponents: 2, pdsHalfWindow: 1, pdsRidge: 0.01, epoComponents: 2, minTransfer: 3 };

describe("blockRows / pairRows / transferRows", () => {
  it("copies rows in the order asked; pairs shared ids, or the given pairs whose ids both exist", () => {
    const ref = block("R", ["a", "b", "c", "d"], 1);
    const src = block("S", ["c", "x", "a", "d"], 2);
    const rows = blockRows(ref, [2, 0]);
    expect(Array.from(rows)).toEqual([...ref.values.subarray(10, 15), ...ref.values.subarray(0, 5)]);
    expect(blockRows(ref, []).length).toBe(0);
    expect(pairRows(ref, src, null)).toEqual([
      [0, 2, 3],
      [2, 0, 3],
    ]);
    expect(
      pairRows(ref, src, [
        ["b", "x"],
        ["z", "a"],
        ["d", "q"],
        ["a", "c"],
      ]),
    ).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(transferRows(ref, src, null, 3)).toEqual([
      [0, 2, 3],
      [2, 0, 3],
    ]);
    try {
      transferRows(ref, src, null, 4);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HarmonizeError);
      expect((e as HarmonizeError).problem).toEqual({ kind: "pairs", source: "S", reference: "R", found: 3, needed: 4 });
      expect((e as Error).message).toBe('pairs (source "S")');
    }
  });
});

describe("fitPairwise", () => {
  it("SST and PDS equal the matrix functions on the paired rows", () => {
    const ref = block("R", ["a", "b", "c", "d", "e"], 3);
    const src = block("S", ["e", "c", "a", "b", "d", "y"], 4);
    const pr = transferRows(ref, src, null, 3);
    const xm = blockRows(ref, pr[0]);
    const xs = blockRows(src, pr[1]);
    const x = src.values;
    const sst = fitPairwise("sst", ref, src, pr, OPT)(x);
    const sstRef = matrixSstApply(x, { rows: 6, cols: 5 }, matrixSstFit(xm, xs, { rows: 5, cols: 5, components: 2 }));
    expect(Array.from(sst)).toEqual(Array.from(sstRef));
    const pds = fitPairwise("pds", ref, src, pr, OPT)(x.subarray(0, 10));
    const pdsRef = matrixPdsApply(
      x.subarray(0, 10),
      { rows: 2, cols: 5 },
      matrixPdsFit(xm, xs, { rows: 5, cols: 5, halfWindow: 1, ridge: 0.01 }),
    );
    expect(Array.from(pds)).toEqual(Array.from(pdsRef));
  });
  it("refuses more SST components than pairs − 1", () => {
    const ref = block("R", ["a", "b", "c"], 3);
    const src = block("S", ["a", "b", "c"], 4);
    const pr = transferRows(ref, src, null, 3);
    expect(fitPairwise("sst", ref, src, pr, OPT)(src.values).length).toBe(15);
    try {
      fitPairwise("sst", ref, src, pr, { ...OPT, sstComponents: 3 });
      expect.unreachable();
    } catch (e) {
      expect((e as HarmonizeError).problem).toEqual({ kind: "sst-components", source: "S", pairs: 3, components: 3 });
    }
  });
});

describe("fitEpo", () => {
  it("stacks every other source's kept pairs; null without another source", () => {
    const ref = block("R", ["a", "b", "c", "d"], 5);
    const s1 = block("S1", ["a", "b", "c", "d"], 6);
    const s2 = block("S2", ["d", "c", "a"], 7);
    expect(fitEpo([ref], ref, null, OPT, () => false)).toBeNull();
    const drop = (b: SpectraBlock, i: number) => b.source === "S1" && i === 1;
    const v = fitEpo([ref, s1, s2], ref, null, OPT, drop)!;
    // S1 pairs a, c, d (b dropped); S2 pairs a, c, d (reference order)
    const xm = Float32Array.from([...blockRows(ref, [0, 2, 3]), ...blockRows(ref, [0, 2, 3])]);
    const xs = Float32Array.from([...blockRows(s1, [0, 2, 3]), ...blockRows(s2, [2, 1, 0])]);
    expect(Array.from(v)).toEqual(Array.from(matrixEpoFit(xm, xs, { rows: 6, cols: 5, components: 2 })));
    // components capped by the pair count
    const one = fitEpo([ref, s2], ref, null, { ...OPT, epoComponents: 9, minTransfer: 1 }, (_, i) => i > 0)!;
    expect(Array.from(one)).toEqual(Array.from(matrixEpoFit(blockRows(ref, [0]), blockRows(s2, [2]), { rows: 1, cols: 5, components: 1 })));
    expect(() => fitEpo([ref, s2], ref, null, { ...OPT, minTransfer: 4 }, () => false)).toThrow(HarmonizeError);
  });
});

describe("HarmonizeError", () => {
  it("words the problem: kind, source, and the message of a failed fit", () => {
    expect(new HarmonizeError({ kind: "coral-rows", source: "B", rows: 3, components: 5 }).message).toBe('coral-rows (source "B")');
    const e = new HarmonizeError({ kind: "fit", source: "C", message: "singular" });
    expect(e.message).toBe('fit (source "C"): singular');
    expect(e.problem).toEqual({ kind: "fit", source: "C", message: "singular" });
    expect(e).toBeInstanceOf(Error);
  });
});
