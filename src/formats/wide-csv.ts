/**
 * Streaming reader for wide CSV files (one row per sample, thousands of spectral columns).
 * Pure: bytes are pushed in, typed arrays come out. Spectral cells are parsed straight from
 * the bytes (see number.ts); the few metadata cells are decoded as strings.
 * Quoted fields are allowed, line breaks inside quotes are not (no spectral library uses them).
 */
import { FormatError } from "./errors.js";
import { splitCsvLine } from "./csv-header.js";
import { NUM_INVALID, NUM_MISSING, numStatus, parseNumberBytes } from "./number.js";
import { textDecoder, type TextEncoding } from "./text.js";

export interface WideCsvPlan {
  /** File column indices kept as text, in output order. */
  text: number[];
  /** File column indices holding the spectrum, in output order. */
  spectral: number[];
}

export interface WideCsvResult {
  header: string[];
  rows: number;
  /** One array per `plan.text` column. */
  text: (string | null)[][];
  /** rows x plan.spectral.length, NaN where a cell was missing. */
  spectra: Float32Array;
  /** 1-based file line of each row (for messages downstream). */
  lines: Int32Array;
  missingCells: number;
  firstMissing: { line: number; column: string } | null;
}

const NL = 10;
const QUOTE = 34;
const ROWS_PER_CHUNK = 1024;
const lossy = new TextDecoder("utf-8");

export class WideCsvParser {
  private header: string[] | null = null;
  private plan: WideCsvPlan | null = null;
  /** For each file column: -1 skip, >= 0 spectral slot, <= -2 text slot (-2 - k). */
  private role: Int32Array = new Int32Array(0);
  private carry: Uint8Array | null = null;
  private line = 0;
  private rows = 0;
  private text: (string | null)[][] = [];
  private chunks: Float32Array[] = [];
  private lines: number[] = [];
  private cur: Float32Array | null = null;
  private curRows = 0;
  private missingCells = 0;
  private firstMissing: { line: number; column: string } | null = null;
  private readonly delim: number;
  private readonly decode: ReturnType<typeof textDecoder>;

  constructor(
    private readonly file: string,
    private readonly makePlan: (header: string[]) => WideCsvPlan,
    delimiter = ",",
    encoding: TextEncoding = "utf-8",
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.decode = textDecoder(file, encoding);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const first = chunk.indexOf(NL);
    if (first < 0) {
      this.carry = concat(this.carry, chunk);
      return;
    }
    if (this.carry) {
      const joined = concat(this.carry, chunk.subarray(0, first));
      this.carry = null;
      this.handleLine(joined, 0, joined.length);
    } else this.handleLine(chunk, 0, first);
    let s = first + 1;
    for (;;) {
      const nl = chunk.indexOf(NL, s);
      if (nl < 0) break;
      this.handleLine(chunk, s, nl);
      s = nl + 1;
    }
    // A copy (a Buffer's slice() is a view): the caller may reuse its chunk.
    if (s < chunk.length) this.carry = new Uint8Array(chunk.subarray(s));
  }

  end(): WideCsvResult {
    if (this.carry && this.carry.length > 0) this.handleLine(this.carry, 0, this.carry.length);
    this.carry = null;
    if (!this.header) throw new FormatError(this.file, "the file is empty (no header line); check the path and the export");
    if (this.rows === 0)
      throw new FormatError(this.file, "the file has a header but no data rows; check the export (or the path)", { line: 1 });
    const cols = this.plan!.spectral.length;
    const spectra = new Float32Array(this.rows * cols);
    let off = 0;
    for (const c of this.chunks) {
      const take = Math.min(c.length, spectra.length - off);
      spectra.set(take === c.length ? c : c.subarray(0, take), off);
      off += take;
    }
    this.chunks = [];
    return {
      header: this.header,
      rows: this.rows,
      text: this.text,
      spectra,
      lines: Int32Array.from(this.lines),
      missingCells: this.missingCells,
      firstMissing: this.firstMissing,
    };
  }

