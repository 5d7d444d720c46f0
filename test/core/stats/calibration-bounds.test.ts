/** Boundaries of the calibration and resplit computations (what a wrong ≥/> would change). */
import { describe, expect, it } from "vitest";
import { intervalCalibration } from "../../../src/core/stats/calibration.js";
import { resplitCoverage } from "../../../src/core/stats/conformal.js";
import { createRng } from "../../../src/core/random.js";

describe("calibration boundaries", () => {
  it("an observation equal to an interval end is covered (reported)", () => {
    const rows = intervalCalibration({
      observed: Float64Array.of(2, 6, 7),
      predicted: Float64Array.of(4, 4, 4),
      low: Float64Array.of(2, 2, 2),
      high: Float64Array.of(6, 6, 6),
      split: ["test", "test", "test"],
      level: 0.9,
    });
    expect(rows[0]!.coverage).toBeCloseTo(2 / 3, 12);
    expect(rows[0]!.mean_width).toBe(4);
  });

  it("rows with observed ≤ −1 (no log1p) are not rescaled; the others are", () => {
    const e1 = Math.expm1(1);
    const e2 = Math.expm1(2);
    const rows = intervalCalibration({
      observed: Float64Array.of(e1, e1, e1, -1, e1),
      predicted: Float64Array.of(e1, e1, e1, e1, e1),
      low: Float64Array.of(0, 0, 0, 0, 0),
      high: Float64Array.of(e2, e2, e2, e2, e2),
      split: ["cal", "cal", "cal", "test", "test"],
      level: 0.5,
      levels: [0.5],
    });
    expect(rows[0]!.n).toBe(2); // reported: both test rows
    expect(rows[1]!.method).toBe("rescaled");
    expect(rows[1]!.n).toBe(1); // the −1 row left out
    expect(rows[1]!.coverage).toBe(1); // score 0 ≤ q = 0
    expect(rows[1]!.mean_width).toBe(0);
  });
});

describe("resplitCoverage with one repeat", () => {
  it("gives that partition's coverage as mean, p05 and p95", () => {
    const r = resplitCoverage(Float64Array.of(1, 2, 3), Float64Array.of(4, 5), 0.5, createRng(3), 1)!;
    expect(r.repeats).toBe(1);
    expect([0, 0.5, 1]).toContain(r.mean);
    expect(r.p05).toBe(r.mean);
    expect(r.p95).toBe(r.mean);
  });
});
