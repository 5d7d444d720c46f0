import { describe, expect, it } from "vitest";
import { FormatError } from "../../src/formats/errors.js";
import { parseWideCsv, WideCsvParser, type WideCsvPlan } from "../../src/formats/wide-csv.js";

const plan = (h: string[]): WideCsvPlan => ({
  text: [h.indexOf("id")],
  spectral: h.map((n, i) => (n.startsWith("wn_") ? i : -1)).filter((i) => i >= 0),
});
const enc = (s: string) => Buffer.from(s);
const CSV = 'id,x,wn_1,wn_2,wn_3\n"a",foo,1,2,3\nb,bar,4.5,5e-1,-6\r\n\nc,"q,uoted",7,NA,9\n';

function parse(text: string) {
  return parseWideCsv("f.csv", enc(text), plan);
}

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error("expected a FormatError");
}

describe("WideCsvParser", () => {
  it("reads text and spectral cells, quotes, CRLF and blank lines", () => {
    const r = parse(CSV);
    expect(r.rows).toBe(3);
    expect(r.text[0]).toEqual(["a", "b", "c"]);
    expect(Array.from(r.spectra)).toEqual([1, 2, 3, 4.5, 0.5, -6, 7, NaN, 9]);
    expect(Array.from(r.lines)).toEqual([2, 3, 5]);
    expect(r.missingCells).toBe(1);
    expect(r.firstMissing).toEqual({ line: 5, column: "wn_2" });
  });

  it("gives the same result whatever the chunk boundaries", () => {
    const whole = parse(CSV);
    const bytes = enc(CSV);
    for (const size of [1, 2, 3, 7, 16]) {
      const p = new WideCsvParser("f.csv", plan);
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      const r = p.end();
      expect(Array.from(r.spectra)).toEqual(Array.from(whole.spectra));
      expect(r.text).toEqual(whole.text);
      expect(Array.from(r.lines)).toEqual(Array.from(whole.lines));
    }
  });

  it("accepts a last line without newline and a UTF-8 BOM", () => {
    const r = parse("\uFEFFid,wn_1,wn_2\nz,1,2");
    expect(r.text[0]).toEqual(["z"]);
    expect(Array.from(r.spectra)).toEqual([1, 2]);
  });

  it("rejects an empty file and a header without rows", () => {
    expect(errorOf(() => parse("")).message).toMatch(/f\.csv: the file is empty/);
    expect(errorOf(() => parse("id,wn_1,wn_2\n")).message).toMatch(/header but no data rows/);
  });

  it("names line and count for ragged rows", () => {
    const short = errorOf(() => parse("id,wn_1,wn_2\na,1,2\nb,1\n"));
    expect(short.line).toBe(3);
    expect(short.message).toMatch(/2 fields but the header has 3/);
    const long = errorOf(() => parse("id,wn_1,wn_2\na,1,2,3\n"));
    expect(long.line).toBe(2);
    expect(long.message).toMatch(/more fields than the header/);
  });

  it("names line, column and value for a non-numeric spectral cell", () => {
    const e = errorOf(() => parse("id,wn_1,wn_2\na,1,2\nb,1,oops\n"));
    expect(e.line).toBe(3);
    expect(e.column).toBe('3 "wn_2"');
    expect(e.message).toMatch(/"oops" is not a number/);
  });

  it("rejects an unterminated quote", () => {
    expect(errorOf(() => parse('id,wn_1,wn_2\n"a,1,2\n')).message).toMatch(/unterminated quote/);
  });
});
