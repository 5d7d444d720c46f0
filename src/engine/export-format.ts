/**
 * How a table's columns are written to CSV: each column as stored, except numeric columns whose
 * description asks for `csv_digits` significant digits (model outputs: readable, no false
 * precision), optionally kept exact on rows where another column holds a value (a measured
 * value in a mixed column). Parquet exports never go through this: full precision there.
 */
import type { ColumnDescription } from "../contracts/column-description.js";

/** The part of a step's `<table>_columns` description CSV formatting reads. */
type Described = { columns: Record<string, ColumnDescription> };

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const NUMERIC = /^(DOUBLE|FLOAT|REAL|DECIMAL)/i;

/** DuckDB expression rounding `x` to `digits` significant digits (0, NaN, ±inf and NULL as they are). */
export function significantSql(x: string, digits: number): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError(`csv_digits ${digits} must be an integer in 1..17`);
  return (
    `CASE WHEN ${x} IS NULL OR NOT isfinite(${x}) OR ${x} = 0 THEN ${x} ` +
    `ELSE round(CAST(${x} AS DOUBLE), CAST(${digits - 1} - floor(log10(abs(${x}))) AS INTEGER)) END`
  );
}

/** The SELECT expression that writes one column (name and DuckDB type) to CSV. */
export function csvColumnSql(column: { name: string; type: string }, names: ReadonlySet<string>, describe: Described): string {
  const { name, type } = column;
  const d = describe.columns[name];
  if (!d?.csv_digits || !NUMERIC.test(type)) return ident(name);
  const rounded = significantSql(ident(name), d.csv_digits);
  const exact = d.csv_exact_where;
  if (exact && names.has(exact[0])) {
    return `CASE WHEN ${ident(exact[0])} = ${literal(exact[1])} THEN ${ident(name)} ELSE ${rounded} END AS ${ident(name)}`;
  }
  return `${rounded} AS ${ident(name)}`;
}

/** The SELECT list that writes `columns` (name and DuckDB type, in order) to CSV. */
export function csvSelectList(columns: readonly { name: string; type: string }[], describe: Described): string {
  const names = new Set(columns.map((c) => c.name));
  return columns.map((c) => csvColumnSql(c, names, describe)).join(", ");
}
