import { describe, expect, it } from "vitest";
import { parseSmallCsv } from "../../src/formats/small-csv.js";
import { formatErrorOf } from "./errors.js";

describe("parseSmallCsv", () => {
  it("reads header, rows and each row's file line (blank lines, CRLF, BOM, leading blanks)", () => {
    const r = parseSmallCsv("lab.csv", '\uFEFF\n  \nid,"c, %"\r\na,1\r\n\r\n"b ""x""",2\n \nc,\n');
    expect(r.header).toEqual(["id", "c, %"]);
    expect(r.rows).toEqual([
      ["a", "1"],
      ['b "x"', "2"],
      ["c", ""],
    ]);
    expect(r.lines).toEqual([4, 6, 8]);
  });

  it("reads another delimiter", () => {
    const r = parseSmallCsv("lab.csv", "id;c\na;1,5\n", ";");
    expect(r.header).toEqual(["id", "c"]);
    expect(r.rows).toEqual([["a", "1,5"]]);
    expect(r.lines).toEqual([2]);
  });

  it("names the problem and the line", () => {
    const msg = (text: string, delimiter?: string) => formatErrorOf(() => parseSmallCsv("lab.csv", text, delimiter)).message;
    expect(msg("id\rc\r")).toBe(
      "lab.csv (line 1): the file separates lines with CR only (old Mac line ends); save it with LF or CRLF line ends",
    );
    expect(msg("")).toBe("lab.csv: the file is empty (no header line); check the path and the export");
    expect(msg("\n \n\t\n")).toBe("lab.csv: the file is empty (no header line); check the path and the export");
    expect(msg('\n\n"id,c\n')).toBe("lab.csv (line 3): unterminated quote in the header; close the quote or remove it");
    expect(msg("\nid;c\na;1\n")).toBe(
      'lab.csv (line 2): the header is a single field but holds ";" separators: the file is ";"-delimited; save it comma-separated',
    );
    expect(msg("id\tc\na\t1\n")).toBe(
      "lab.csv (line 1): the header is a single field but holds tab separators: the file is tab-delimited; save it comma-separated",
    );
    expect(msg("id|c\n")).toMatch(/^lab\.csv \(line 1\): the header is a single field but holds "\|" separators/);
    expect(msg("id,c\na,1\n", ";")).toMatch(/^lab\.csv \(line 1\): the header is a single field but holds "," separators/);
    expect(msg('id,c\na,1\n\nb,"2\n')).toBe("lab.csv (line 4): unterminated quote; line breaks inside quotes are not supported");
    expect(msg("id,c\na,1\n\nb,2,3\n")).toBe("lab.csv (line 4): row has 3 fields but the header has 2; the file is ragged");
    expect(msg("id,c\na\n")).toBe("lab.csv (line 2): row has 1 fields but the header has 2; the file is ragged");
    expect(msg("\nid,c\n\n")).toBe("lab.csv (line 2): the file has a header but no data rows; check the export (or the path)");
  });

  it("only a leading BOM is dropped; a quoted one-field header may hold the delimiter", () => {
    const r = parseSmallCsv("lab.csv", '\uFEFF"a,b"\nx\uFEFFy\n');
    expect(r.header).toEqual(["a,b"]);
    expect(r.rows).toEqual([["x\uFEFFy"]]);
  });

  it("a BOM inside the text is kept; another delimiter inside a header name is fine", () => {
    expect(parseSmallCsv("lab.csv", "id\nx\uFEFFy\n").rows).toEqual([["x\uFEFFy"]]);
    const r = parseSmallCsv("lab.csv", "id,a;b\n1,2\n");
    expect(r.header).toEqual(["id", "a;b"]);
  });

  it("a CR inside any one line is refused, not only when every line has one", () => {
    expect(formatErrorOf(() => parseSmallCsv("lab.csv", "id,c\na,1\rb,2\n")).message).toMatch(
      /^lab\.csv \(line 1\): the file separates lines with CR only/,
    );
  });

  it("a one-column file is fine when no other separator shows", () => {
    const r = parseSmallCsv("ids.csv", "id\na\nb\n");
    expect(r.header).toEqual(["id"]);
    expect(r.rows).toEqual([["a"], ["b"]]);
    expect(r.lines).toEqual([2, 3]);
  });
});
