import { describe, expect, it } from "vitest";
import { parseWideCsv, WideCsvParser, type WideCsvPlan } from "../../src/formats/wide-csv.js";
import type { TextEncoding } from "../../src/formats/text.js";
import { formatErrorOf } from "./errors.js";

/** Text columns by name (in the order given), spectral columns: every header starting "wn_". */
const planOf =
  (...text: string[]) =>
  (h: string[]): WideCsvPlan => ({
    text: text.map((t) => h.indexOf(t)),
    spectral: h.map((n, i) => (n.startsWith("wn_") ? i : -1)).filter((i) => i >= 0),
  });
const parse = (text: string | Uint8Array, delimiter = ",", encoding: TextEncoding = "utf-8", ...textCols: string[]) =>
  parseWideCsv(
    "f.csv",
    typeof text === "string" ? Buffer.from(text) : text,
    planOf(...(textCols.length ? textCols : ["id"])),
    delimiter,
    encoding,
  );
const msg = (text: string | Uint8Array, delimiter = ",") => formatErrorOf(() => parse(text, delimiter)).message;

describe("WideCsvParser: the header line", () => {
  it("refuses a blank first line, Excel's sep= hint, CR-only line ends and an unterminated quote", () => {
    expect(msg("\nid,wn_1,wn_2\na,1,2\n")).toBe("f.csv (line 1): the first line is blank; expected the header (remove the blank line)");
    expect(msg(" \t \nid,wn_1,wn_2\na,1,2\n")).toMatch(/^f\.csv \(line 1\): the first line is blank/);
    expect(msg("sep=;\nid;wn_1;wn_2\na;1;2\n")).toBe(
      `f.csv (line 1): line 1 is Excel's "sep=;" hint, not the header; delete that line (and set the delimiter option to ";")`,
    );
    expect(msg(" sep=|\r\nid\n")).toMatch(
      /^f\.csv \(line 1\): line 1 is Excel's "sep=\|" hint, not the header; delete that line \(and set the delimiter option to "\|"\)$/,
    );
    expect(msg("id,wn_1,wn_2\ra,1,2\r")).toBe(
      "f.csv (line 1): the file separates lines with CR only (old Mac line ends); save it with LF or CRLF line ends",
    );
    expect(msg('"id,wn_1,wn_2\na,1,2\n')).toBe("f.csv (line 1): unterminated quote in the header; close the quote or remove it");
  });

  it("a sep=-like header that is not the hint is read", () => {
    const r = parse("sep=ab,wn_1,wn_2\nx,1,2\n", ",", "utf-8", "sep=ab");
    expect(r.text).toEqual([["x"]]);
  });

  it("names the delimiter a single-field header holds, with its count", () => {
    expect(msg("id;wn_1;wn_2\na;1;2\n")).toBe(
      'f.csv (line 1): the header is a single field but holds 2 ";": the file is ;-delimited; set the delimiter option to ";" (or re-export the file with ",")',
    );
    expect(msg("id\twn_1\twn_2\twn_3\n")).toBe(
      'f.csv (line 1): the header is a single field but holds 3 "\\t": the file is tab-delimited; set the delimiter option to "\\t" (or re-export the file with ",")',
    );
    expect(msg("id|wn_1\n")).toMatch(/holds 1 "\|": the file is \|-delimited; set the delimiter option to "\|"/);
    expect(msg("id,wn_1,wn_2\n", ";")).toBe(
      'f.csv (line 1): the header is a single field but holds 2 ",": the file is ,-delimited; set the delimiter option to "," (or re-export the file with ";")',
    );
  });

  it("reads a semicolon file when told, with the spectral columns in header order", () => {
    const r = parse("wn_3;id;wn_1;x;wn_2\n3;a;1;z;2\n6;b;4;y;5\n", ";");
    expect(r.header).toEqual(["wn_3", "id", "wn_1", "x", "wn_2"]);
    expect(r.text).toEqual([["a", "b"]]);
    expect(Array.from(r.spectra)).toEqual([3, 1, 2, 6, 4, 5]);
    expect(Array.from(r.lines)).toEqual([2, 3]);
  });
});

