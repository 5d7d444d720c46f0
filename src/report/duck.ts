/**
 * DuckDB helpers for the report's aggregation functions, over the engine's one DuckDB module
 * (its process-wide instance and its SQL quoting): Parquet sources, rows converted to plain
 * JSON-able values.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteString, withConnection } from "../engine/store/duck.js";

export type { DuckDBConnection };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type Row = Record<string, JsonValue>;

/** Runs `fn` on a connection to the engine's in-memory DuckDB; always closes the connection. */
export const withDuck: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T> = withConnection;

export const sqlString = quoteString;
export const sqlIdent = quoteIdent;

/** `read_parquet([...], union_by_name = true)` over one or more files. */
export function parquetSource(paths: readonly string[]): string {
  if (paths.length === 0) throw new RangeError("parquetSource: no paths");
  return `read_parquet([${paths.map(sqlString).join(", ")}], union_by_name = true)`;
}

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return String(value);
}

/** Runs `sql` and returns its rows as JSON-able objects (BIGINT → number, NaN/±Inf → null). */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) => toJson(r) as Row);
}

/** Column names of a Parquet file (or union of files). */
export async function columnsOf(conn: DuckDBConnection, paths: readonly string[]): Promise<Set<string>> {
  const rows = await queryRows(conn, `DESCRIBE SELECT * FROM ${parquetSource(paths)}`);
  return new Set(rows.map((r) => String(r["column_name"])));
}

/** Rounds to `digits` significant digits (keeps JSON small); null for non-finite. */
export function sig(x: unknown, digits = 4): number | null {
  if (typeof x !== "number" || !Number.isFinite(x)) return null;
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}
