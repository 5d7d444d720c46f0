/**
 * `metrics.evaluate`: one `metrics` table for every model step it needs — the table
 * `somflow metrics` and the report read — and a `calibration` table of interval coverage.
 *
 * For each input with a `predictions` table (docs/CONTRACTS.md): rows per target × split
 * (option `splits`, default test) × scale (g/kg, log1p) × group (all, source=…, depth=…),
 * with `step` = the model step's name and `model` = its step type; option `pool` adds k-fold
 * CV rows (split "cv") pooled over several model steps — listed, or a step matrix named
 * (src/engine/matrix.ts) — with cross-conformal intervals (`pool_intervals`, below).
 * A pool missing a fold (the pipeline's `needs_ok: any` lets this step run when a fold step
 * failed) is evaluated on what exists, with split "cv-incomplete" and the missing steps named
 * in the `pools` output and the log, so one failed fold never hides the other models' metrics
 * and is never read as a complete CV. The interval level is
 * read from the input's `model_meta.pi_level` when present, else option `pi_level`.
 * `calibration` (src/core/stats/calibration.ts): per model and target, the reported level's
 * empirical coverage, plus a conformally rescaled curve over `levels` and the coverage over
 * random cal/test re-partitions (mean and 5–95 % range) when the predictions have cal rows
 * with intervals.
 */
import { z } from "zod";
import { withoutImpossibleObserved } from "../../core/chemometrics/physical-range.js";
import { intervalCalibration } from "../../core/stats/calibration.js";
import { crossFoldQuantiles } from "../../core/stats/cv-plus.js";
import type { MetricRow } from "../../contracts/metrics.js";
import { predictionMetricRows } from "../../core/stats/prediction-metrics.js";
import { concatTables, takeRows, type Table } from "../../core/table.js";
import { selectInstances } from "../../engine/matrix.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { physicalRangeOption, toPhysicalRange } from "../shared/range-option.js";

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

/** auto: cross-conformal pooled intervals below this many pooled labelled rows. */
export const CROSS_CONFORMAL_MAX_N = 5000;

function column(t: Table, name: string, n: number): Float64Array {
  const c = t[name];
  return c instanceof Float64Array ? c : new Float64Array(n).fill(NaN);
}

interface ModelInput {
  pred: Table;
  model: string;
  level: number;
}

export interface PoolReport {
  steps: string[];
  missing: string[];
  complete: boolean;
  rows: number;
  intervals: "cross_conformal" | "model";
}

/** The steps a pool entry names (listed, a matrix, or matrix instances with given values). */
function poolMembers(name: string, spec: string | readonly string[], known: readonly string[]): string[] {
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

/**
 * Cross-conformal intervals for pooled rows (see pool_intervals): score |log1p y − log1p ŷ| / w
 * with w = the model's σ̂ on the log1p scale (sd / (1 + ŷ), as the CNN reports it) or 1
 * (PLSR: absolute residuals), quantile per fold from the other folds' scores, per target.
 */
function crossConformal(t: Table, fold: Int32Array, folds: number, level: number): void {
  const n = fold.length;
  const target = t.target as (string | null)[];
  const obs = t.observed as Float64Array;
  const pred = t.predicted as Float64Array;
  const sd = t.sd instanceof Float64Array ? t.sd : new Float64Array(n).fill(NaN);
  const low = new Float64Array(n).fill(NaN);
  const high = new Float64Array(n).fill(NaN);
  const w = Float64Array.from(pred, (p, i) => {
    const s = sd[i]! / (1 + p);
    return Number.isFinite(s) && s > 0 ? s : 1;
  });
  for (const tg of new Set(target)) {
    const rows = [...Array(n).keys()].filter((i) => target[i] === tg);
    const scores = rows.map((i) => (obs[i]! >= 0 && pred[i]! > -1 ? Math.abs(Math.log1p(obs[i]!) - Math.log1p(pred[i]!)) / w[i]! : NaN));
    const q = crossFoldQuantiles(
      scores,
      rows.map((i) => fold[i]!),
      folds,
      level,
    );
    for (const i of rows) {
      if (!Number.isFinite(pred[i]!)) continue;
      const c = Math.log1p(pred[i]!);
      const qf = q[fold[i]!]!;
      low[i] = Math.max(0, Math.expm1(c - qf * w[i]!));
      high[i] = Math.expm1(c + qf * w[i]!);
    }
  }
  t.pi_low = low;
  t.pi_high = high;
}

/** Metric rows of the pooled test rows of `steps` (option pool); see evaluateOptions. */
function pooledRows(
  name: string,
  steps: readonly string[],
  byStep: Map<string, ModelInput>,
  missingSteps: ReadonlySet<string>,
  intervals: "auto" | "cross_conformal" | "model",
): { rows: MetricRow[]; report: PoolReport } {
  const missing = steps.filter((s) => missingSteps.has(s));
  const parts = steps
    .filter((s) => !missingSteps.has(s))
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
  const seen = new Map<string, string>();
  const foldIds: number[] = [];
  const tables = parts.map((p, k) => {
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
          `option pool.${name}: sample ${key} is in the test split of both ${other} and ${p.step}: pool k-fold steps with the same folds, scheme and split_seed and different test_fold`,
        );
      }
      seen.set(key, p.step);
    }
    for (const _ of rows) foldIds.push(k);
    const t = takeRows(p.pred, rows);
    t.split = rows.map(() => (missing.length ? "cv-incomplete" : "cv"));
    return t;
  });
  const pooled = concatTables(tables);
  const labelled = Array.from(pooled.observed as Float64Array).filter(Number.isFinite).length;
  const method = intervals === "auto" ? (labelled < CROSS_CONFORMAL_MAX_N ? "cross_conformal" : "model") : intervals;
  if (method === "cross_conformal") crossConformal(pooled, Int32Array.from(foldIds), parts.length, level);
  const split = missing.length ? "cv-incomplete" : "cv";
  return {
    rows: predictionMetricRows(pooled, { step: name, model: parts[0]!.model, splits: [split], level }),
    report: { steps: [...steps], missing, complete: missing.length === 0, rows: labelled, intervals: method },
  };
}

