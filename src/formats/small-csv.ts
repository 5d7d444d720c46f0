/** Small CSV files (lab tables, site tables): whole text in, checked string rows out. */
import { splitCsvLine } from "./csv-header.js";
import { FormatError } from "./errors.js";

export interface SmallCsv {
  header: string[];
  rows: string[][];
  /** 1-based line of each row. */
  lines: number[];
}

export function parseSmallCsv(file: string, text: string, delimiter = ","): SmallCsv {
  const all = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (all.some((l) => l.includes("\r"))) {
    throw new FormatError(file, "the file separates lines with CR only (old Mac line ends); save it with LF or CRLF line ends", {
      line: 1,
    });
  }
  let i = 0;
  while (i < all.length && all[i]!.trim() === "") i++;
  if (i === all.length) throw new FormatError(file, "the file is empty (no header line); check the path and the export");
  const header = splitCsvLine(all[i]!, delimiter);
  if (!header) throw new FormatError(file, "unterminated quote in the header; close the quote or remove it", { line: i + 1 });
  for (const other of [";", "\t", ",", "|"]) {
    if (other !== delimiter && header.length === 1 && all[i]!.split(other).length > 1) {
      const name = other === "\t" ? "tab" : `"${other}"`;
      throw new FormatError(
        file,
        `the header is a single field but holds ${name} separators: the file is ${name}-delimited; save it comma-separated`,
        { line: i + 1 },
      );
    }
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let k = i + 1; k < all.length; k++) {
    if (all[k]!.trim() === "") continue;
    const f = splitCsvLine(all[k]!, delimiter);
    if (!f) throw new FormatError(file, "unterminated quote; line breaks inside quotes are not supported", { line: k + 1 });
    if (f.length !== header.length) {
      throw new FormatError(file, `row has ${f.length} fields but the header has ${header.length}; the file is ragged`, { line: k + 1 });
    }
    rows.push(f);
    lines.push(k + 1);
  }
  if (rows.length === 0)
    throw new FormatError(file, "the file has a header but no data rows; check the export (or the path)", { line: i + 1 });
  return { header, rows, lines };
}
