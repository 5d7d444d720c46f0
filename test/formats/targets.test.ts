/**
 * checkTargets / summarizeIssues / percentToGkgInPlace against values worked out by hand: the
 * physical limits themselves (0, 580, 1000 g/kg, OM = C) are plausible, the unit warnings fire on
 * the median of the finite values and not at their thresholds, and the messages print it.
 */
import { describe, expect, it } from "vitest";
import { checkTargets, percentToGkgInPlace, summarizeIssues } from "../../src/formats/targets.js";

const N = NaN;
const gkg = { c: "gkg" as const, om: "gkg" as const };

describe("percentToGkgInPlace", () => {
  it("multiplies by 10 at 12 significant digits, in place, NaN left alone", () => {
    const v = Float64Array.of(1.62, N, -0.5, 0, 58.123456789);
    expect(percentToGkgInPlace(v)).toBe(v);
    expect([...v].map((x) => (Number.isNaN(x) ? null : x))).toEqual([16.2, null, -5, 0, 581.23456789]);
  });
});

describe("checkTargets", () => {
  it("flags rows outside [0, 580] C and [0, 1000] OM and OM < C, the limits themselves plausible", () => {
    const c = Float64Array.of(0, 580, -0.1, 580.1, 20, N, 30, 40);
    const om = Float64Array.of(0, 1000, -1, 1000.5, 20, 5, N, 39.9);
    const r = checkTargets(c, om, gkg);
    expect(r.cImpossible).toEqual([2, 3]);
    expect(r.omImpossible).toEqual([2, 3]);
    // OM < C: row 2 (−1 < −0.1) and row 7 (39.9 < 40); OM = C (rows 0, 4) is fine; rows 5 and 6 miss one value
    expect(r.omBelowC).toEqual([2, 7]);
    expect(r.unitWarnings).toEqual([]);
  });

  it("warns on the median of the finite values (even count: the mean of the middle two)", () => {
    // finite C sorted: 100, 160, 400, 900 → median 280; OM: 350 alone
    const r = checkTargets(Float64Array.of(N, 400, 160, 100, 900), Float64Array.of(N, N, 350, N, N), { c: "gkg", om: "percent" });
    expect(r.unitWarnings).toEqual([
      "median C is 280.0 g/kg after reading it as gkg: is the column already in g/kg?",
      "median OM is 350.0 g/kg after reading it as percent: is the column already in g/kg?",
    ]);
    // odd count: the middle value (0.3 of 0.1, 0.3, 0.45); OM 0.8
    const low = checkTargets(Float64Array.of(0.45, 0.1, 0.3), Float64Array.of(0.8, 0.8, 0.8), gkg);
    expect(low.unitWarnings).toEqual([
      "median C is 0.300 g/kg after reading it as gkg: is the column in % (set unit percent)?",
      "median OM is 0.800 g/kg after reading it as gkg: is the column in % (set unit percent)?",
    ]);
  });

  it("no warning at the thresholds themselves (C 150 and 0.5, OM 300 and 1), nor without values", () => {
    expect(checkTargets(Float64Array.of(150, 150), Float64Array.of(300, 300), gkg).unitWarnings).toEqual([]);
    expect(checkTargets(Float64Array.of(0.4, 0.6), Float64Array.of(1, 1), gkg).unitWarnings).toEqual([]);
    expect(checkTargets(Float64Array.of(N, N), Float64Array.of(N, N), gkg).unitWarnings).toEqual([]);
  });
});

describe("summarizeIssues", () => {
  it("counts all rows, names the first 10 (row number when the id is missing)", () => {
    const c = Float64Array.from({ length: 12 }, () => -1);
    const om = Float64Array.from({ length: 12 }, () => 5);
    const ids = Array.from({ length: 12 }, (_, i) => (i === 1 ? null : `s${i}`));
    const s = summarizeIssues(checkTargets(c, om, gkg), ids);
    expect(s.c_impossible).toBe(12);
    expect(s.c_impossible_ids).toEqual(["s0", "row 2", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"]);
    expect([s.om_impossible, s.om_below_c]).toEqual([0, 0]);
    expect(s.om_below_c_ids).toEqual([]);
  });
});
