import { describe, expect, it } from "vitest";
import { withoutImpossibleObserved } from "../../../src/core/chemometrics/physical-range.js";

describe("withoutImpossibleObserved", () => {
  it("sets aside C and OM outside their ranges (bounds included as plausible), leaves other targets and NaN alone", () => {
    const target = ["c", "c", "c", "c", "om", "om", "om", "ph", null, "c"];
    const observed = [-0.1, 0, 580, 580.5, -3, 1000, 1000.01, -5, -7, NaN];
    const r = withoutImpossibleObserved(target, observed);
    expect(Array.from(r.observed)).toEqual([NaN, 0, 580, NaN, NaN, 1000, NaN, -5, -7, NaN]);
    expect(r.setAside).toEqual({ c: 2, om: 2 });
    expect(observed[0]).toBe(-0.1); // the input is not changed
  });

  it("takes the limits it is given", () => {
    const r = withoutImpossibleObserved(["c", "c", "om"], [5, 50, 90], { cMax: 10, omMin: 100 });
    expect(Array.from(r.observed)).toEqual([5, NaN, NaN]);
    expect(r.setAside).toEqual({ c: 1, om: 1 });
  });
});
