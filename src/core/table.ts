/**
 * The in-memory table every layer passes around: named, equally long columns.
 * Numbers are Float64Array with NaN for a missing value (written as SQL NULL, never 0);
 * text and flags are plain arrays with null for missing. Typed arrays keep the numeric
 * core allocation-free and make the DuckDB/Parquet boundary a straight copy.
 */
export type NumberColumn = Float64Array;
export type TextColumn = Array<string | null>;
export type FlagColumn = Array<boolean | null>;
export type Column = NumberColumn | TextColumn | FlagColumn;
export type Table = Record<string, Column>;

/**
 * Meaning of a table's columns, stored by a step as the JSON output `<table>_columns` and
 * merged by `somflow export` into the sidecar written beside the exported file.
 */
export interface TableDescription {
  columns: Record<string, { unit: string | null; description: string }>;
  about?: Record<string, unknown>;
}

export function tableRowCount(table: Table): number {
  let n: number | undefined;
  for (const [name, col] of Object.entries(table)) {
    if (n === undefined) n = col.length;
    else if (col.length !== n) {
      throw new RangeError(`column "${name}" has ${col.length} rows, expected ${n}`);
    }
  }
  return n ?? 0;
}

export function numberColumn(table: Table, name: string): NumberColumn {
  const col = table[name];
  if (!(col instanceof Float64Array)) {
    throw new TypeError(`column "${name}" is ${col === undefined ? "missing" : "not numeric"}`);
  }
  return col;
}

export function textColumn(table: Table, name: string): TextColumn {
  const col = table[name];
  if (!Array.isArray(col) || col.some((v) => v !== null && typeof v !== "string")) {
    throw new TypeError(`column "${name}" is ${col === undefined ? "missing" : "not text"}`);
  }
  return col as TextColumn;
}

/** Rows picked by index, in the given order, from every column. */
export function takeRows(table: Table, rows: ArrayLike<number>): Table {
  const out: Table = {};
  for (const [name, col] of Object.entries(table)) {
    if (col instanceof Float64Array) {
      const v = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) v[i] = col[rows[i]!]!;
      out[name] = v;
    } else {
      const v = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) v[i] = col[rows[i]!] ?? null;
      out[name] = v as Column;
    }
  }
  return out;
}

/** The rows of several tables with the same columns, one after another. */
export function concatTables(tables: readonly Table[]): Table {
  if (tables.length === 0) return {};
  const names = Object.keys(tables[0]!);
  const out: Table = {};
  for (const name of names) {
    const cols = tables.map((t, k) => {
      const c = t[name];
      if (c === undefined) throw new RangeError(`table ${k + 1} of ${tables.length} has no column "${name}"`);
      return c;
    });
    if (cols[0] instanceof Float64Array) {
      if (!cols.every((c) => c instanceof Float64Array)) throw new TypeError(`column "${name}" is numeric in one table and not in another`);
      const v = new Float64Array(cols.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of cols as Float64Array[]) {
        v.set(c, at);
        at += c.length;
      }
      out[name] = v;
    } else {
      out[name] = (cols as unknown[][]).flat() as Column;
    }
  }
  return out;
}