  private handleLine(b: Uint8Array, s: number, e: number): void {
    this.line++;
    if (e > s && b[e - 1] === 13) e--;
    if (!this.header) {
      // A UTF-8 byte-order mark is not part of the first name, however the chunks split it
      // (the UTF-8 decoder would drop it, the Latin-1 one would not).
      if (e - s >= 3 && b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf) s += 3;
      const text = this.decode(b.subarray(s, e), 1);
      if (text.trim() === "")
        throw new FormatError(this.file, "the first line is blank; expected the header (remove the blank line)", { line: 1 });
      if (/^sep=.$/.test(text.trim())) {
        throw new FormatError(
          this.file,
          `line 1 is Excel's "${text.trim()}" hint, not the header; delete that line (and set the delimiter option to "${text.trim().slice(4)}")`,
          { line: 1 },
        );
      }
      if (text.includes("\r")) {
        throw new FormatError(this.file, "the file separates lines with CR only (old Mac line ends); save it with LF or CRLF line ends", {
          line: 1,
        });
      }
      const delim = String.fromCharCode(this.delim);
      const header = splitCsvLine(text, delim);
      if (!header) throw new FormatError(this.file, "unterminated quote in the header; close the quote or remove it", { line: 1 });
      for (const other of [";", "\t", ",", "|"]) {
        if (other !== delim && header.length === 1 && text.split(other).length > 1) {
          throw new FormatError(
            this.file,
            `the header is a single field but holds ${text.split(other).length - 1} "${other === "\t" ? "\\t" : other}": the file is ${other === "\t" ? "tab" : other}-delimited; set the delimiter option to "${other === "\t" ? "\\t" : other}" (or re-export the file with "${delim}")`,
            { line: 1 },
          );
        }
      }
      this.header = header;
      this.plan = this.makePlan(header);
      this.role = new Int32Array(header.length).fill(-1);
      this.plan.spectral.forEach((c, k) => (this.role[c] = k));
      this.plan.text.forEach((c, k) => (this.role[c] = -2 - k));
      this.text = this.plan.text.map(() => []);
      return;
    }
    if (isBlank(b, s, e)) return;
    this.parseRow(b, s, e);
  }

  private parseRow(b: Uint8Array, s: number, e: number): void {
    const header = this.header!;
    const nCols = header.length;
    const nSpec = this.plan!.spectral.length;
    if (!this.cur || this.curRows === ROWS_PER_CHUNK) {
      this.cur = new Float32Array(ROWS_PER_CHUNK * nSpec);
      this.chunks.push(this.cur);
      this.curRows = 0;
    }
    const rowOff = this.curRows * nSpec;
    const out = this.cur;
    const role = this.role;
    const delim = this.delim;
    let col = 0;
    let p = s;
    for (;;) {
      // Find the end of this field (quote-aware only when it opens with a quote).
      let fe = p;
      if (b[p] === QUOTE) {
        fe = p + 1;
        for (;;) {
          while (fe < e && b[fe] !== QUOTE) fe++;
          if (fe >= e) throw this.err(`unterminated quote in field ${col + 1}; line breaks inside quotes are not supported`, col);
          if (b[fe + 1] === QUOTE) fe += 2;
          else break;
        }
        fe++;
        while (fe < e && b[fe] !== delim) fe++;
      } else while (fe < e && b[fe] !== delim) fe++;
      if (col >= nCols) {
        throw this.err(`row has more fields than the header's ${nCols}; check for an unquoted delimiter or a shifted row`);
      }
      const r = role[col]!;
      if (r >= 0) {
        const v = parseNumberBytes(b, p, fe);
        if (numStatus === 0 && !Number.isFinite(Math.fround(v))) {
          throw this.err(`spectral value ${v.toPrecision(6)} is outside the float32 range (±3.4e38); fix the cell`, col);
        }
        if (numStatus !== 0) {
          if (numStatus === NUM_INVALID) {
            const cell = lossy.decode(b.subarray(p, fe)).slice(0, 40);
            const hint = /^\s*"?-?\d+,\d+"?\s*$/.test(cell) ? "; decimal commas are not read: export the file with a decimal point" : "";
            throw this.err(`spectral value "${cell}" is not a number${hint}; fix the cell or use NA for a missing value`, col);
          }
          if (numStatus === NUM_MISSING) {
            this.missingCells++;
            this.firstMissing ??= { line: this.line, column: header[col]! };
          }
        }
        out[rowOff + r] = v;
      } else if (r <= -2) {
        let ts = p;
        let te = fe;
        if (te - ts >= 2 && b[ts] === QUOTE && b[te - 1] === QUOTE) {
          ts++;
          te--;
        }
        const t = this.decode(b.subarray(ts, te), this.line, `${col + 1} "${header[col]}"`)
          .replaceAll('""', '"')
          .trim();
        this.text[-2 - r]!.push(t === "" || t === "NA" ? null : t);
      }
      col++;
      if (fe >= e) break;
      p = fe + 1;
    }
    if (col !== nCols) {
      throw this.err(`row has ${col} fields but the header has ${nCols}; the row is cut short or the file is ragged`);
    }
    this.lines.push(this.line);
    this.curRows++;
    this.rows++;
  }

  private err(problem: string, col?: number): FormatError {
    const column = col === undefined ? undefined : `${col + 1} "${this.header?.[col] ?? "?"}"`;
    return new FormatError(this.file, problem, column === undefined ? { line: this.line } : { line: this.line, column });
  }
}

function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}

function concat(a: Uint8Array | null, b: Uint8Array): Uint8Array {
  if (!a) return new Uint8Array(b); // a copy, also of a Buffer (whose slice() is a view)
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Parses a whole file already in memory. */
export function parseWideCsv(
  file: string,
  bytes: Uint8Array,
  makePlan: (header: string[]) => WideCsvPlan,
  delimiter = ",",
  encoding: TextEncoding = "utf-8",
): WideCsvResult {
  const p = new WideCsvParser(file, makePlan, delimiter, encoding);
  p.push(bytes);
  return p.end();
}
