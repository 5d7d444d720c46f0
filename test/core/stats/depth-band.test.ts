import { describe, expect, it } from "vitest";
import { DEPTH_BANDS, depthBand } from "../../../src/core/stats/depth-band.js";

describe("depthBand", () => {
  it("puts each top depth in the band lo ≤ d < hi, at every boundary", () => {
    expect(DEPTH_BANDS.map((b) => [b.label, b.lo, b.hi])).toEqual([
      ["0-30", 0, 30],
      ["30-100", 30, 100],
      ["100-200", 100, 200],
    ]);
    expect([0, 29.999, 30, 99.999, 100, 199.999].map(depthBand)).toEqual(["0-30", "0-30", "30-100", "30-100", "100-200", "100-200"]);
  });

  it("returns null above 200 cm, below 0 and for unknown depths", () => {
    expect([200, 250, -0.001, -30, NaN, Infinity, -Infinity].map(depthBand)).toEqual([null, null, null, null, null, null, null]);
  });
});
