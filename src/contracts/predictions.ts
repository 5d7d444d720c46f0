/**
 * The `predictions` table, defined once: every model step (baseline.plsr, cnn.train,
 * cnn.predict) writes it with `PredictionsBuilder`, and metrics.evaluate and the report read
 * it. Numbers are g/kg with NaN for "none" (stored as SQL NULL), text and flags null when absent.
 */

/** Column -> kind, in table order (docs/CONTRACTS.md is checked against this list). */
export const PREDICTION_COLUMNS = {
  sample_id: "text",
  target: "text",
  split: "text",
  source: "text",
  depth_top_cm: "number",
  observed: "number",
  predicted: "number",
  sd: "number",
  pi_low: "number",
  pi_high: "number",
  in_domain: "flag",
} as const;

export type PredictionColumn = keyof typeof PREDICTION_COLUMNS;

/** The values a row's split may take: the model's split, or `unlabelled` for a sample without an observed value. */
export const PREDICTION_SPLITS = ["train", "val", "cal", "test", "unlabelled"] as const;
export type PredictionSplit = (typeof PREDICTION_SPLITS)[number];

type Kind = { text: string | null; number: number; flag: boolean | null };
/** One row of `predictions`. */
export type PredictionRow = { [C in PredictionColumn]: Kind[(typeof PREDICTION_COLUMNS)[C]] };

type Stored = { text: Array<string | null>; number: Float64Array; flag: Array<boolean | null> };
/** The table as a step writes it (assignable to core's `Table`). */
export type PredictionsTable = { [C in PredictionColumn]: Stored[(typeof PREDICTION_COLUMNS)[C]] };

const COLUMNS = Object.keys(PREDICTION_COLUMNS) as PredictionColumn[];

/** Collects prediction rows in order; `build()` returns the typed columns. */
export class PredictionsBuilder {
  private readonly rows: PredictionRow[] = [];

  push(row: PredictionRow): void {
    if (!(PREDICTION_SPLITS as readonly string[]).includes(row.split ?? "")) {
      throw new RangeError(`predictions: split "${row.split}" is not one of ${PREDICTION_SPLITS.join(", ")}`);
    }
    this.rows.push(row);
  }

  get length(): number {
    return this.rows.length;
  }

  build(): PredictionsTable {
    const out = {} as Record<PredictionColumn, unknown>;
    for (const c of COLUMNS) {
      out[c] = PREDICTION_COLUMNS[c] === "number" ? Float64Array.from(this.rows, (r) => r[c] as number) : this.rows.map((r) => r[c]);
    }
    return out as PredictionsTable;
  }
}
