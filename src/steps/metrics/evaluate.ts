/**
 * `metrics.evaluate`: one `metrics` table for every model step it needs — the table
 * `somflow metrics` and the report read — and a `calibration` table of interval coverage.
 *
 * For each input with a `predictions` table (docs/CONTRACTS.md): rows per target × split
 * (option `splits`, default test) × scale (g/kg, log1p) × group (all, source=…, depth=…),
 * with `step` = the model step's name and `model` = its step type; option `pool` adds k-fold
 * CV rows (split "cv") pooled over several model steps. The interval level is
 * read from the input's `model_meta.pi_level` when present, else option `pi_level`.
 * `calibration` (src/core/stats/calibration.ts): per model and target, the reported level's
 * empirical coverage, plus a conformally rescaled curve over `levels` and the coverage over
 * random cal/test re-partitions (mean and 5–95 % range) when the predictions have cal rows
 * with intervals.
 */
import { z } from "zod";
import { intervalCalibration } from "../../core/stats/calibration.js";
import type { MetricRow } from "../../contracts/metrics.js";
import { predictionMetricRows } from "../../core/stats/prediction-metrics.js";
import { concatTables, takeRows, type Table } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";

export const evaluateOptions = z.strictObject({
  /** Splits scored. */
  splits: z.array(z.enum(["train", "val", "cal", "test"])).min(1).default(["test"]),
  /** Interval level assumed when an input has no model_meta.pi_level. */
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /** Nominal levels of the rescaled calibration curve. */
  levels: z.array(z.number().gt(0).lt(1)).min(1).default([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]),
  /**
   * k-fold CV inside one pipeline: `name: [step, …]` pools the test rows of these model steps
   * (one per fold: same folds and seed, different test_fold) into metric rows with step =
   * name and split "cv" — every labelled sample scored once, by a model that neither fitted
   * nor calibrated on it.
   */
  pool: z.record(z.string().min(1), z.array(z.string().min(1)).min(2)).default({}),
});

function column(t: Table, name: string, n: number): Float64Array {
  const c = t[name];
  return c instanceof Float64Array ? c : new Float64Array(n).fill(NaN);
}

/** Metric rows of the pooled test rows of `steps` (option `pool`); see evaluateOptions. */
function pooledRows(name: string, steps: readonly string[], byStep: Map<string, { pred: Table; model: string; level: number }>): MetricRow[] {
  const parts = steps.map((s) => {
    const m = byStep.get(s);
    if (!m) throw new StepInputError(`option pool.${name}: "${s}" is not a model step this step needs (${[...byStep.keys()].join(", ")}): add it to needs`);
    return { step: s, ...m };
  });
  const level = parts[0]!.level;
  const odd = parts.find((p) => p.level !== level);
  if (odd) throw new StepInputError(`option pool.${name}: ${odd.step} has intervals at level ${odd.level}, ${parts[0]!.step} at ${level}: pool steps with the same pi_level`);
  const seen = new Map<string, string>();
  const tables = parts.map((p) => {
    const split = p.pred.split as (string | null)[];
    const ids = p.pred.sample_id as (string | null)[];
    const target = p.pred.target as (string | null)[];
    const rows = split.flatMap((s, i) => (s === "test" ? [i] : []));
    // Across steps only: a library can hold one id twice (a defect QC flags), in one fold.
    for (const i of rows) {
      const key = `${ids[i]} (${target[i]})`;
      const other = seen.get(key);
      if (other && other !== p.step) {
        throw new StepInputError(
          `option pool.${name}: sample ${key} is in the test split of both ${other} and ${p.step}: pool k-fold steps with the same folds, scheme and seed and different test_fold`,
        );
      }
      seen.set(key, p.step);
    }
    const t = takeRows(p.pred, rows);
    t.split = rows.map(() => "cv");
    return t;
  });
  return predictionMetricRows(concatTables(tables), { step: name, model: parts[0]!.model, splits: ["cv"], level });
}

export const evaluateStep = defineStep({
  type: "metrics.evaluate",
  version: 2,
  description: "Metrics (per source and depth band, g/kg and log1p) and interval calibration of every model step",
  options: evaluateOptions,
  outputs: ["metrics", "calibration"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const models = inputs.findAll("predictions");
    if (models.length === 0) {
      throw new StepInputError(
        `none of the needed steps (${inputs.all.map((a) => a.step).join(", ") || "none"}) has a predictions table: ` +
          "list model steps under needs",
      );
    }
    const rows: MetricRow[] = [];
    const cal = {
      step: [] as (string | null)[], model: [] as (string | null)[], target: [] as (string | null)[],
      level: [] as number[], method: [] as (string | null)[], n: [] as number[], coverage: [] as number[], mean_width: [] as number[],
      coverage_p05: [] as number[], coverage_p95: [] as number[],
    };
    const byStep = new Map<string, { pred: Table; model: string; level: number }>();
    for (const input of models) {
      const pred = await input.table("predictions");
      let level = o.pi_level;
      // The model's own name ("cnn", "cnn-multitask", "plsr") when it declares one, else its step type.
      let model = input.type;
      if (input.has("model_meta")) {
        const meta = await input.json<{ pi_level?: unknown; model?: unknown }>("model_meta");
        if (typeof meta?.pi_level === "number" && meta.pi_level > 0 && meta.pi_level < 1) level = meta.pi_level;
        if (typeof meta?.model === "string" && meta.model) model = meta.model;
      }
      byStep.set(input.step, { pred, model, level });
      rows.push(...predictionMetricRows(pred, { step: input.step, model, splits: o.splits, level }));
      const target = pred.target as (string | null)[];
      const split = pred.split as (string | null)[];
      const n = target.length;
      const observed = column(pred, "observed", n);
      const predicted = column(pred, "predicted", n);
      const low = column(pred, "pi_low", n);
      const high = column(pred, "pi_high", n);
      for (const t of [...new Set(target.filter((x): x is string => x !== null))].sort()) {
        const idx = [...Array(n).keys()].filter((i) => target[i] === t);
        const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]!);
        const calRows = intervalCalibration({
          observed: pick(observed), predicted: pick(predicted), low: pick(low), high: pick(high),
          split: idx.map((i) => split[i] ?? null), level, levels: o.levels, scoreSplits: o.splits,
        });
        for (const r of calRows) {
          cal.step.push(input.step);
          cal.model.push(model);
          cal.target.push(t);
          cal.level.push(r.level);
          cal.method.push(r.method);
          cal.n.push(r.n);
          cal.coverage.push(r.coverage ?? NaN);
          cal.mean_width.push(r.mean_width ?? NaN);
          cal.coverage_p05.push(r.coverage_p05 ?? NaN);
          cal.coverage_p95.push(r.coverage_p95 ?? NaN);
        }
      }
    }
    for (const [name, steps] of Object.entries(o.pool)) rows.push(...pooledRows(name, steps, byStep));
    await ctx.metrics(rows);
    await ctx.outputs.table("calibration", {
      step: cal.step, model: cal.model, target: cal.target, level: Float64Array.from(cal.level), method: cal.method,
      n: Float64Array.from(cal.n), coverage: Float64Array.from(cal.coverage), mean_width: Float64Array.from(cal.mean_width),
      coverage_p05: Float64Array.from(cal.coverage_p05), coverage_p95: Float64Array.from(cal.coverage_p95),
    });
    ctx.record({ evaluate_models: models.length, evaluate_rows: rows.length });
  },
});
