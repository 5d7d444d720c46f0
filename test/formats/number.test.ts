import { describe, expect, it } from "vitest";
import { NUM_INVALID, NUM_MISSING, NUM_OK, parseNumberBytes, numStatus } from "../../src/formats/number.js";

const parse = (s: string) => {
  const b = Buffer.from(s);
  const v = parseNumberBytes(b, 0, b.length);
  return { v, status: numStatus };
};

describe("parseNumberBytes", () => {
  it("parses decimals exactly like Number()", () => {
    for (const s of [
      "0",
      "1",
      "-1",
      "0.4108373",
      "0.000123",
      "123.456",
      "-0.152105653",
      "1e3",
      "1.5E-4",
      "+2.5",
      "4001.656",
      ".5",
      "5.",
      "1234567890123.25",
    ]) {
      const r = parse(s);
      expect(r.status).toBe(NUM_OK);
      expect(r.v).toBe(Number(s));
    }
  });
  it("keeps float32 precision for long mantissas", () => {
    const s = "0.12345678901234567890";
    expect(Math.fround(parse(s).v)).toBe(Math.fround(Number(s)));
  });
  it("strips quotes and blanks", () => {
    expect(parse(' "3.25" ').v).toBe(3.25);
    expect(parse("2.5\r").v).toBe(2.5);
  });
  it("treats empty and NA words as missing", () => {
    for (const s of ["", "NA", "NaN", "nan", "null", "N/A", '""', "  "]) {
      const r = parse(s);
      expect(r.status, s).toBe(NUM_MISSING);
      expect(r.v).toBeNaN();
    }
  });
  it("rejects text that is not a number", () => {
    for (const s of ["abc", "1.2.3", "0.5x", "1e", "--1", "-", "."]) expect(parse(s).status, s).toBe(NUM_INVALID);
  });
});
