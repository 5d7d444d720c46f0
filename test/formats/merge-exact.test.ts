import { describe, expect, it } from "vitest";
import type { SpectraBlock } from "../../src/core/spectra/block.js";
import type { Table } from "../../src/core/table.js";
import { concatTables, MergeError, mergeLibraries, type LibraryPart } from "../../src/formats/merge.js";

function block(source: string, ids: string[]): SpectraBlock {
  return {
    source,
    instrument: `${source}-ftir`,
    unit: "absorbance",
    wavenumbers: Float64Array.from([600, 602]),
    ids,
    values: Float32Array.from(ids.flatMap((_, i) => [i, -i])),
  };
}
function part(name: string, source: string | null, ids: string[], extra: Table = {}, truth?: Table): LibraryPart {
  return {
    name,
    samples: { sample_id: ids, source: ids.map(() => source), ...extra },
    blocks: [block(source ?? "?", ids)],
    ...(truth ? { truth } : {}),
  };
}
const mergeError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MergeError);
    expect((e as MergeError).name).toBe("MergeError");
    return (e as Error).message;
  }
  throw new Error("expected a MergeError");
};

describe("concatTables", () => {
  it("numbers at their offsets, NaN where a part lacks the column; text and flags null there", () => {
    const t = concatTables([
      { name: "a", table: { x: Float64Array.from([1, 2]), s: ["p", null], f: [true, false] } },
      { name: "b", table: { s: ["q", "r", "t"] } },
      { name: "c", table: { x: Float64Array.from([9]), f: [null] } },
    ]);
    expect(Object.keys(t)).toEqual(["x", "s", "f"]);
    expect(Array.from(t.x as Float64Array)).toEqual([1, 2, NaN, NaN, NaN, 9]);
    expect(t.x).toBeInstanceOf(Float64Array);
    expect(t.s).toEqual(["p", null, "q", "r", "t", null]);
    expect(t.f).toEqual([true, false, null, null, null, null]);
  });

  it("an all-null text column takes the kind of the others, before or after it", () => {
    const before = concatTables([
      { name: "a", table: { lat: [null, null] } },
      { name: "b", table: { lat: Float64Array.from([5]) } },
    ]);
    expect(before.lat).toBeInstanceOf(Float64Array);
    expect(Array.from(before.lat as Float64Array)).toEqual([NaN, NaN, 5]);
    const after = concatTables([
      { name: "a", table: { lat: Float64Array.from([5]) } },
      { name: "b", table: { lat: [null] } },
      { name: "c", table: { lat: Float64Array.from([6, 7]) } },
    ]);
    expect(Array.from(after.lat as Float64Array)).toEqual([5, NaN, 6, 7]);
    const last = concatTables([
      { name: "a", table: { lat: Float64Array.from([5]) } },
      { name: "b", table: { lat: [null] } },
    ]);
    expect(last.lat).toBeInstanceOf(Float64Array);
    expect(Array.from(last.lat as Float64Array)).toEqual([5, NaN]);
    const only = concatTables([
      { name: "a", table: { m: [null] } },
      { name: "b", table: { m: [null, null] } },
    ]);
    expect(only.m).toEqual([null, null, null]);
    // the all-null part does not become the "from" of the kind check
    expect(() =>
      concatTables([
        { name: "a", table: { m: [null] } },
        { name: "b", table: { m: ["x"] } },
        { name: "c", table: { m: Float64Array.from([1]) } },
      ]),
    ).toThrow('column "m" is number in "c" but text in "b"; make the inputs agree');
  });

  it("refuses a flag column against a text one, naming both inputs", () => {
    expect(() =>
      concatTables([
        { name: "a", table: { q: ["x", null] } },
        { name: "b", table: { q: [false] } },
      ]),
    ).toThrow('column "q" is flag in "b" but text in "a"; make the inputs agree');
    expect(() =>
      concatTables([
        { name: "a", table: { q: [null, true] } },
        { name: "b", table: { q: Float64Array.from([1]) } },
      ]),
    ).toThrow('column "q" is number in "b" but flag in "a"; make the inputs agree');
  });

  it("no tables: an empty table", () => {
    expect(concatTables([])).toEqual({});
  });
});

