/**
 * What the report's data loaders see of one run: its record and read-only access to the
 * artifacts of its steps. Loaders query Parquet tables with DuckDB through `tablePath`.
 */
import type { RunRecord } from "../engine/run-record.js";

export interface RunView {
  readonly run: RunRecord;
  /** The previous run of the same pipeline, for deltas; null if none. */
  readonly previous: RunRecord | null;
  /** Steps of this run whose artifact has output `name` (e.g. every step with `metrics`). */
  stepsWith(name: string): string[];
  /** Parquet path of table `name` written by step `step`; null if the step has no such table. */
  tablePath(step: string, name: string): string | null;
  json<T = unknown>(step: string, name: string): Promise<T | null>;
  /**
   * Optional (added for the report's deltas): a view of the previous run's artifacts, or
   * null if none or no longer in the store. Without it the metrics page shows no deltas.
   */
  openPrevious?(): Promise<RunView | null>;
}
