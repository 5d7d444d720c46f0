/**
 * One column's meaning as a step describes it in `<table>_columns` (see TableDescription in
 * table.ts), with the optional hints `somflow export` uses when it writes CSV.
 */
export interface ColumnDescription {
  unit: string | null;
  description: string;
  /** CSV exports: significant digits (model outputs); absent = the value exactly. */
  csv_digits?: number;
  /** CSV exports: rows where column [0] equals [1] keep the exact value despite csv_digits. */
  csv_exact_where?: [string, string];
}