describe("mergeLibraries", () => {
  it("needs sample_id and source, and an id in every row", () => {
    expect(mergeError(() => mergeLibraries([{ name: "a", samples: { sample_id: ["1"] }, blocks: [] }], "prefix"))).toBe(
      "every input's samples need sample_id and source columns",
    );
    expect(mergeError(() => mergeLibraries([{ name: "a", samples: { source: ["A"] }, blocks: [] }], "prefix"))).toBe(
      "every input's samples need sample_id and source columns",
    );
    const holes = { name: "b", samples: { sample_id: ["3", null], source: ["B", "B"] }, blocks: [] };
    expect(mergeError(() => mergeLibraries([part("a", "A", ["1", "2"]), holes], "prefix"))).toBe(
      "row 4 of the merged samples has no sample_id",
    );
  });

  it("reports each part, renames only the clashing ids (source:id), keeps other blocks as they are", () => {
    const a = part("lib-a", "A", ["1", "2", "3"]);
    const b = part("lib-b", "B", ["3", "4"]);
    const c = part("lib-c", "C", ["5"]);
    const r = mergeLibraries([a, b, c], "prefix");
    expect(r.samples.sample_id).toEqual(["1", "2", "A:3", "B:3", "4", "5"]);
    expect(r.blocks.map((x) => x.ids)).toEqual([["1", "2", "A:3"], ["B:3", "4"], ["5"]]);
    expect(r.blocks[2]).toBe(c.blocks[0]);
    expect(r.blocks[0]).not.toBe(a.blocks[0]);
    expect(Array.from(r.blocks[1]!.values)).toEqual([0, -0, 1, -1]);
    expect(a.blocks[0]!.ids).toEqual(["1", "2", "3"]);
    expect(r.truth).toBeNull();
    expect(r.report).toEqual({
      parts: [
        { step: "lib-a", rows: 3, blocks: 1 },
        { step: "lib-b", rows: 2, blocks: 1 },
        { step: "lib-c", rows: 1, blocks: 1 },
      ],
      rows: 6,
      duplicate_ids: 1,
      renamed_rows: 2,
      duplicate_examples: [{ id: "3", sources: ["A", "B"] }],
    });
  });

  it("a row without a source is prefixed with ?", () => {
    const r = mergeLibraries([part("a", "A", ["1"]), part("b", null, ["1"])], "prefix");
    expect(r.samples.sample_id).toEqual(["A:1", "?:1"]);
    expect(r.report.duplicate_examples).toEqual([{ id: "1", sources: ["A", "?"] }]);
  });

  it("reject: the number of clashing ids and the first ten with their sources", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const msg = mergeError(() => mergeLibraries([part("a", "A", ids), part("b", "B", [...ids].reverse())], "reject"));
    const ten = ids
      .slice(0, 10)
      .map((id) => `"${id}" (A, B)`)
      .join("; ");
    expect(msg).toBe(
      `12 sample ids occur more than once across the inputs, e.g. ${ten}; set duplicates: prefix to rename them "<source>:<id>", or fix the ids`,
    );
    const r = mergeLibraries([part("a", "A", ids), part("b", "B", [...ids].reverse())], "prefix");
    expect(r.report.duplicate_ids).toBe(12);
    expect(r.report.renamed_rows).toBe(24);
    expect(r.report.duplicate_examples.map((e) => e.id)).toEqual(ids.slice(0, 10));
    // without clashes reject merges as prefix does
    expect(mergeLibraries([part("a", "A", ["1"]), part("b", "B", ["2"])], "reject").samples.sample_id).toEqual(["1", "2"]);
  });

  it("an id twice within one source cannot be prefixed: named with its sources", () => {
    expect(mergeError(() => mergeLibraries([part("a", "A", ["7", "8"]), part("b", "B", ["8"]), part("c", "A", ["8"])], "prefix"))).toBe(
      'sample id "8" occurs twice within source(s) A, B: a source prefix cannot make it unique; fix the input',
    );
    expect(mergeError(() => mergeLibraries([part("a", "A", ["7", "7"])], "prefix"))).toMatch(
      /^sample id "7" occurs twice within source\(s\) A:/,
    );
  });

  it("truth tables are concatenated and renamed by their own source column", () => {
    const ta: Table = { sample_id: ["1", "2"], source: ["A", "A"], c_gkg: Float64Array.from([10, 20]) };
    const tb: Table = { sample_id: ["2", null], c_gkg: Float64Array.from([30, 40]) };
    const r = mergeLibraries([part("a", "A", ["1", "2"], {}, ta), part("n", "N", ["9"]), part("b", "B", ["2"], {}, tb)], "prefix");
    expect(r.truth!.sample_id).toEqual(["1", "A:2", "?:2", null]);
    expect(Array.from(r.truth!.c_gkg as Float64Array)).toEqual([10, 20, 30, 40]);
    expect(r.samples.sample_id).toEqual(["1", "A:2", "9", "B:2"]);
    // no truth table with a source column: clashing ids get "?:"
    const noSrc = mergeLibraries(
      [part("a", "A", ["2"], {}, { sample_id: ["2"] }), part("b", "B", ["2"], {}, { sample_id: ["2"] })],
      "prefix",
    );
    expect(noSrc.truth!.sample_id).toEqual(["?:2", "?:2"]);
  });
});
