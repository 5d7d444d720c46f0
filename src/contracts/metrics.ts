/**
 * The `metrics` table, defined once: one row of model evaluation, the stable shape
 * `somflow metrics --json` prints, `checks` gate on and the report reads. A number a step does
 * not compute is null, never 0. Every list of metric names in the project derives from here.
 * (Contracts import nothing from the project: core, engine, steps and report all build on them.)
 */

/** The keys that identify a row. */
export const METRIC_KEYS = ["step", "model", "target", "split", "scale", "group"] as const;

/** The evaluated quantities, in the order tables print them (n is the row count, the rest may be null). */
export const METRIC_NAMES = ["n", "r2", "rmse", "mae", "bias", "rpiq", "rpd", "ccc", "pi_coverage", "pi_width"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Metrics whose change between runs is worth showing (every one but the count). */
export const DELTA_METRICS = METRIC_NAMES.filter((m): m is Exclude<MetricName, "n"> => m !== "n");

export type MetricValues = { n: number } & { [K in Exclude<MetricName, "n">]: number | null };

export interface MetricRow extends MetricValues {
  step: string;
  /** e.g. "cnn", "cnn-multitask", "plsr", "impute-truth" */
  model: string;
  /** "c" | "om" */
  target: string;
  /** "test" | "cv" | "calibration" | "missing-truth" ... */
  split: string;
  /** "gkg" (original units) | "log1p" */
  scale: string;
  /** "all", or a breakdown `<key>=<value>` such as "source=lab-3" (see `metricGroup`) */
  group: string;
  pi_level: number | null;
}

/** Column order of the stored table: keys, n and the metrics, the interval level before its coverage. */
export const METRIC_COLUMNS = [
  ...METRIC_KEYS,
  "n",
  "r2",
  "rmse",
  "mae",
  "bias",
  "rpiq",
  "rpd",
  "ccc",
  "pi_level",
  "pi_coverage",
  "pi_width",
] as const satisfies readonly (keyof MetricRow)[];

/** A row's group as a typed value: the whole set, or one breakdown `key=value`. */
export type MetricGroup = { kind: "all" } | { kind: "breakdown"; key: string; value: string };

const ALL_GROUP = "all";

/** The group column's text for a breakdown (or "all"). */
export function groupLabel(g: MetricGroup): string {
  return g.kind === "all" ? ALL_GROUP : `${g.key}=${g.value}`;
}

/** Reads a group column's text: "all" or `key=value` (the value may itself contain "="). */
export function metricGroup(label: string): MetricGroup {
  if (label === ALL_GROUP) return { kind: "all" };
  const i = label.indexOf("=");
  if (i <= 0) throw new RangeError(`metric group "${label}": expected "all" or <key>=<value>`);
  return { kind: "breakdown", key: label.slice(0, i), value: label.slice(i + 1) };
}
