/**
 * Regression gate: the pipeline file's `checks` map `<step>.<target>.<metric>` (optionally
 * `@split=test,scale=gkg,group=all`) to a condition (`>= 0.9`, `< 20`, `0.88..0.92`).
 * Every check must find exactly the row it names; a check that finds nothing fails.
 */
import type { MetricRow } from "../core/stats/metric-row.js";
import { UsageError } from "./errors.js";

export interface CheckResult {
  check: string;
  condition: string;
  value: number | null;
  ok: boolean;
  note: string;
}

const METRICS = new Set(["n", "r2", "rmse", "mae", "bias", "rpiq", "rpd", "ccc", "pi_coverage", "pi_width"]);

function parseCondition(cond: string): (v: number) => boolean {
  const range = /^\s*(-?[\d.eE+-]+)\s*\.\.\s*(-?[\d.eE+-]+)\s*$/.exec(cond);
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    if (Number.isFinite(lo) && Number.isFinite(hi)) return (v) => v >= lo && v <= hi;
  }
  const cmp = /^\s*(>=|<=|>|<|==)\s*(-?[\d.eE+-]+)\s*$/.exec(cond);
  const x = cmp ? Number(cmp[2]) : NaN;
  if (!cmp || !Number.isFinite(x)) {
    throw new UsageError(`check condition "${cond}": use ">= 0.9", "< 20", "== 1" or a range "0.88..0.92"`);
  }
  const ops: Record<string, (v: number) => boolean> = {
    ">=": (v) => v >= x, "<=": (v) => v <= x, ">": (v) => v > x, "<": (v) => v < x, "==": (v) => v === x,
  };
  return ops[cmp[1]!]!;
}

export function evaluateChecks(checks: Readonly<Record<string, string>>, rows: readonly MetricRow[]): CheckResult[] {
  return Object.entries(checks).map(([check, condition]) => {
    const [path, selector = ""] = check.split("@");
    const parts = path!.split(".");
    if (parts.length !== 3 || !METRICS.has(parts[2]!)) {
      throw new UsageError(`check "${check}": write <step>.<target>.<metric> with metric one of ${[...METRICS].join(", ")}`);
    }
    const [step, target, metric] = parts as [string, string, keyof MetricRow];
    const want: Record<string, string> = { split: "test", scale: "gkg", group: "all" };
    for (const kv of selector.split(",").filter(Boolean)) {
      const [k, v] = kv.split("=");
      if (!k || v === undefined || !(k in want || k === "model")) throw new UsageError(`check "${check}": selector "${kv}" must be split=, scale=, group= or model=`);
      want[k] = v;
    }
    const test = parseCondition(condition);
    const hits = rows.filter(
      (r) => r.step === step && r.target === target && Object.entries(want).every(([k, v]) => String(r[k as keyof MetricRow]) === v),
    );
    if (hits.length === 0) return { check, condition, value: null, ok: false, note: "no metric row matches" };
    const value = hits[0]![metric] as number | null;
    if (value === null || !Number.isFinite(value)) return { check, condition, value: null, ok: false, note: "metric not computed" };
    return { check, condition, value, ok: test(value), note: hits.length > 1 ? `${hits.length} rows matched; first used` : "" };
  });
}
