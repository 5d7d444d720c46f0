/** intervalCalibration on a case small enough to compute by hand. */
import { describe, expect, it } from "vitest";
import { intervalCalibration } from "../../../src/core/stats/calibration.js";

// Every row: predicted expm1(1) (centre 1 on log1p), high expm1(2) (scale w = 1), low 0.
// observed = expm1(1 + s) has score |s|.
const calScores = [0.1, -0.2, 0.3, 0.4];
const testScores = [0.25, 0.35, -0.2];
const all = [...calScores, ...testScores, 0.05, 0.05];
const split = [...calScores.map(() => "cal"), ...testScores.map(() => "test"), "train", null];
const observed = Float64Array.from(all, (s) => Math.expm1(1 + s));
const predicted = new Float64Array(all.length).fill(Math.expm1(1));
const low = new Float64Array(all.length).fill(0);
const high = new Float64Array(all.length).fill(Math.expm1(2));

describe("intervalCalibration (hand-computed)", () => {
  it("reported, rescaled at 0.5 / 0.8 / 0.9 and resplit", () => {
    const rows = intervalCalibration({ observed, predicted, low, high, split, level: 0.9, levels: [0.5, 0.8, 0.9] });
    expect(rows.map((r) => r.method)).toEqual(["reported", "rescaled", "rescaled", "rescaled", "resplit"]);
    // reported: the 3 test rows, all inside [0, expm1(2)]
    expect({ ...rows[0], mean_width: 0 }).toEqual({
      level: 0.9,
      method: "reported",
      n: 3,
      coverage: 1,
      mean_width: 0,
      coverage_p05: null,
      coverage_p95: null,
    });
    expect(rows[0]!.mean_width).toBeCloseTo(Math.expm1(2), 12);
    // 0.5: k = ⌈5·0.5⌉ = 3 → q = 0.3: test scores 0.25 and 0.2 covered, 0.35 not
    const w = (q: number) => Math.expm1(1 + q) - Math.max(0, Math.expm1(1 - q));
    expect(rows[1]!.level).toBe(0.5);
    expect(rows[1]!.n).toBe(3);
    expect(rows[1]!.coverage).toBeCloseTo(2 / 3, 12);
    expect(rows[1]!.mean_width).toBeCloseTo(w(0.3), 10);
    // 0.8: k = 4 → q = 0.4: all covered
    expect(rows[2]!.coverage).toBe(1);
    expect(rows[2]!.mean_width).toBeCloseTo(w(0.4), 10);
    // 0.9: k = 5 > 4 cal rows → unbounded: everything covered, width not finite → null
    expect(rows[3]!.coverage).toBe(1);
    expect(rows[3]!.mean_width).toBeNull();
    expect(rows[4]!.method).toBe("resplit");
    expect(rows[4]!.n).toBe(3);
    expect(rows[4]!.mean_width).toBeNull();
    // 7 pooled scores, 4 cal: k = 5 > 4, q = ∞ in every partition → coverage 1 exactly
    expect([rows[4]!.coverage, rows[4]!.coverage_p05, rows[4]!.coverage_p95]).toEqual([1, 1, 1]);
  });

  it("scores the splits asked for; rows with a NaN anywhere are left out", () => {
    const obs = Float64Array.from(observed);
    obs[4] = NaN; // one test row
    const rows = intervalCalibration({
      observed: obs,
      predicted,
      low,
      high,
      split,
      level: 0.9,
      levels: [0.5],
      scoreSplits: ["test", "train"],
    });
    expect(rows[0]!.n).toBe(3); // 2 test + 1 train
    const noCal = intervalCalibration({ observed, predicted, low, high, split: split.map((s) => (s === "cal" ? "val" : s)), level: 0.9 });
    expect(noCal.map((r) => r.method)).toEqual(["reported"]);
    expect(intervalCalibration({ observed, predicted, low, high, split: split.map(() => "cal"), level: 0.9 })).toEqual([]);
  });

  it("rows whose interval has no upper half-width are not rescaled", () => {
    const flat = Float64Array.from(high);
    for (let i = 0; i < 4; i++) flat[i] = predicted[i]!; // cal rows: w = 0
    const rows = intervalCalibration({ observed, predicted, low, high: flat, split, level: 0.9 });
    expect(rows.map((r) => r.method)).toEqual(["reported"]);
  });

  it("names the column or level that is wrong", () => {
    const one = Float64Array.of(1);
    expect(() =>
      intervalCalibration({ observed: one, predicted: Float64Array.of(1, 2), low: one, high: one, split: ["test"], level: 0.9 }),
    ).toThrow("predicted has 2 rows, expected 1");
    expect(() =>
      intervalCalibration({ observed: one, predicted: one, low: Float64Array.of(), high: one, split: ["test"], level: 0.9 }),
    ).toThrow("low has 0 rows, expected 1");
    expect(() =>
      intervalCalibration({ observed: one, predicted: one, low: one, high: Float64Array.of(), split: ["test"], level: 0.9 }),
    ).toThrow("high has 0 rows, expected 1");
    expect(() => intervalCalibration({ observed: one, predicted: one, low: one, high: one, split: [], level: 0.9 })).toThrow(
      "split has 0 rows, expected 1",
    );
    expect(() =>
      intervalCalibration({ observed: one, predicted: one, low: one, high: one, split: ["test"], level: 0.9, levels: [0.5, 1] }),
    ).toThrow("level 1 must be in (0, 1)");
  });
});
