/**
 * `metrics.evaluate`: one `metrics` table for every model step it needs — the table
 * `somflow metrics` and the report read — and a `calibration` table of interval coverage.
 *
 * For each input with a `predictions` table (docs/CONTRACTS.md): rows per target × split
 * (option `splits`, default test) × scale (g/kg, log1p) × group (all, source=…, depth=…;
 * src/core/stats/prediction-metrics.ts), with `step` = the model step's name and `model` = its
 * declared name (model_meta.model), else its step type; option `pool` adds k-fold CV rows
 * (split "cv") pooled over several model steps — listed, or a step matrix named
 * (src/engine/matrix.ts) — with cross-conformal intervals (`pool_intervals`;
 * src/core/stats/cv-plus.ts; the pooling is in evaluate-pool.ts).
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
import type { MetricRow } from "../../contracts/metrics.js";
import { predictionMetricRows } from "../../core/stats/prediction-metrics.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { evaluateOptions } from "./evaluate-options.js";
import { CalibrationBuilder } from "./evaluate-outputs.js";
import { poolMembers, pooledRows, type PoolReport } from "./evaluate-pool.js";
import { readModelInput, type ModelInput } from "./evaluate-setup.js";

export { CROSS_CONFORMAL_MAX_N, evaluateOptions, type EvaluateOptions } from "./evaluate-options.js";
export type { PoolReport } from "./evaluate-pool.js";

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
    const cal = new CalibrationBuilder();
    const byStep = new Map<string, ModelInput>();
    const setAside: Record<string, number> = {};
    for (const input of models) {
      const { setAside: dropped, ...m } = await readModelInput(input, o);
      for (const [t, k] of Object.entries(dropped)) {
        ctx.log(
          `${input.step}: ${k} observed ${t} value(s) outside the physical range are not scored (an impossible measurement is no reference)`,
        );
        setAside[`evaluate_unscored_impossible_${input.step}_${t}`] = k;
      }
      byStep.set(input.step, m);
      rows.push(...predictionMetricRows(m.pred, { step: input.step, model: m.model, splits: o.splits, level: m.level }));
      cal.add(input.step, m, o);
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
    await ctx.outputs.table("calibration", cal.build());
    ctx.record({ evaluate_models: models.length, evaluate_rows: rows.length, ...setAside });
  },
});
