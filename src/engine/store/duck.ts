/**
 * The one place that talks to DuckDB: a lazily opened in-memory instance per process,
 * SQL quoting, and the Table <-> Parquet boundary. Always close what you open.
 */
import { DuckDBInstance, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import type { Column, Table } from "../../core/table.js";
import { tableRowCount } from "../../core/table.js";

let instance: Promise<DuckDBInstance> | null = null;

async function getInstance(): Promise<DuckDBInstance> {
  // One thread keeps Parquet output byte-identical between runs (content addressing).
  instance ??= DuckDBInstance.create(":memory:", { threads: "1" });
  return instance;
}

export async function withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const conn = await (await getInstance()).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

type Kind = "DOUBLE" | "VARCHAR" | "BOOLEAN";

function columnKind(name: string, col: Column): Kind {
  if (col instanceof Float64Array) return "DOUBLE";
  for (const v of col) {
    if (v === null) continue;
    if (typeof v === "string") return "VARCHAR";
    if (typeof v === "boolean") return "BOOLEAN";
    throw new TypeError(`column "${name}" holds a ${typeof v}; expected string, boolean or null`);
  }
  return "VARCHAR"; // all null: text is the safest empty type
}

function appendCell(app: DuckDBAppender, kind: Kind, v: unknown): void {
  if (kind === "DOUBLE") {
    const x = v as number;
    if (Number.isNaN(x)) app.appendNull();
    else app.appendDouble(x);
  } else if (v === null || v === undefined) app.appendNull();
  else if (kind === "VARCHAR") app.appendVarchar(v as string);
  else app.appendBoolean(v as boolean);
}

let tempCounter = 0;

/** Writes `table` to a Parquet file (NaN -> NULL). Column order is kept. */
export async function writeParquet(table: Table, path: string): Promise<void> {
  const n = tableRowCount(table);
  const names = Object.keys(table);
  if (names.length === 0) throw new RangeError(`cannot write a table with no columns to ${path}`);
  const kinds = names.map((name) => columnKind(name, table[name]!));
  const cols = names.map((name) => table[name]!);
  const tmp = `somflow_w${process.pid}_${tempCounter++}`;
  await withConnection(async (conn) => {
    const ddl = names.map((name, j) => `${quoteIdent(name)} ${kinds[j]}`).join(", ");
    await conn.run(`CREATE TABLE ${tmp} (${ddl})`);
    try {
      const app = await conn.createAppender(tmp);
      try {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < cols.length; j++) appendCell(app, kinds[j]!, cols[j]![i]);
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
      await conn.run(`COPY ${tmp} TO ${quoteString(path)} (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${tmp}`);
    }
  });
}

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

/** Runs a query and returns its result as a Table (numbers -> Float64Array with NaN for NULL). */
export async function queryTable(sql: string): Promise<Table> {
  return withConnection(async (conn) => {
    const reader = await conn.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const cols = reader.getColumnsJS();
    const out: Table = {};
    names.forEach((name, j) => {
      const values = cols[j]!;
      const typeId = types[j]!.typeId;
      out[name] = NUMERIC_TYPES.has(typeId)
        ? Float64Array.from(values, (v) => (v === null ? NaN : Number(v)))
        : typeId === DuckDBTypeId.BOOLEAN
          ? (values as (boolean | null)[])
          : values.map((v) => (v === null ? null : String(v)));
    });
    return out;
  });
}

/** Rows as JSON-safe objects (small results: CLI listings, report aggregates). */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  return withConnection(async (conn) => {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  });
}

export async function readParquet(path: string, columns?: readonly string[]): Promise<Table> {
  const select = columns ? columns.map(quoteIdent).join(", ") : "*";
  return queryTable(`SELECT ${select} FROM read_parquet(${quoteString(path)})`);
}