export const evaluateStep = defineStep({
  type: "metrics.evaluate",
  version: 4,
  description: "Metrics (per source and depth band, g/kg and log1p) and interval calibration of every model step",
  options: evaluateOptions,
  outputs: ["metrics", "calibration", "pools"],
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
      step: [] as (string | null)[],
      model: [] as (string | null)[],
      target: [] as (string | null)[],
      level: [] as number[],
      method: [] as (string | null)[],
      n: [] as number[],
      coverage: [] as number[],
      mean_width: [] as number[],
      coverage_p05: [] as number[],
      coverage_p95: [] as number[],
    };
    const byStep = new Map<string, ModelInput>();
    const setAside: Record<string, number> = {};
    for (const input of models) {
      const raw = await input.table("predictions");
      const clean = withoutImpossibleObserved(
        raw.target as (string | null)[],
        column(raw, "observed", (raw.target as unknown[]).length),
        toPhysicalRange(o.range),
      );
      const pred: Table = { ...raw, observed: clean.observed };
      for (const [t, k] of Object.entries(clean.setAside)) {
        ctx.log(
          `${input.step}: ${k} observed ${t} value(s) outside the physical range are not scored (an impossible measurement is no reference)`,
        );
        setAside[`evaluate_unscored_impossible_${input.step}_${t}`] = k;
      }
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
          observed: pick(observed),
          predicted: pick(predicted),
          low: pick(low),
          high: pick(high),
          split: idx.map((i) => split[i] ?? null),
          level,
          levels: o.levels,
          scoreSplits: o.splits,
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
    const missing = new Set(inputs.missing ?? []);
    const known = [...inputs.all.map((a) => a.step), ...missing];
    const pools: Record<string, PoolReport> = {};
    for (const [name, spec] of Object.entries(o.pool)) {
      const r = pooledRows(name, poolMembers(name, spec, known), byStep, missing, o.pool_intervals);
      rows.push(...r.rows);
      pools[name] = r.report;
      if (!r.report.complete)
        ctx.log(
          `pool ${name} is INCOMPLETE (split cv-incomplete): ${r.report.missing.join(", ")} did not finish; pooled the other ${r.report.steps.length - r.report.missing.length}`,
        );
    }
    if (missing.size > 0) ctx.log(`evaluated without ${[...missing].join(", ")} (did not finish)`);
    await ctx.metrics(rows);
    await ctx.outputs.json("pools", pools);
    await ctx.outputs.table("calibration", {
      step: cal.step,
      model: cal.model,
      target: cal.target,
      level: Float64Array.from(cal.level),
      method: cal.method,
      n: Float64Array.from(cal.n),
      coverage: Float64Array.from(cal.coverage),
      mean_width: Float64Array.from(cal.mean_width),
      coverage_p05: Float64Array.from(cal.coverage_p05),
      coverage_p95: Float64Array.from(cal.coverage_p95),
    });
    ctx.record({ evaluate_models: models.length, evaluate_rows: rows.length, ...setAside });
  },
});
