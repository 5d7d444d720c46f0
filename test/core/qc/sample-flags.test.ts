import { describe, expect, it } from "vitest";
import { flagColumns, percentLookingSources, qcSummary, sampleReasons, spectrumRowOfSample } from "../../../src/core/qc/sample-flags.js";

describe("spectrumRowOfSample", () => {
  it("pairs the k-th sample of an id with the k-th spectrum of it, the last once they run out", () => {
    const rowOf = spectrumRowOfSample(["a", "b", "a", "x", null, "a"], ["a", "b", "a"]);
    expect(Array.from(rowOf)).toEqual([0, 1, 2, -1, -1, 2]);
  });
});

describe("sampleReasons", () => {
  const input = {
    sampleId: ["s1", "s2", "s2", null, "s4"],
    rowOf: Int32Array.from([0, 1, 2, 3, -1]),
    scan: [[], ["spike"], [], []],
    q: [1, 1, 5, 1],
    qLimit: [2, 2, 4, 2],
    t2: [10, 1, 1, 1],
    t2Limit: 9,
    violations: [[], [], ["c_negative"], [], ["om_below_c"]],
  };

  it("lists id, spectrum and lab-value reasons in that order", () => {
    const r = sampleReasons(input, { t2: "flag" });
    expect(r.reasons).toEqual([
      ["t2"],
      ["duplicate_id", "spike"],
      ["duplicate_id", "q_residual", "c_negative"],
      ["missing_id"],
      ["no_spectrum", "om_below_c"],
    ]);
    expect(Array.from(r.t2Extreme)).toEqual([0, 0, 0, 0, 0]);
  });

  it("reports T² beyond its limit without flagging it under t2: report", () => {
    const r = sampleReasons(input, { t2: "report" });
    expect(r.reasons[0]).toEqual([]);
    expect(Array.from(r.t2Extreme)).toEqual([1, 0, 0, 0, 0]);
  });
});

describe("flagColumns", () => {
  it("joins reasons; t2 alone neither excludes nor (no_spectrum) makes a spectral outlier", () => {
    const f = flagColumns([[], ["t2"], ["no_spectrum"], ["q_residual", "c_negative"], ["c_unit_suspect"]]);
    expect(f.qcFlags).toEqual([null, "t2", "no_spectrum", "q_residual;c_negative", "c_unit_suspect"]);
    expect(f.spectralOutlier).toEqual([false, true, false, true, false]);
    expect(f.excludeTrain).toEqual([false, false, true, true, true]);
  });
});

describe("percentLookingSources", () => {
  it("finds a source whose C column is % (median < 1.5, 90th percentile < 6), not one of low-C soils with a real tail", () => {
    const pct = [0.5, 0.8, 1.0, 1.1, 1.2, 1.3, 1.4, 2, 3, 4, 5];
    const lowButReal = [0.5, 0.8, 1.0, 1.1, 1.2, 1.3, 1.4, 2, 3, 40, 50];
    const c = Float64Array.from([...pct, ...lowButReal, 0.1, 0.2]);
    const source = [...pct.map(() => "P"), ...lowButReal.map(() => "L"), "few", "few"];
    expect(percentLookingSources(c, source)).toEqual([{ source: "P", n: 11, median: 1.3 }]);
  });
});

describe("qcSummary", () => {
  it("counts samples per source and reason, t2_extreme and the percent rule included, sorted", () => {
    const s = qcSummary(
      [["spike"], ["spike", "c_negative"], [], ["spike"]],
      Uint8Array.from([0, 0, 1, 0]),
      ["B", "B", "A", null],
      [{ source: "A", n: 12, median: 1 }],
    );
    expect(s.source).toEqual(["", "A", "A", "B", "B"]);
    expect(s.reason).toEqual(["spike", "source_c_looks_percent", "t2_extreme", "c_negative", "spike"]);
    expect(Array.from(s.count)).toEqual([1, 12, 1, 1, 2]);
  });
});
