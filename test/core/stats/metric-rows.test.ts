import { describe, expect, it } from "vitest";
import { depthBand } from "../../../src/core/stats/depth-band.js";
import { metricRows } from "../../../src/core/stats/metric-rows.js";
import { regressionMetrics } from "../../../src/core/stats/metrics.js";

const f = (xs: number[]) => Float64Array.from(xs);

// Built inside each test (not in the describe body): Stryker activates a mutant after the
// describe bodies have run, so a describe-level fixture would hide it (bench/RESULTS.md).
const observed = f([10, 20, 30, 40, 50, 60]);
const predicted = f([12, 18, 33, 39, 55, 58]);
function build() {
  const low = predicted.map((v) => v - 4);
  const high = predicted.map((v) => v + 4);
  return metricRows({
    step: "s",
    model: "plsr",
    target: "c",
    split: "test",
    observed,
    predicted,
    low,
    high,
    source: ["a", "a", "b", "b", "b", null],
    depthTop: f([0, 10, 30, 150, 250, NaN]),
  });
}

describe("metricRows", () => {
  it("has overall, source and depth-band groups on both scales", () => {
    const rows = build();
    const groups = rows.filter((r) => r.scale === "gkg").map((r) => r.group);
    expect(groups).toEqual(["all", "source=a", "source=b", "source=unknown", "depth=0-30", "depth=30-100", "depth=100-200"]);
    expect(rows.filter((r) => r.scale === "log1p")).toHaveLength(7);
  });

  it("overall g/kg row equals regressionMetrics and log1p row uses log1p values", () => {
    const rows = build();
    const all = rows.find((r) => r.group === "all" && r.scale === "gkg")!;
    expect(all.rmse).toBeCloseTo(regressionMetrics(observed, predicted).rmse!, 12);
    expect(all.pi_level).toBe(0.9);
    // coverage: |e| ≤ 4 for rows 0,1,2,3,5, row 4 has e = 5 → 5/6
    expect(all.pi_coverage).toBeCloseTo(5 / 6, 12);
    const lg = rows.find((r) => r.group === "all" && r.scale === "log1p")!;
    const ref = regressionMetrics(observed.map(Math.log1p), predicted.map(Math.log1p));
    expect(lg.rmse).toBeCloseTo(ref.rmse!, 12);
    expect(lg.pi_coverage).toBeCloseTo(5 / 6, 12);
    const b = rows.find((r) => r.group === "source=b" && r.scale === "gkg")!;
    expect(b.n).toBe(3);
    expect(b.bias).toBeCloseTo((3 - 1 + 5) / 3, 12);
  });

  it("depth bands use the top depth", () => {
    expect(depthBand(0)).toBe("0-30");
    expect(depthBand(29.9)).toBe("0-30");
    expect(depthBand(30)).toBe("30-100");
    expect(depthBand(199)).toBe("100-200");
    expect(depthBand(200)).toBeNull();
    expect(depthBand(NaN)).toBeNull();
  });
});
