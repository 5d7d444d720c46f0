import { describe, expect, it } from "vitest";
import { metricRows } from "../../../src/core/stats/metric-rows.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";

const f = (xs: number[]) => Float64Array.from(xs);

function table() {
  return {
    sample_id: ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"],
    target: ["om", "c", "c", null, "c", "om", "c", "om"],
    split: ["test", "test", "train", "test", "test", "val", "val", "test"],
    source: ["x", "y", null, "x", "x", "y", "y", null],
    depth_top_cm: f([0, 50, 0, 0, 120, 10, 0, NaN]),
    observed: f([10, 2, 3, 4, 6, 7, 8, 12]),
    predicted: f([11, 3, 3, 4, 5, 9, 8, 15]),
    pi_low: f([8, 1, 0, 0, 5.5, 5, 7, 10]),
    pi_high: f([12, 4, 6, 9, 9, 8, 9, 13]),
  };
}

describe("predictionMetricRows", () => {
  it("equals metricRows per target (sorted, null skipped) and split, in the order of the splits asked for", () => {
    const t = table();
    const rows = predictionMetricRows(t, { step: "st", model: "m", splits: ["val", "test"], level: 0.8 });
    const one = (target: string, split: string, idx: number[]) =>
      metricRows({
        step: "st",
        model: "m",
        target,
        split,
        observed: f(idx.map((i) => t.observed[i]!)),
        predicted: f(idx.map((i) => t.predicted[i]!)),
        low: f(idx.map((i) => t.pi_low[i]!)),
        high: f(idx.map((i) => t.pi_high[i]!)),
        level: 0.8,
        source: idx.map((i) => t.source[i]!),
        depthTop: f(idx.map((i) => t.depth_top_cm[i]!)),
      });
    expect(rows).toEqual([...one("c", "val", [6]), ...one("c", "test", [1, 4]), ...one("om", "val", [5]), ...one("om", "test", [0, 7])]);
    const c = rows.find((r) => r.target === "c" && r.split === "test" && r.group === "all" && r.scale === "gkg")!;
    expect(c.n).toBe(2);
    expect(c.bias).toBeCloseTo(0, 12);
    // row 1: 2 in [1, 4]; row 4: 6 in [5.5, 9]
    expect(c.pi_coverage).toBe(1);
    expect(c.pi_level).toBe(0.8);
    expect(c.pi_width).toBeCloseTo(3.25, 12);
    const om = rows.filter((r) => r.target === "om" && r.split === "test" && r.scale === "gkg").map((r) => [r.group, r.n]);
    expect(om).toEqual([
      ["all", 2],
      ["source=unknown", 1],
      ["source=x", 1],
      ["depth=0-30", 1],
    ]);
  });

  it("defaults: test split only, level 0.9, both scales; scales narrows", () => {
    const rows = predictionMetricRows(table(), { step: "st", model: "m" });
    expect(rows.every((r) => r.split === "test")).toBe(true);
    expect(rows.filter((r) => r.group === "all").map((r) => [r.target, r.scale, r.pi_level])).toEqual([
      ["c", "gkg", 0.9],
      ["c", "log1p", 0.9],
      ["om", "gkg", 0.9],
      ["om", "log1p", 0.9],
    ]);
    const g = predictionMetricRows(table(), { step: "st", model: "m", scales: ["gkg"] });
    expect(new Set(g.map((r) => r.scale))).toEqual(new Set(["gkg"]));
    expect(g).toHaveLength(rows.length / 2);
  });

  it("intervals only when some row has both ends; missing numeric columns read as NaN; no source column → no source rows", () => {
    const t = table();
    const half = { ...t, pi_high: new Float64Array(8).fill(NaN) };
    const r1 = predictionMetricRows(half, { step: "st", model: "m", scales: ["gkg"] });
    expect(r1.every((r) => r.pi_coverage === null && r.pi_width === null && r.pi_level === null)).toBe(true);
    // one row with both ends is enough
    const onlyRow0 = { ...t, pi_high: f([12, NaN, NaN, NaN, NaN, NaN, NaN, NaN]) };
    const om = predictionMetricRows(onlyRow0, { step: "st", model: "m", scales: ["gkg"] }).find(
      (r) => r.target === "om" && r.group === "all",
    )!;
    expect(om.pi_coverage).toBe(1);
    expect(om.pi_width).toBe(4);
    const { pi_low: _l, pi_high: _h, depth_top_cm: _d, source: _s, ...bare } = t;
    const r2 = predictionMetricRows(bare, { step: "st", model: "m", scales: ["gkg"] });
    expect(r2.map((r) => [r.target, r.group, r.n, r.pi_coverage])).toEqual([
      ["c", "all", 2, null],
      ["om", "all", 2, null],
    ]);
    expect(r2[1]!.bias).toBeCloseTo((1 + 3) / 2, 12);
  });

  it("a split with no rows gives no rows; a table with no targets gives none", () => {
    expect(predictionMetricRows(table(), { step: "st", model: "m", splits: ["cal"] })).toEqual([]);
    const t = { ...table(), target: [null, null, null, null, null, null, null, null] };
    expect(predictionMetricRows(t, { step: "st", model: "m" })).toEqual([]);
  });

  it("names the column that is missing or of the wrong type", () => {
    const t = table();
    const { target: _t, ...noTarget } = t;
    expect(() => predictionMetricRows(noTarget, { step: "s", model: "m" })).toThrow(
      new TypeError('predictions column "target" is missing'),
    );
    expect(() => predictionMetricRows({ ...t, split: f([1]) }, { step: "s", model: "m" })).toThrow(
      new TypeError('predictions column "split" is not text'),
    );
    expect(() => predictionMetricRows({ ...t, observed: [1, 2] as unknown as Float64Array }, { step: "s", model: "m" })).toThrow(
      new TypeError('predictions column "observed" is not numeric'),
    );
    expect(() => predictionMetricRows({ ...t, source: f([1]) }, { step: "s", model: "m" })).toThrow(
      new TypeError('predictions column "source" is not text'),
    );
  });
});