describe("WideCsvParser: cells", () => {
  it("text cells: quotes stripped, doubled quotes undone, trimmed, empty and NA are null, in the plan's order", () => {
    const text = 'id,lab,wn_1,wn_2\n"a ""1""", x ,1,2\n"",NA,3,4\n  ,"q,r",5,6\n"ab"c,"NA",7,8\n';
    const r = parse(text, ",", "utf-8", "lab", "id");
    expect(r.text).toEqual([
      ["x", null, "q,r", null],
      ['a "1"', null, null, '"ab"c'],
    ]);
    expect(Array.from(r.spectra)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("spectral cells: missing markers counted, the first one named", () => {
    const r = parse("id,wn_1,wn_2,wn_3\na,1,,3\nb,NA,n/a,6\nc,7,8,9\n");
    expect(Array.from(r.spectra).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual([1, "NaN", 3, "NaN", "NaN", 6, 7, 8, 9]);
    expect(r.missingCells).toBe(3);
    expect(r.firstMissing).toEqual({ line: 2, column: "wn_2" });
    const none = parse("id,wn_1,wn_2\na,1,2\n");
    expect(none.missingCells).toBe(0);
    expect(none.firstMissing).toBeNull();
  });

  it("a value outside float32 is an error naming line, column and value; the largest float32 reads", () => {
    const e = formatErrorOf(() => parse("id,wn_1,wn_2\na,1,2\nb,3,-1e39\n"));
    expect(e.line).toBe(3);
    expect(e.column).toBe('3 "wn_2"');
    expect(e.message).toBe(
      'f.csv (line 3, column 3 "wn_2"): spectral value -1.00000e+39 is outside the float32 range (±3.4e38); fix the cell',
    );
    const r = parse("id,wn_1,wn_2\na,3.4e38,-3.4e38\n");
    expect(Array.from(r.spectra)).toEqual([Math.fround(3.4e38), Math.fround(-3.4e38)]);
  });

  it("a non-number names its text (40 characters at most) and hints at decimal commas", () => {
    expect(msg('id,wn_1,wn_2\na,"0,52",2\n')).toBe(
      'f.csv (line 2, column 2 "wn_1"): spectral value ""0,52"" is not a number; decimal commas are not read: export the file with a decimal point; fix the cell or use NA for a missing value',
    );
    expect(msg("id,wn_1,wn_2\na,1,x0.5\n")).toBe(
      'f.csv (line 2, column 3 "wn_2"): spectral value "x0.5" is not a number; fix the cell or use NA for a missing value',
    );
    const long = "y".repeat(50);
    expect(msg(`id,wn_1,wn_2\na,1,${long}\n`)).toMatch(new RegExp(`spectral value "${"y".repeat(40)}" is not a number; fix`));
  });

  it("an unterminated quote names the field, even past the header's columns", () => {
    const e = formatErrorOf(() => parse('id,wn_1,wn_2\na,1,"2\n'));
    expect(e.message).toBe('f.csv (line 2, column 3 "wn_2"): unterminated quote in field 3; line breaks inside quotes are not supported');
    const past = formatErrorOf(() => parse('id,wn_1,wn_2\na,1,2\nb,1,2,"x\n'));
    expect(past.line).toBe(3);
    expect(past.column).toBe('4 "?"');
  });

  it("field counts: the row's line and both counts", () => {
    expect(msg("id,wn_1,wn_2\na,1,2\n\nb,1\n")).toBe(
      "f.csv (line 4): row has 2 fields but the header has 3; the row is cut short or the file is ragged",
    );
    expect(msg("id,wn_1,wn_2\na,1,2,\n")).toBe(
      "f.csv (line 2): row has more fields than the header's 3; check for an unquoted delimiter or a shifted row",
    );
    expect(msg('id,wn_1,wn_2\n"a,b",1\n')).toMatch(/^f\.csv \(line 2\): row has 2 fields but the header has 3/);
  });

  it("a blank line of spaces and tabs is skipped, a line with other characters is a row", () => {
    const r = parse("id,wn_1,wn_2\n \t \na,1,2\n\r\nb,3,4");
    expect(Array.from(r.lines)).toEqual([3, 5]);
    expect(r.rows).toBe(2);
    expect(msg("id,wn_1,wn_2\na,1,2\n ,\n")).toMatch(/^f\.csv \(line 3\): row has 2 fields/);
  });
});

describe("WideCsvParser: many rows and chunks", () => {
  it("rows past the 1024-row chunk keep their values and lines", () => {
    const n = 2100;
    const rows = Array.from({ length: n }, (_, i) => `s${i},${i},${-(i + 1) / 4}`);
    const r = parse(`id,wn_1,wn_2\n${rows.join("\n")}\n`);
    expect(r.rows).toBe(n);
    expect(r.spectra.length).toBe(2 * n);
    for (const i of [0, 1, 1023, 1024, 1025, 2047, 2048, 2099]) {
      expect([r.spectra[2 * i], r.spectra[2 * i + 1], r.lines[i], r.text[0]![i]]).toEqual([i, -(i + 1) / 4, i + 2, `s${i}`]);
    }
  });

  it("a BOM, CRLF and a final line without newline, pushed byte by byte or all at once", () => {
    const bytes = Buffer.concat([Uint8Array.from([0xef, 0xbb, 0xbf]), Buffer.from("id,wn_1,wn_2\r\na,1,2\r\n\r\nb,3,4")]);
    const whole = parseWideCsv("f.csv", bytes, planOf("id"));
    for (const size of [1, 2, 3, 4, 5, bytes.length]) {
      const p = new WideCsvParser("f.csv", planOf("id"));
      p.push(new Uint8Array(0));
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      const r = p.end();
      expect(r.header, `size ${size}`).toEqual(["id", "wn_1", "wn_2"]);
      expect(r.text).toEqual([["a", "b"]]);
      expect(Array.from(r.spectra)).toEqual([1, 2, 3, 4]);
      expect(Array.from(r.lines)).toEqual([2, 4]);
    }
    expect(whole.header).toEqual(["id", "wn_1", "wn_2"]);
  });

  it("chunks that end inside a line are joined before the line is read", () => {
    const p = new WideCsvParser("f.csv", planOf("id"));
    for (const c of ["id,wn", "_1,wn_2\na,", "1", "0,2", "0\nb,3,4\n"]) p.push(Buffer.from(c));
    const r = p.end();
    expect(Array.from(r.spectra)).toEqual([10, 20, 3, 4]);
    expect(r.text).toEqual([["a", "b"]]);
  });

  it("latin1 text cells when asked; strict UTF-8 names line and column otherwise", () => {
    const bytes = Buffer.concat([Buffer.from("id,wn_1,wn_2\nok,1,2\n"), Uint8Array.from([0x53, 0xe9]), Buffer.from(",3,4\n")]);
    expect(parse(bytes, ",", "latin1").text).toEqual([["ok", "Sé"]]);
    const e = formatErrorOf(() => parse(bytes));
    expect(e.line).toBe(3);
    expect(e.column).toBe('1 "id"');
    expect(e.message).toMatch(/not valid UTF-8 \(byte e9 at character 2 of the field\)/);
  });
});

describe("WideCsvParser: byte-order mark and buffers", () => {
  const BOM = [0xef, 0xbb, 0xbf];
  it("a BOM is dropped from the header however the chunks split it, in Latin-1 too", () => {
    const bytes = Buffer.concat([
      Uint8Array.from(BOM),
      Buffer.from("id,wn_1,wn_2\n"),
      Uint8Array.from([0x53, 0xe9]),
      Buffer.from(",1,2\n"),
    ]);
    for (const size of [1, 2, 4, bytes.length]) {
      const p = new WideCsvParser("f.csv", planOf("id"), ",", "latin1");
      p.push(new Uint8Array(0));
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      const r = p.end();
      expect(r.header, `size ${size}`).toEqual(["id", "wn_1", "wn_2"]);
      expect(r.text).toEqual([["Sé"]]);
    }
  });

  it("only a whole BOM is dropped; a first field whose third byte is 0xbf is kept", () => {
    const r = parse("a\u00bfd,wn_1,wn_2\nx,1,2\n", ",", "utf-8", "a\u00bfd");
    expect(r.header).toEqual(["a\u00bfd", "wn_1", "wn_2"]);
    expect(r.text).toEqual([["x"]]);
    const latin = parseWideCsv(
      "f.csv",
      Uint8Array.from([0xef, 0xbb, 0x41, ...Buffer.from(",wn_1,wn_2\nx,1,2\n")]),
      planOf("\u00ef\u00bbA"),
      ",",
      "latin1",
    );
    expect(latin.header[0]).toBe("\u00ef\u00bbA");
  });

  it("Latin-1 headers that share one or two bytes with a BOM keep them", () => {
    const head = (...first: number[]) =>
      parseWideCsv("f.csv", Uint8Array.from([...first, ...Buffer.from(",wn_1,wn_2\nx,1,2\n")]), planOf("id"), ",", "latin1").header[0];
    expect(head(0x61, 0xbb, 0xbf)).toBe("a»¿");
    expect(head(0xef, 0x61, 0xbf)).toBe("ïa¿");
    expect(head(0xef, 0xbb, 0xbf, 0x61)).toBe("a");
    expect(formatErrorOf(() => parseWideCsv("f.csv", Uint8Array.from(BOM), planOf("id"), ",", "latin1")).message).toMatch(
      /the first line is blank/,
    );
  });

  it("a file of only a BOM has a blank first line", () => {
    expect(msg(Uint8Array.from(BOM))).toBe("f.csv (line 1): the first line is blank; expected the header (remove the blank line)");
    expect(msg(Uint8Array.from([...BOM, 0x0a]))).toMatch(/^f\.csv \(line 1\): the first line is blank/);
  });

  it("a pushed chunk may be reused by the caller afterwards", () => {
    const p = new WideCsvParser("f.csv", planOf("id"));
    const buf = Buffer.from("id,wn_");
    p.push(buf);
    buf.fill(0x20);
    const tail = Buffer.from("1,wn_2\na,1,");
    p.push(tail);
    tail.fill(0x20);
    p.push(Buffer.from("2\n"));
    const r = p.end();
    expect(r.header).toEqual(["id", "wn_1", "wn_2"]);
    expect(Array.from(r.spectra)).toEqual([1, 2]);
  });
});

describe("WideCsvParser: delimiters inside fields", () => {
  it("a one-field header holding the delimiter inside quotes, or another delimiter inside a name, is a header", () => {
    const q = parse('"a;b"\nx\n', ";", "utf-8", "a;b");
    expect(q.header).toEqual(["a;b"]);
    expect(q.text).toEqual([["x"]]);
    const c = parse('"a,b"\nx\n', ",", "utf-8", "a,b");
    expect(c.text).toEqual([["x"]]);
    const other = parse("id,a;b,wn_1,wn_2\nx,y,1,2\n", ",", "utf-8", "a;b");
    expect(other.text).toEqual([["y"]]);
    const sep = parse("id,wn_1,wn_2,sep=x\na,1,2,z\n");
    expect(sep.header[3]).toBe("sep=x");
  });

  it("a quoted field ending in the delimiter before its closing quote", () => {
    const r = parse('id,lab,wn_1,wn_2\na,"x,",1,2\nb,"",3,4\n', ",", "utf-8", "lab");
    expect(r.text).toEqual([["x,", null]]);
    expect(Array.from(r.spectra)).toEqual([1, 2, 3, 4]);
  });

  it("quoted cells at the end of a line", () => {
    const r = parse('id,wn_1,wn_2,lab\na,1,"2.5","x y"\nb,3,4,"z"\r\n', ",", "utf-8", "lab");
    expect(r.text).toEqual([["x y", "z"]]);
    expect(Array.from(r.spectra)).toEqual([1, 2.5, 3, 4]);
    expect(Array.from(parse('id,wn_1,wn_2\na,1,"2"\n').spectra)).toEqual([1, 2]);
  });

  it("a text cell that only ends (or only starts) with a quote keeps it", () => {
    const r = parse('id,lab,wn_1,wn_2\nab",x,1,2\nc,q"r",3,4\n');
    expect(r.text).toEqual([['ab"', "c"]]);
    const lab = parse('id,lab,wn_1,wn_2\nab",x"y,1,2\n', ",", "utf-8", "lab");
    expect(lab.text).toEqual([['x"y']]);
  });

  it("decimal commas: the hint only for a whole number with one decimal comma", () => {
    const hint = (cell: string) => /decimal commas are not read/.test(msg(`id;wn_1;wn_2\na;1;${cell}\n`, ";"));
    expect(["12,25", " 1,5", "1,5 ", "-3,75", '"1,5"'].map(hint)).toEqual([true, true, true, true, true]);
    expect(["x1,5", "1,5x", "1,5,6", ",5", "1,"].map(hint)).toEqual([false, false, false, false, false]);
    expect(msg("id;wn_1;wn_2\na;1; 12,25 \n", ";")).toBe(
      'f.csv (line 2, column 3 "wn_2"): spectral value " 12,25 " is not a number; decimal commas are not read: export the file with a decimal point; fix the cell or use NA for a missing value',
    );
  });
});
