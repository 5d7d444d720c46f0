/**
 * The `calibration` table of `metrics.evaluate`: per model and target, the interval calibration
 * rows of src/core/stats/calibration.ts.
 */
import { intervalCalibration } from "../../core/stats/calibration.js";
import type { Table } from "../../core/table.js";
import type { EvaluateOptions } from "./evaluate-options.js";
import { column, type ModelInput } from "./evaluate-setup.js";

/** Collects calibration rows model by model; `build()` returns the table. */
export class CalibrationBuilder {
  private readonly cal = {
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

  /** The model's rows, per target in sorted order. */
  add(step: string, { pred, model, level }: ModelInput, o: EvaluateOptions): void {
    const target = pred.target as (string | null)[];
    const split = pred.split as (string | null)[];
    const n = target.length;
    const observed = column(pred, "observed", n);
    const predicted = column(pred, "predicted", n);
    const low = column(pred, "pi_low", n);
    const high = column(pred, "pi_high", n);
    const cal = this.cal;
    for (const t of [...new Set(target.filter((x): x is string => x !== null))].sort()) {
      const idx = [...Array(n).keys()].filter((i) => target[i] === t);
      const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]!);
      const rows = intervalCalibration({
        observed: pick(observed),
        predicted: pick(predicted),
        low: pick(low),
        high: pick(high),
        split: idx.map((i) => split[i] ?? null),
        level,
        levels: o.levels,
        scoreSplits: o.splits,
      });
      for (const r of rows) {
        cal.step.push(step);
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

  build(): Table {
    const cal = this.cal;
    return {
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
    };
  }
}
