import { describe, expect, it } from "vitest";
import { FormatError } from "../../src/formats/errors.js";

describe("FormatError", () => {
  it("puts file, line and column before the problem, each only when given", () => {
    const none = new FormatError("a.csv", "bad");
    expect(none.message).toBe("a.csv: bad");
    expect([none.file, none.line, none.column, none.name]).toEqual(["a.csv", undefined, undefined, "FormatError"]);
    const line = new FormatError("a.csv", "bad", { line: 7 });
    expect(line.message).toBe("a.csv (line 7): bad");
    expect([line.line, line.column]).toEqual([7, undefined]);
    const column = new FormatError("a.csv", "bad", { column: '3 "wn_2"' });
    expect(column.message).toBe('a.csv (column 3 "wn_2"): bad');
    expect([column.line, column.column]).toEqual([undefined, '3 "wn_2"']);
    const both = new FormatError("a.csv", "bad", { line: 12, column: "lat" });
    expect(both.message).toBe("a.csv (line 12, column lat): bad");
    expect([both.line, both.column]).toEqual([12, "lat"]);
  });

  it("keeps a line 0 and an empty column name (given, so shown)", () => {
    expect(new FormatError("f", "p", { line: 0 }).message).toBe("f (line 0): p");
    expect(new FormatError("f", "p", { column: "" }).message).toBe("f (column ): p");
    expect(new FormatError("f", "p", {}).message).toBe("f: p");
  });

  it("is an Error whose name shows in its string form", () => {
    const e = new FormatError("x.0", "truncated");
    expect(e).toBeInstanceOf(Error);
    expect(String(e)).toBe("FormatError: x.0: truncated");
  });
});
