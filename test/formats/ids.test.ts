import { describe, expect, it } from "vitest";
import { checkIds } from "../../src/formats/ids.js";
import { formatErrorOf } from "./errors.js";

describe("checkIds", () => {
  it("accepts unique ids (case and spacing count)", () => {
    expect(() => checkIds("f.csv", ["a", "A", "a ", "b"], [2, 3, 4, 5], '"id"')).not.toThrow();
    expect(() => checkIds("f.csv", [], [], '"id"')).not.toThrow();
  });

  it("names the file line (not the row index) of an empty id", () => {
    const e = formatErrorOf(() => checkIds("f.csv", ["a", "b", null], [10, 20, 30], '"sid"'));
    expect(e.message).toBe('f.csv (line 30, column "sid"): sample id is empty; every row needs an id');
    expect(e.line).toBe(30);
    expect(e.column).toBe('"sid"');
    // a hole in the array reads as undefined: also empty
    const holes: (string | null)[] = ["a"];
    holes.length = 2;
    expect(formatErrorOf(() => checkIds("f.csv", holes, [4, 9], "id")).line).toBe(9);
  });

  it("names both lines of a repeated id, the second as the error's line", () => {
    const e = formatErrorOf(() => checkIds("f.csv", ["x", "y", "z", "y"], [2, 5, 7, 11], '"id"'));
    expect(e.line).toBe(11);
    expect(e.column).toBe('"id"');
    expect(e.message).toBe(
      'f.csv (line 11, column "id"): sample id "y" repeats the id on line 5; ids must be unique within a file (average replicates first, or fix the id)',
    );
  });

  it("reports the first repeat in file order", () => {
    const e = formatErrorOf(() => checkIds("f.csv", ["a", "b", "b", "a"], [1, 2, 3, 4], "id"));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/"b" repeats the id on line 2;/);
  });
});
