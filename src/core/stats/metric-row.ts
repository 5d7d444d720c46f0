/**
 * One row of model evaluation, the stable shape `somflow metrics --json` prints and the
 * report reads. A number a step does not compute is null, never 0.
 */
import type { RegressionMetrics } from "./metrics.js";

export interface MetricRow extends Omit<RegressionMetrics, "pred_sd"> {
  step: string;
  /** e.g. "cnn", "cnn-multitask", "plsr", "impute-truth" */
  model: string;
  /** "c" | "om" */
  target: string;
  /** "test" | "cv" | "calibration" | "missing-truth" ... */
  split: string;
  /** "gkg" (original units) | "log1p" */
  scale: string;
  /** "all", or a breakdown such as "source=lab-3" or "depth=0-30" */
  group: string;
  pi_level: number | null;
}

export const METRIC_COLUMNS = [
  "step", "model", "target", "split", "scale", "group", "n", "r2", "rmse", "mae", "bias",
  "rpiq", "rpd", "ccc", "pi_level", "pi_coverage", "pi_width",
] as const satisfies readonly (keyof MetricRow)[];
