// evenRows, unitSuspects and physicalRangeViolations at their boundaries, with hand-computed
// expectations.
import { describe, expect, it } from "vitest";
import { evenRows } from "../../../src/core/chemometrics/even-rows.js";
import { unitSuspects } from "../../../src/core/chemometrics/unit-suspects.js";
import { physicalRangeViolations } from "../../../src/core/chemometrics/physical-range.js";

describe("evenRows", () => {
  it("returns the matrix itself up to max rows, else rows ⌊i·n/max⌋ as Float32", () => {
    const v = Float64Array.from({ length: 7 * 2 }, (_, i) => i);
    const same = evenRows(v, { rows: 7, cols: 2 }, 7);
    expect(same.values).toBe(v);
    expect(same.shape).toEqual({ rows: 7, cols: 2 });
    const sub = evenRows(v, { rows: 7, cols: 2 }, 3); // rows 0, 2, 4
    expect(sub.values).toBeInstanceOf(Float32Array);
    expect(Array.from(sub.values)).toEqual([0, 1, 4, 5, 8, 9]);
    expect(sub.shape).toEqual({ rows: 3, cols: 2 });
    const six = evenRows(v, { rows: 7, cols: 2 }, 6); // ⌊7i/6⌋ = 0, 1, 2, 3, 4, 5
    expect(Array.from(six.values)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const one = evenRows(v, { rows: 7, cols: 2 }, 1);
    expect(Array.from(one.values)).toEqual([0, 1]);
  });
});

describe("unitSuspects", () => {
  it("flags beyond ±log10(ratio) of (o + offset)/(max(p, 0) + offset), not at it", () => {
    // offset 1: (o + 1)/(p + 1) = 5 exactly is not suspect, just over is
    const o = [9, 9.001, 0, 0, 1, Number.NaN, -1, 3, 10];
    const p = [1, 1, 4, 4.001, Number.NaN, 1, 5, -7, Infinity];
    expect(Array.from(unitSuspects(o, p))).toEqual([0, 1, 0, -1, 0, 0, 0, 0, 0]);
    // p < 0 counts as 0: (3 + 1)/(0 + 1) = 4 < 5 → not suspect; ratio 3 → suspect
    expect(Array.from(unitSuspects([3], [-7], { ratio: 3 }))).toEqual([1]);
    // offset 10: (90 + 10)/(10 + 10) = 5 → not suspect; (100 + 10)/(10 + 10) = 5.5 → suspect
    expect(Array.from(unitSuspects([90, 100, 0], [10, 10, 100], { offset: 10 }))).toEqual([0, 1, -1]);
    expect(Array.from(unitSuspects([0], [0]))).toEqual([0]);
  });
  it("messages", () => {
    expect(() => unitSuspects([1], [1], { ratio: 1 })).toThrow("unitSuspects: ratio must be > 1, got 1");
    expect(() => unitSuspects([1], [1], { ratio: Number.NaN })).toThrow(RangeError);
    expect(() => unitSuspects([1], [1], { offset: 0 })).toThrow("unitSuspects: offset must be > 0, got 0");
    expect(() => unitSuspects([1], [1], { offset: Number.NaN })).toThrow(RangeError);
    expect(() => unitSuspects([1, 2], [1])).toThrow("unitSuspects: 2 observed vs 1 predicted");
  });
});

describe("physicalRangeViolations", () => {
  it("each rule at its bound, OM ≥ C, NaN never a violation", () => {
    const c = [-0.1, 0, 580, 580.5, 10, 10, Number.NaN, 5];
    const om = [0, -0.1, 1000, 1000.1, 9.9, 10, 3, Number.NaN];
    expect(physicalRangeViolations(c, om)).toEqual([
      ["c_negative"],
      ["om_negative", "om_below_c"],
      [],
      ["c_above_max", "om_above_max"],
      ["om_below_c"],
      [],
      [],
      [],
    ]);
    expect(physicalRangeViolations([-1, 600, 5])).toEqual([["c_negative"], ["c_above_max"], []]);
  });
  it("takes the limits it is given, and the OM ≥ C rule can be switched off", () => {
    expect(physicalRangeViolations([5, 11], [4, 2], { cMin: 6, cMax: 10, omMin: 3, omAtLeastC: false })).toEqual([
      ["c_negative"],
      ["c_above_max", "om_negative"],
    ]);
    expect(physicalRangeViolations([1], [5], { omMax: 4 })).toEqual([["om_above_max"]]);
    expect(physicalRangeViolations([3], [3], { cMin: 3, cMax: 3, omMin: 3, omMax: 3 })).toEqual([[]]);
  });
  it("messages", () => {
    expect(() => physicalRangeViolations([1], [1, 2])).toThrow("physicalRangeViolations: c has 1 values, om 2");
    expect(() => physicalRangeViolations([1], undefined, { cMin: 2, cMax: 1 })).toThrow(
      'physicalRangeViolations: need cMin ≤ cMax and omMin ≤ omMax, got {"cMin":2,"cMax":1,"omMin":0,"omMax":1000,"omAtLeastC":true}',
    );
    expect(() => physicalRangeViolations([1], undefined, { omMin: 2, omMax: 1 })).toThrow(RangeError);
    expect(() => physicalRangeViolations([1], undefined, { cMin: Number.NaN })).toThrow(RangeError);
  });
});
