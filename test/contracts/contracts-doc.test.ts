/** docs/CONTRACTS.md is checked against the typed contracts: same columns, same order, same split values. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { METRIC_COLUMNS, metricGroup, groupLabel } from "../../src/contracts/metrics.js";
import { PREDICTION_COLUMNS, PREDICTION_SPLITS, PredictionsBuilder } from "../../src/contracts/predictions.js";
import type { RegressionMetrics } from "../../src/core/stats/metrics.js";
import type { MetricValues } from "../../src/contracts/metrics.js";

const doc = readFileSync(resolve(import.meta.dirname, "../../docs/CONTRACTS.md"), "utf8");

/** The column names a section lists: its paragraph after the heading, names before any "(...)". */
function documentedColumns(table: string): string[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`\`${table}\``));
  if (!section) throw new Error(`docs/CONTRACTS.md has no section for ${table}`);
  const body = section
    .split("\n")
    .slice(1)
    .filter((l) => !/^Written /.test(l))
    .join(" ");
  const flat = body.replace(/\([^()]*(?:\([^()]*\)[^()]*)*\)/g, ""); // drop parenthesised notes
  return flat
    .replace(/\s*\.\s*$/, "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

// Compile-time: the metric values are the core's regression metrics (less pred_sd), both ways.
const _a: MetricValues = {} as Omit<RegressionMetrics, "pred_sd">;
const _b: Omit<RegressionMetrics, "pred_sd"> = {} as MetricValues;
(void _a, _b);

describe("contracts", () => {
  it("predictions: the doc lists exactly the typed columns, in order, and the split values", () => {
    expect(documentedColumns("predictions")).toEqual(Object.keys(PREDICTION_COLUMNS));
    const section = doc.slice(doc.indexOf("## `predictions`"));
    expect(section).toContain(`split (${PREDICTION_SPLITS.map((s) => `\`${s}\``).join("|")})`);
  });

  it("metrics: the doc lists exactly METRIC_COLUMNS, in order", () => {
    expect(documentedColumns("metrics")).toEqual([...METRIC_COLUMNS]);
  });

  it("the predictions builder types its columns and refuses an unknown split", () => {
    const b = new PredictionsBuilder();
    const row = {
      sample_id: "a",
      target: "c",
      split: "test",
      source: null,
      depth_top_cm: 0,
      observed: 1,
      predicted: 2,
      sd: NaN,
      pi_low: NaN,
      pi_high: NaN,
      in_domain: null,
    };
    b.push(row);
    const t = b.build();
    expect(Object.keys(t)).toEqual(Object.keys(PREDICTION_COLUMNS));
    expect(t.predicted).toEqual(Float64Array.of(2));
    expect(t.sample_id).toEqual(["a"]);
    expect(() => b.push({ ...row, split: "tset" })).toThrow(/split "tset"/);
  });

  it("metric groups round-trip as typed values", () => {
    expect(metricGroup("all")).toEqual({ kind: "all" });
    expect(metricGroup("source=lab=3")).toEqual({ kind: "breakdown", key: "source", value: "lab=3" });
    expect(groupLabel({ kind: "breakdown", key: "depth", value: "0-30" })).toBe("depth=0-30");
    expect(() => metricGroup("weird")).toThrow(/expected "all"/);
  });
});
