/**
 * hybridLong / hybridWide on a hand-made hybrid table whose rows are not in the samples' order
 * (rows = [1, 0]): every carried column checked value by value.
 */
import { describe, expect, it } from "vitest";
import { hybridLong, hybridWide } from "../../../src/core/impute/layout.js";
import type { Table } from "../../../src/core/table.js";

const N = NaN;
const nan = (v: number) => (Number.isNaN(v) ? null : v);

function tables() {
  const hybrid: Table = {
    sample_id: ["y", "x", "y", "x"],
    target: ["c", "c", "om", "om"],
    value: Float64Array.of(12, 10, 40, N),
    origin: ["measured", "measured", "measured", "rejected"],
    measured: Float64Array.of(12, 10, 40, N),
    set_aside: [null, null, null, null],
    reason: [null, null, null, "no model configured for target om"],
    predicted_mean: Float64Array.of(11, 9, N, N),
    model: ["m", "m", null, null],
  };
  const samples: Table = {
    sample_id: ["x", "y"],
    depth_top_cm: Float64Array.of(0, 30),
    lat: Float64Array.of(1, 2),
    c_gkg_reported: Float64Array.of(10, 12),
    om_gkg_reported: Float64Array.of(N, 40),
    c_method: ["dry combustion", "Walkley-Black"],
  };
  return { hybrid, samples, long: hybridLong(hybrid, samples, Int32Array.of(1, 0)) };
}

describe("hybridLong", () => {
  it("puts each row's own sample columns and lab values beside it (absent columns null/NaN)", () => {
    const { long } = tables();
    expect(Object.keys(long)).toEqual([
      "sample_id",
      "source",
      "depth_top_cm",
      "depth_bottom_cm",
      "lat",
      "lon",
      "target",
      "value",
      "origin",
      "measured",
      "measured_reported",
      "lab_method",
      "set_aside",
      "reason",
      "predicted_mean",
      "model",
    ]);
    expect(long.source).toEqual([null, null, null, null]);
    expect([...(long.depth_top_cm as Float64Array)]).toEqual([30, 0, 30, 0]);
    expect([...(long.lat as Float64Array)]).toEqual([2, 1, 2, 1]);
    expect([...(long.lon as Float64Array)].map(nan)).toEqual([null, null, null, null]);
    expect(long.measured_reported).toBeInstanceOf(Float64Array);
    expect([...(long.measured_reported as Float64Array)].map(nan)).toEqual([12, 10, 40, null]);
    expect(long.lab_method).toEqual(["Walkley-Black", "dry combustion", null, null]);
    expect([...(long.value as Float64Array)].map(nan)).toEqual([12, 10, 40, null]);
  });
});

describe("hybridWide", () => {
  it("one row per sample; only the per-target columns the long table has", () => {
    const { long } = tables();
    const w = hybridWide(long);
    expect(Object.keys(w)).toEqual([
      "sample_id",
      "source",
      "depth_top_cm",
      "depth_bottom_cm",
      "lat",
      "lon",
      "c_value",
      "c_origin",
      "c_measured",
      "c_measured_reported",
      "c_lab_method",
      "c_set_aside",
      "c_predicted_mean",
      "c_model",
      "c_reason",
      "om_value",
      "om_origin",
      "om_measured",
      "om_measured_reported",
      "om_lab_method",
      "om_set_aside",
      "om_predicted_mean",
      "om_model",
      "om_reason",
    ]);
    expect(w.sample_id).toEqual(["y", "x"]);
    expect([...(w.om_value as Float64Array)].map(nan)).toEqual([40, null]);
    expect([...(w.c_predicted_mean as Float64Array)]).toEqual([11, 9]);
    expect(w.om_reason).toEqual([null, "no model configured for target om"]);
  });
});
