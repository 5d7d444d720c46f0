/** Options of `metrics.evaluate` (src/steps/metrics/evaluate.ts). */
import { z } from "zod";
import { physicalRangeOption } from "../shared/range-option.js";

export const evaluateOptions = z.strictObject({
  /** Splits scored. */
  splits: z
    .array(z.enum(["train", "val", "cal", "test"]))
    .min(1)
    .default(["test"]),
  /** Interval level assumed when an input has no model_meta.pi_level. */
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /**
   * Observed values outside this physical range (C, OM in g/kg) are not scored: a failed or
   * mis-entered measurement is no reference (the hybrid dataset sets them aside the same way).
   */
  range: physicalRangeOption,
  /** Nominal levels of the rescaled calibration curve. */
  levels: z.array(z.number().gt(0).lt(1)).min(1).default([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]),
  /**
   * k-fold CV inside one pipeline: `name: [step, …]` pools the test rows of these model steps
   * (one per fold: same folds and split_seed, different test_fold) into metric rows with step =
   * name and split "cv" — every labelled sample scored once, by a model that neither fitted
   * nor calibrated on it. `name: train` names a step matrix (all its instances);
   * `name: train.model-cnn` the instances with that matrix value.
   */
  pool: z.record(z.string().min(1), z.union([z.string().min(1), z.array(z.string().min(1)).min(2)])).default({}),
  /**
   * Intervals of the pooled rows. cross_conformal: each fold's rows get the conformal quantile
   * of the out-of-fold scores of all other folds (src/core/stats/cv-plus.ts), so every sample
   * calibrates; model: the models' own split-conformal intervals (calibrated on each fold's cal
   * share); auto (default): cross_conformal below `CROSS_CONFORMAL_MAX_N` pooled labelled rows,
   * where a cal split of 15 % is too small to pin the quantile down, else model.
   */
  pool_intervals: z.enum(["auto", "cross_conformal", "model"]).default("auto"),
});

export type EvaluateOptions = z.output<typeof evaluateOptions>;

/** auto: cross-conformal pooled intervals below this many pooled labelled rows. */
export const CROSS_CONFORMAL_MAX_N = 5000;
