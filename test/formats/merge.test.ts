import { describe, expect, it } from "vitest";
import type { SpectraBlock } from "../../src/core/spectra/block.js";
import type { Table } from "../../src/core/table.js";
import { concatTables, MergeError, mergeLibraries, type LibraryPart } from "../../src/formats/merge.js";

function part(name: string, source: string, ids: string[], extra: Table = {}): LibraryPart {
  const block: SpectraBlock = {
    source,
    instrument: `${source}-ftir`,
    unit: "absorbance",
    wavenumbers: Float64Array.from([600, 602]),
    ids,
    values: new Float32Array(ids.length * 2),
  };
  return {
    name,
    samples: { sample_id: ids, source: ids.map(() => source), c_gkg: Float64Array.from(ids, (_, i) => i), ...extra },
    blocks: [block],
  };
}

describe("mergeLibraries", () => {
  it("concatenates samples and blocks, filling columns a part lacks", () => {
    const r = mergeLibraries(
      [part("a", "A", ["1", "2"], { om_method: ["loi", null] }), part("b", "B", ["3"], { lat: Float64Array.from([5]) })],
      "prefix",
    );
    expect(r.samples.sample_id).toEqual(["1", "2", "3"]);
    expect(r.samples.om_method).toEqual(["loi", null, null]);
    expect(Array.from(r.samples.lat as Float64Array)).toEqual([NaN, NaN, 5]);
    expect(r.blocks.map((b) => b.source)).toEqual(["A", "B"]);
    expect(r.report.duplicate_ids).toBe(0);
  });

  it("prefixes ids that clash across sources, in samples and spectra", () => {
    const r = mergeLibraries([part("a", "A", ["1", "2"]), part("b", "B", ["2", "3"])], "prefix");
    expect(r.samples.sample_id).toEqual(["1", "A:2", "B:2", "3"]);
    expect(r.blocks[0]!.ids).toEqual(["1", "A:2"]);
    expect(r.blocks[1]!.ids).toEqual(["B:2", "3"]);
    expect(r.report).toMatchObject({ duplicate_ids: 1, renamed_rows: 2, duplicate_examples: [{ id: "2", sources: ["A", "B"] }] });
  });

  it("refuses clashing ids under reject, naming them and the fix", () => {
    expect(() => mergeLibraries([part("a", "A", ["1", "2"]), part("b", "B", ["2"])], "reject")).toThrow(
      /1 sample ids occur more than once.*"2" \(A, B\).*duplicates: prefix/,
    );
  });

  it("refuses ids repeated within one source (a prefix cannot help)", () => {
    expect(() => mergeLibraries([part("a", "A", ["1"]), part("b", "A", ["1"])], "prefix")).toThrow(MergeError);
  });

  it("refuses a column that is numeric in one input and text in another", () => {
    expect(() =>
      concatTables([
        { name: "a", table: { x: Float64Array.from([1]) } },
        { name: "b", table: { x: ["1"] } },
      ]),
    ).toThrow(/column "x" is text in "b" but number in "a"/);
  });
});
