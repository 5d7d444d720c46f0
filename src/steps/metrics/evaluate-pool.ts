/**
 * Option `pool` of `metrics.evaluate`: which steps a pool names, and the metric rows of their
 * pooled test rows (split "cv", or "cv-incomplete" when a fold step did not finish), with
 * cross-conformal intervals from src/core/stats/cv-plus.ts.
 */
import type { MetricRow } from "../../contracts/metrics.js";
import { crossConformalLog1p } from "../../core/stats/cv-plus.js";
import { predictionMetricRows } from "../../core/stats/prediction-metrics.js";
import { concatTables, takeRows, type Table } from "../../core/table.js";
import { selectInstances } from "../../engine/matrix.js";
import { StepInputError } from "../../engine/step.js";
import { CROSS_CONFORMAL_MAX_N } from "./evaluate-options.js";
import type { ModelInput } from "./evaluate-setup.js";

export interface PoolReport {
  steps: string[];
  missing: string[];
  complete: boolean;
  rows: number;
  intervals: "cross_conformal" | "model";
}

/** The steps a pool entry names (listed, a matrix, or matrix instances with given values). */
export function poolMembers(name: string, spec: string | readonly string[], known: readonly string[]): string[] {
  const list = typeof spec === "string" ? [spec] : spec;
  const out = list.flatMap((s) => {
    if (known.includes(s)) return [s];
    const found = selectInstances(s, known);
    if (found.length === 0) {
      throw new StepInputError(
        `option pool.${name}: "${s}" is not a model step this step needs, nor a step matrix among them (${known.join(", ")}): add it to needs`,
      );
    }
    return found;
  });
  if (out.length < 2)
    throw new StepInputError(
      `option pool.${name}: names ${out.length} step (${out.join(", ")}); a pool needs the steps of at least 2 folds`,
    );
  return [...new Set(out)];
}

type PoolPart = ModelInput & { step: string };

/** The pool's steps that finished, checked to share one interval level. */
function poolParts(name: string, steps: readonly string[], byStep: Map<string, ModelInput>, missing: readonly string[]): PoolPart[] {
  const parts = steps
    .filter((s) => !missing.includes(s))
    .map((s) => {
      const m = byStep.get(s);
      if (!m)
        throw new StepInputError(
          `option pool.${name}: "${s}" is not a model step this step needs (${[...byStep.keys()].join(", ")}): add it to needs`,
        );
      return { step: s, ...m };
    });
  if (parts.length === 0)
    throw new StepInputError(`option pool.${name}: every step of the pool failed (${missing.join(", ")}): nothing to evaluate`);
  const level = parts[0]!.level;
  const odd = parts.find((p) => p.level !== level);
  if (odd)
    throw new StepInputError(
      `option pool.${name}: ${odd.step} has intervals at level ${odd.level}, ${parts[0]!.step} at ${level}: pool steps with the same pi_level`,
    );
  return parts;
}

/** Every part's test rows as one table with split `split`, and each row's fold (its part's index). */
function poolTestRows(name: string, parts: readonly PoolPart[], split: string): { pooled: Table; fold: Int32Array } {
  const seen = new Map<string, string>();
  const foldIds: number[] = [];
  const tables = parts.map((p, k) => {
    const splits = p.pred.split as (string | null)[];
    const ids = p.pred.sample_id as (string | null)[];
    const target = p.pred.target as (string | null)[];
    const rows = splits.flatMap((s, i) => (s === "test" ? [i] : []));
    // Across steps only: a library can hold one id twice (a defect QC flags), in one fold.
    for (const i of rows) {
      const key = `${ids[i]} (${target[i]})`;
      const other = seen.get(key);
      if (other && other !== p.step) {
        throw new StepInputError(
          `option pool.${name}: sample ${key} is in the test split of both ${other} and ${p.step}: pool k-fold steps with the same folds, scheme and split_seed and different test_fold`,
        );
      }
      seen.set(key, p.step);
    }
    for (const _ of rows) foldIds.push(k);
    const t = takeRows(p.pred, rows);
    t.split = rows.map(() => split);
    return t;
  });
  return { pooled: concatTables(tables), fold: Int32Array.from(foldIds) };
}

/** Metric rows of the pooled test rows of `steps` (option pool); see evaluateOptions. */
export function pooledRows(
  name: string,
  steps: readonly string[],
  byStep: Map<string, ModelInput>,
  missingSteps: ReadonlySet<string>,
  intervals: "auto" | "cross_conformal" | "model",
): { rows: MetricRow[]; report: PoolReport } {
  const missing = steps.filter((s) => missingSteps.has(s));
  const parts = poolParts(name, steps, byStep, missing);
  const level = parts[0]!.level;
  const split = missing.length ? "cv-incomplete" : "cv";
  const { pooled, fold } = poolTestRows(name, parts, split);
  const observed = pooled.observed as Float64Array;
  const labelled = Array.from(observed).filter(Number.isFinite).length;
  const method = intervals === "auto" ? (labelled < CROSS_CONFORMAL_MAX_N ? "cross_conformal" : "model") : intervals;
  if (method === "cross_conformal") {
    const n = fold.length;
    const sd = pooled.sd instanceof Float64Array ? pooled.sd : new Float64Array(n).fill(NaN);
    const target = pooled.target as (string | null)[];
    const predicted = pooled.predicted as Float64Array;
    const { low, high } = crossConformalLog1p({ target, observed, predicted, sd, fold, folds: parts.length, level });
    pooled.pi_low = low;
    pooled.pi_high = high;
  }
  return {
    rows: predictionMetricRows(pooled, { step: name, model: parts[0]!.model, splits: [split], level }),
    report: { steps: [...steps], missing, complete: missing.length === 0, rows: labelled, intervals: method },
  };
}
