import { describe, expect, it } from "vitest";
import { organicRows, qLimitsByClass } from "../../../src/core/qc/q-limits-by-class.js";

describe("qLimitsByClass", () => {
  // ln Q per row; row 5 is not in the fit set (e.g. a scan defect). Organic rows: 4, 8, 9.
  const lnQ = [0, 1, 2, 3, 4, 100, 1, 1, 2, 5];
  const input = {
    q: lnQ.map(Math.exp),
    fitRows: Int32Array.from([0, 1, 2, 3, 4, 6, 7, 8, 9]),
    organic: Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 1, 1]),
    source: ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B"],
  };
  const z = 2;
  // exp(median + z·1.4826·MAD) of ln Q, by hand (median and MAD of type-7 quantiles):
  const pooled = Math.exp(2 + z * 1.4826 * 1); // ln Q of all fit rows: median 2, MAD 1
  const mineral = Math.exp(1 + z * 1.4826 * 0.5); // rows 0-3, 6, 7: [0,1,2,3,1,1] → median 1, MAD 0.5
  const organic = Math.exp(4 + z * 1.4826 * 1); // rows 4, 8, 9: [4,2,5] → median 4, MAD 1
  const mineralA = Math.exp(1.5 + z * 1.4826 * 1); // rows 0-3: [0,1,2,3] → median 1.5, MAD 1

  it("matches the hand computation per class and source; small groups take the wider group's limit", () => {
    const r = qLimitsByClass(input, { z, bySource: true, minRows: 3 });
    expect(r.pooled).toBeCloseTo(pooled, 10);
    expect(r.mineral[""]).toBeCloseTo(mineral, 10);
    expect(r.organic[""]).toBeCloseTo(organic, 10);
    expect(r.mineral.A).toBeCloseTo(mineralA, 10);
    // B has 2 mineral and 2 organic fit rows (< 3), A 1 organic: no limits of their own
    expect(Object.keys(r.mineral)).toEqual(["", "A"]);
    expect(Object.keys(r.organic)).toEqual([""]);
    const expected = [mineralA, mineralA, mineralA, mineralA, organic, mineralA, mineral, mineral, organic, organic];
    expect(Array.from(r.perRow)).toEqual(expected.map((v) => expect.closeTo(v, 10)));
  });

  it("per class only when not by source, and the pooled limit for a class below minRows", () => {
    const byClass = qLimitsByClass(input, { z, bySource: false, minRows: 3 });
    expect(Object.keys(byClass.mineral)).toEqual([""]);
    expect(byClass.perRow[0]).toBeCloseTo(mineral, 10);
    const noOrganic = qLimitsByClass(input, { z, bySource: true, minRows: 4 });
    expect(noOrganic.organic).toEqual({});
    expect(noOrganic.perRow[9]).toBeCloseTo(pooled, 10);
    // the default minRows is 20: everything pooled here
    expect(Array.from(qLimitsByClass(input, { z, bySource: true }).perRow)).toEqual(new Array(10).fill(pooled));
  });
});

describe("organicRows", () => {
  it("marks spectrum rows whose sample's C (else OM / 1.724) reaches the threshold", () => {
    const c = Float64Array.from([150, 10, NaN, NaN, 500]);
    const om = Float64Array.from([NaN, 300, 1.724 * 121, 1.724 * 119, NaN]);
    const rowOf = Int32Array.from([3, 0, 1, 2, -1]);
    expect(Array.from(organicRows({ c, om, rowOf, rows: 4 }, 120))).toEqual([0, 1, 0, 1]);
    expect(Array.from(organicRows({ c, om, rowOf, rows: 4 }, null))).toEqual([0, 0, 0, 0]);
  });
});
