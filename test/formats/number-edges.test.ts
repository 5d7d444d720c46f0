/**
 * parseNumberBytes at its edges: a slice of a larger buffer (the CSV reader's use: bytes past
 * `end` must not be read), the 15-significant-digit mantissa (documented: later digits are
 * dropped), exponents at and past the exact-power table, overflow, and each byte class.
 */
import { describe, expect, it } from "vitest";
import { NUM_INVALID, NUM_MISSING, NUM_OK, numStatus, parseNumberBytes, parseNumberText } from "../../src/formats/number.js";

const parse = (s: string) => {
  const b = Buffer.from(s);
  const v = parseNumberBytes(b, 0, b.length);
  return { v, status: numStatus };
};
/** Parses bytes [start, end) of `s` only. */
const slice = (s: string, start: number, end: number) => {
  const v = parseNumberBytes(Buffer.from(s), start, end);
  return { v, status: numStatus };
};

describe("parseNumberBytes: slices of a row", () => {
  it("never reads past the slice", () => {
    expect(slice("5.5", 0, 1)).toEqual({ v: 5, status: NUM_OK });
    expect(slice("5e5", 0, 1)).toEqual({ v: 5, status: NUM_OK });
    expect(slice("12,7", 0, 2)).toEqual({ v: 12, status: NUM_OK });
    expect(slice("x;-3.25;y", 2, 7)).toEqual({ v: -3.25, status: NUM_OK });
    expect(slice("    ", 0, 2).status).toBe(NUM_MISSING);
    expect(slice('"7"', 0, 2).status).toBe(NUM_INVALID); // an opening quote only
  });
});

describe("parseNumberBytes: values", () => {
  it("blanks are space, tab and CR around the value; a lone quote is not stripped", () => {
    expect(parse("\t3.5 \r")).toEqual({ v: 3.5, status: NUM_OK });
    expect(parse("\t\t").status).toBe(NUM_MISSING);
    expect(parse('5"').status).toBe(NUM_INVALID);
    expect(parse('"5').status).toBe(NUM_INVALID);
    expect(parse("nulls").status).toBe(NUM_INVALID);
  });

  it("keeps the first 15 significant digits (leading zeros do not count)", () => {
    expect(parse("12345678901234567").v).toBe(12345678901234500);
    expect(parse("0.12345678901234567").v).toBe(0.123456789012345);
    expect(parse("1234567890.1234567").v).toBe(1234567890.12345);
    expect(parse("000000000000000001.5").v).toBe(1.5);
    expect(parse("0.0000000000000000012345").v).toBe(1.2345e-18);
  });

  it("exponents: sign, several digits, the 10^22 table edge, overflow", () => {
    expect(parse("1e+2").v).toBe(100);
    expect(parse("2e0").v).toBe(2);
    expect(parse("1e9").v).toBe(1e9);
    expect(parse("1e12").v).toBe(1e12);
    expect(parse("3e22").v).toBe(3e22);
    expect(parse("1e23").v).toBe(1e23);
    expect(parse("1e-22").v).toBe(1e-22);
    expect(parse("25e-24").v).toBe(25 / 10 ** 24);
    expect(parse("1e400")).toEqual({ v: NaN, status: NUM_INVALID });
    expect(parse("-1e400").status).toBe(NUM_INVALID);
    for (const s of ["1e2x", "1e2.5", "1e-", "1e+"]) expect(parse(s).status, s).toBe(NUM_INVALID);
  });
});

describe("parseNumberText", () => {
  it("null is missing; text parses like bytes", () => {
    expect(parseNumberText(null)).toEqual({ value: NaN, status: NUM_MISSING });
    expect(parseNumberText(" 4.25 ")).toEqual({ value: 4.25, status: NUM_OK });
    expect(parseNumberText("n/a")).toEqual({ value: NaN, status: NUM_MISSING });
  });
});
