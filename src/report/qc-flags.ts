/**
 * Where a run's QC flags live, for marking flagged samples in the report's charts: the last
 * `qc.outliers` step's `qc` table (sample_id, flags) or, failing that, the `qc_flags` column of
 * that step's `samples` table. One row per flagged sample id (ids used twice are one row).
 */
import { columnsOf, parquetSource, queryRows, type DuckDBConnection } from "./duck.js";
import type { RunView } from "./run-view.js";

/** The step type that writes sample flags. */
export const QC_STEP_TYPE = "qc.outliers";

export interface QcFlagSource {
  /** The qc.outliers step the flags come from. */
  step: string;
  /** `SELECT sample_id, flags …`: one row per flagged sample id, flags `;`-joined. */
  sql: string;
  /** Flagged sample ids. */
  flagged: number;
}

/** The flags of the run's last qc.outliers step, or null when no artifact of the run holds them. */
export async function qcFlagSource(view: RunView, conn: DuckDBConnection): Promise<QcFlagSource | null> {
  const steps = view.run.steps.filter((s) => s.type === QC_STEP_TYPE).map((s) => s.name);
  for (const step of steps.reverse()) {
    for (const [table, column] of [
      ["qc", "flags"],
      ["samples", "qc_flags"],
    ] as const) {
      const path = view.tablePath(step, table);
      if (path === null) continue;
      const cols = await columnsOf(conn, [path]);
      if (!cols.has("sample_id") || !cols.has(column)) continue;
      const sql =
        `SELECT sample_id::VARCHAR AS sample_id, string_agg(DISTINCT ${column}::VARCHAR, ';' ORDER BY ${column}::VARCHAR) AS flags ` +
        `FROM ${parquetSource([path])} WHERE ${column} IS NOT NULL AND ${column}::VARCHAR <> '' AND sample_id IS NOT NULL GROUP BY 1`;
      const [row] = await queryRows(conn, `SELECT count(*) AS n FROM (${sql})`);
      return { step, sql, flagged: Number(row?.["n"] ?? 0) };
    }
  }
  return null;
}
