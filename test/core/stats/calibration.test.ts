import { describe, expect, it } from "vitest";
import { intervalCalibration } from "../../../src/core/stats/calibration.js";
import { createRng } from "../../../src/core/random.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";

describe("intervalCalibration", () => {
  it("reports the given level only when there are no cal rows", () => {
    // test rows: obs 10 in [8,12] yes, obs 20 in [21,25] no → coverage 0.5, width (4+4)/2
    const rows = intervalCalibration({
      observed: Float64Array.of(10, 20),
      predicted: Float64Array.of(10, 23),
      low: Float64Array.of(8, 21),
      high: Float64Array.of(12, 25),
      split: ["test", "test"],
      level: 0.9,
    });
    expect(rows).toEqual([{ level: 0.9, method: "reported", n: 2, coverage: 0.5, mean_width: 4, coverage_p05: null, coverage_p95: null }]);
  });

  it("rescaled curve is near nominal for exchangeable cal/test data", () => {
    const rng = createRng(11);
    const n = 4000;
    const obs = new Float64Array(n);
    const pred = new Float64Array(n);
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    const split: string[] = [];
    for (let i = 0; i < n; i++) {
      const mu = 1 + 3 * rng.next();
      const sigma = 0.1 + 0.3 * rng.next(); // heteroscedastic, known σ
      pred[i] = Math.expm1(mu);
      obs[i] = Math.expm1(mu + rng.normal(0, sigma));
      lo[i] = Math.max(0, Math.expm1(mu - 1.645 * sigma));
      hi[i] = Math.expm1(mu + 1.645 * sigma);
      split.push(i % 2 ? "cal" : "test");
    }
    const rows = intervalCalibration({ observed: obs, predicted: pred, low: lo, high: hi, split, level: 0.9 });
    expect(rows[0]!.method).toBe("reported");
    expect(rows[0]!.coverage!).toBeGreaterThan(0.87);
    expect(rows[0]!.coverage!).toBeLessThan(0.93);
    const rescaled = rows.filter((r) => r.method === "rescaled");
    expect(rescaled.map((r) => r.level)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);
    for (const r of rescaled) expect(Math.abs(r.coverage! - r.level)).toBeLessThan(0.03);
    // widths grow with the level
    for (let k = 1; k < rescaled.length; k++) expect(rescaled[k]!.mean_width!).toBeGreaterThan(rescaled[k - 1]!.mean_width!);
    const resplit = rows.filter((r) => r.method === "resplit");
    expect(resplit).toHaveLength(1);
    expect(resplit[0]!.level).toBe(0.9);
    expect(Math.abs(resplit[0]!.coverage! - 0.9)).toBeLessThan(0.01);
    // 2,000 cal and 2,000 test rows: single splits vary by ~±0.01.
    expect(resplit[0]!.coverage_p05!).toBeGreaterThan(0.88);
    expect(resplit[0]!.coverage_p95!).toBeLessThan(0.92);
  });

  it("throws RangeError on bad levels", () => {
    const a = Float64Array.of(1);
    expect(() => intervalCalibration({ observed: a, predicted: a, low: a, high: a, split: ["test"], level: 1.2 })).toThrow(RangeError);
  });
});

describe("predictionMetricRows", () => {
  it("scores each target and requested split, without intervals when pi columns are NaN", () => {
    const table = {
      sample_id: ["a", "b", "c", "d", "e"],
      target: ["c", "c", "c", "om", "om"],
      split: ["test", "test", "train", "test", "test"],
      source: ["x", "y", "x", "x", "x"],
      depth_top_cm: Float64Array.of(0, 50, 0, 0, 0),
      observed: Float64Array.of(1, 2, 3, 4, 5),
      predicted: Float64Array.of(1, 3, 3, 4, 7),
      sd: new Float64Array(5).fill(NaN),
      pi_low: new Float64Array(5).fill(NaN),
      pi_high: new Float64Array(5).fill(NaN),
      in_domain: [null, null, null, null, null],
    };
    const rows = predictionMetricRows(table, { step: "m", model: "cnn.train" });
    const cAll = rows.find((r) => r.target === "c" && r.group === "all" && r.scale === "gkg")!;
    expect(cAll.n).toBe(2);
    expect(cAll.rmse).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(cAll.pi_coverage).toBeNull();
    expect(cAll.pi_level).toBeNull();
    const omAll = rows.find((r) => r.target === "om" && r.group === "all" && r.scale === "gkg")!;
    expect(omAll.bias).toBeCloseTo(1, 12);
    expect(rows.some((r) => r.split !== "test")).toBe(false);
  });
});
