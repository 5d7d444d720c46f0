import { describe, expect, it } from "vitest";
import { metricRows } from "../../../src/core/stats/metric-rows.js";
import { regressionMetrics } from "../../../src/core/stats/metrics.js";

const f = (xs: number[]) => Float64Array.from(xs);
const pick = (x: Float64Array, idx: number[]) => Float64Array.from(idx, (i) => x[i]!);

/** The row metricRows should give for the rows `idx`, from regressionMetrics called directly. */
function expected(
  o: Float64Array,
  p: Float64Array,
  idx: number[],
  extra: { scale: string; group: string; level: number; low?: Float64Array; high?: Float64Array },
) {
  const m = regressionMetrics(
    pick(o, idx),
    pick(p, idx),
    extra.low && extra.high ? { low: pick(extra.low, idx), high: pick(extra.high, idx), level: extra.level } : { level: extra.level },
  );
  return {
    step: "st",
    model: "mod",
    target: "om",
    split: "val",
    scale: extra.scale,
    group: extra.group,
    n: m.n,
    r2: m.r2,
    rmse: m.rmse,
    mae: m.mae,
    bias: m.bias,
    rpiq: m.rpiq,
    rpd: m.rpd,
    ccc: m.ccc,
    pi_level: m.pi_coverage === null ? null : extra.level,
    pi_coverage: m.pi_coverage,
    pi_width: m.pi_width,
  };
}

const base = { step: "st", model: "mod", target: "om", split: "val" };

describe("metricRows, every field of every group", () => {
  it("equals regressionMetrics per group on both scales, groups sorted, interval ends log1p-transformed", () => {
    const observed = f([5, 8, 12, 20, 3, 40, 7, 9]);
    const predicted = f([6, 7, 15, 18, 4, 33, 9, 8]);
    const low = f([2, 5, 10, 15, 1, 30, 8, 1]);
    const high = f([9, 9, 13, 22, 6, 45, 10, 12]);
    // sources first seen in reverse order: the rows must be sorted by key
    const source = ["z", "b", null, "z", "b", "z", null, "b"];
    // bands first seen deepest first: the rows follow DEPTH_BANDS' order
    const depthTop = f([150, 100, 99.5, 0, 30, 29.99, 200, -5]);
    const rows = metricRows({ ...base, observed, predicted, low, high, level: 0.8, source, depthTop });
    const lg = (x: Float64Array) => x.map(Math.log1p);
    const groups: [string, number[]][] = [
      ["all", [0, 1, 2, 3, 4, 5, 6, 7]],
      ["source=b", [1, 4, 7]],
      ["source=unknown", [2, 6]],
      ["source=z", [0, 3, 5]],
      ["depth=0-30", [3, 5]],
      ["depth=30-100", [2, 4]],
      ["depth=100-200", [0, 1]],
    ];
    const want = [
      ...groups.map(([group, idx]) => expected(observed, predicted, idx, { scale: "gkg", group, level: 0.8, low, high })),
      ...groups.map(([group, idx]) =>
        expected(lg(observed), lg(predicted), idx, { scale: "log1p", group, level: 0.8, low: lg(low), high: lg(high) }),
      ),
    ];
    expect(rows).toEqual(want);
    // spot values by hand: source=b (rows 1, 4, 7) errors −1, +1, −1
    const b = rows.find((r) => r.group === "source=b" && r.scale === "gkg")!;
    expect(b.n).toBe(3);
    expect(b.bias).toBeCloseTo(-1 / 3, 12);
    expect(b.mae).toBe(1);
    expect(b.pi_level).toBe(0.8);
    // row 7: 9 in [1, 12]; row 1: 8 in [5, 9]; row 4: 3 in [1, 6] → all covered
    expect(b.pi_coverage).toBe(1);
    expect(b.pi_width).toBeCloseTo((4 + 5 + 11) / 3, 12);
    const bl = rows.find((r) => r.group === "source=b" && r.scale === "log1p")!;
    expect(bl.pi_width).toBeCloseTo(
      (Math.log1p(9) - Math.log1p(5) + Math.log1p(6) - Math.log1p(1) + Math.log1p(12) - Math.log1p(1)) / 3,
      12,
    );
  });

  it("without intervals: no coverage, width or level; only the scales asked for", () => {
    const observed = f([1, 2, 3, 4]);
    const predicted = f([1.5, 2, 2, 5]);
    const rows = metricRows({ ...base, observed, predicted, scales: ["log1p"] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(
      expected(observed.map(Math.log1p), predicted.map(Math.log1p), [0, 1, 2, 3], { scale: "log1p", group: "all", level: 0.9 }),
    );
    expect(rows[0]!.pi_level).toBeNull();
    expect(rows[0]!.pi_coverage).toBeNull();
    expect(rows[0]!.pi_width).toBeNull();
    const g = metricRows({ ...base, observed, predicted, low: f([0, 0, 0, 0]), high: f([9, 9, 9, 9]), scales: ["gkg"] });
    expect(g.map((r) => [r.scale, r.pi_level, r.pi_coverage])).toEqual([["gkg", 0.9, 1]]);
  });

  it("log1p: values below −1 become NaN and are skipped, −1 itself gives −∞ (kept)", () => {
    const observed = f([-2, -1, 1, 3]);
    const predicted = f([1, 0, 2, 3]);
    const [gkg, lg] = metricRows({ ...base, observed, predicted });
    expect(gkg!.n).toBe(4);
    expect(lg!.scale).toBe("log1p");
    expect(lg!.n).toBe(3);
    expect(lg!.bias).toBe(Infinity); // log1p(0) − log1p(−1) = +∞
    const without = metricRows({ ...base, observed: f([-1.5, 1, 3]), predicted: f([0, 2, 3]) })[1]!;
    expect(without.n).toBe(2);
    expect(without.bias).toBeCloseTo((Math.log1p(2) - Math.log1p(1)) / 2, 12);
  });

  it("leaves out groups with no scorable pair", () => {
    const rows = metricRows({
      ...base,
      observed: f([1, NaN, 3, NaN]),
      predicted: f([1, 2, 2, 5]),
      source: ["a", "b", "a", "b"],
      depthTop: f([0, 50, 10, 50]),
      scales: ["gkg"],
    });
    expect(rows.map((r) => [r.group, r.n])).toEqual([
      ["all", 2],
      ["source=a", 2],
      ["depth=0-30", 2],
    ]);
    const none = metricRows({ ...base, observed: f([NaN]), predicted: f([1]) });
    expect(none).toEqual([]);
  });

  it("rejects source or depthTop columns of the wrong length", () => {
    const o = f([1, 2, 3]);
    expect(() => metricRows({ ...base, observed: o, predicted: o, source: ["a", "b"] })).toThrow(
      new RangeError("source has 2 rows, expected 3"),
    );
    expect(() => metricRows({ ...base, observed: o, predicted: o, depthTop: f([1, 2, 3, 4]) })).toThrow(
      new RangeError("depthTop has 4 rows, expected 3"),
    );
    // the level is checked even without intervals
    expect(() => metricRows({ ...base, observed: o, predicted: o, level: 1.2 })).toThrow(new RangeError("level 1.2 must be in (0, 1)"));
    // low without high: scored without intervals
    const [row] = metricRows({ ...base, observed: o, predicted: f([1, 2, 4]), low: o, scales: ["gkg"] });
    expect([row!.n, row!.pi_coverage, row!.pi_width, row!.pi_level]).toEqual([3, null, null, null]);
  });
});
