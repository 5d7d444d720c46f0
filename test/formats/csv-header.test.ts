import { describe, expect, it } from "vitest";
import { splitCsvLine, uniqueColumn } from "../../src/formats/csv-header.js";

describe("splitCsvLine", () => {
  it("splits on the delimiter and trims each field", () => {
    expect(splitCsvLine(" a , b,c ")).toEqual(["a", "b", "c"]);
    expect(splitCsvLine("a;b,c", ";")).toEqual(["a", "b,c"]);
    expect(splitCsvLine("a\tb", "\t")).toEqual(["a", "b"]);
    expect(splitCsvLine("")).toEqual([""]);
    expect(splitCsvLine("a,")).toEqual(["a", ""]);
    expect(splitCsvLine(",,")).toEqual(["", "", ""]);
  });

  it("keeps delimiters and doubled quotes inside quotes", () => {
    expect(splitCsvLine('"a,b",c')).toEqual(["a,b", "c"]);
    expect(splitCsvLine('"say ""hi""",x')).toEqual(['say "hi"', "x"]);
    expect(splitCsvLine('""')).toEqual([""]);
    expect(splitCsvLine('""""')).toEqual(['"']);
    expect(splitCsvLine('a"b,c"d,e')).toEqual(["ab,cd", "e"]);
    expect(splitCsvLine('" x ",y')).toEqual(["x", "y"]);
  });

  it("returns null for an unterminated quote", () => {
    expect(splitCsvLine('"a,b')).toBeNull();
    expect(splitCsvLine('a,"b""')).toBeNull();
    expect(splitCsvLine('a,"')).toBeNull();
  });
});

describe("uniqueColumn", () => {
  const never = (): never => {
    throw new Error("no duplicate expected");
  };
  it("gives the index, or -1 when absent", () => {
    expect(uniqueColumn(["a", "b", "c"], "c", never)).toBe(2);
    expect(uniqueColumn(["a", "b", "c"], "a", never)).toBe(0);
    expect(uniqueColumn(["a", "b", "c"], "d", never)).toBe(-1);
  });

  it("calls onDuplicate with the first two positions of a repeated name", () => {
    const seen: number[][] = [];
    const dup = (i: number, j: number): never => {
      seen.push([i, j]);
      throw new Error(`dup ${i} ${j}`);
    };
    expect(() => uniqueColumn(["x", "a", "y", "a", "a"], "a", dup)).toThrow("dup 1 3");
    expect(() => uniqueColumn(["a", "a"], "a", dup)).toThrow("dup 0 1");
    expect(seen).toEqual([
      [1, 3],
      [0, 1],
    ]);
  });
});
