import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { harmonizeTargets } from "../../../src/steps/harmonize/targets.js";
import { physicalRangeViolations } from "../../../src/core/chemometrics/physical-range.js";

describe("harmonize.targets", () => {
  it("converts units per source and methods, keeping the reported values", async () => {
    const art = emptyArtifact();
    art.tables.set("samples", {
      sample_id: ["1", "2", "3", "4"],
      source: ["A", "A", "P", "P"],
      c_gkg: Float64Array.from([10, 20, 1.5, NaN]),
      om_gkg: Float64Array.from([30, NaN, 4, 50]),
      c_method: ["walkley_black", "dry_combustion", "dry_combustion", null],
      om_method: ["loi", null, "walkley_black", "mystery"],
    });
    const res = await runStepInMemory(harmonizeTargets, { units: { P: "percent" } }, [{ step: "ingest", type: "ingest.x", artifact: art }]);
    const s = res.artifact.tables.get("samples")!;
    expect(Array.from(s.c_gkg as Float64Array)).toEqual([13, 20, 15, NaN]);
    expect(Array.from(s.c_conversion as Float64Array)).toEqual([1.3, 1, 10, 10]);
    expect(Array.from(s.om_gkg as Float64Array)).toEqual([30, NaN, 52, 500]);
    expect(Array.from(s.c_gkg_reported as Float64Array)).toEqual([10, 20, 1.5, NaN]);
    expect(res.logs.join()).toMatch(/mystery/);
    // idempotent: re-running on its own output starts from the reported values
    const again = emptyArtifact();
    again.tables.set("samples", s);
    const res2 = await runStepInMemory(harmonizeTargets, { units: { P: "percent" } }, [
      { step: "t", type: "harmonize.targets", artifact: again },
    ]);
    expect(Array.from(res2.artifact.tables.get("samples")!.c_gkg as Float64Array)).toEqual([13, 20, 15, NaN]);
  });

  it("subtracts the structural water of clays from LOI OM where clay is known", async () => {
    const art = emptyArtifact();
    art.tables.set("samples", {
      sample_id: ["1", "2", "3", "4"],
      source: ["A", "A", "A", "A"],
      om_gkg: Float64Array.from([60, 60, 60, 5]),
      om_method: ["loi", "loi", "walkley_black", "loi"],
      clay_pct: Float64Array.from([30, NaN, 30, 40]),
    });
    const res = await runStepInMemory(harmonizeTargets, {}, [{ step: "ingest", type: "ingest.x", artifact: art }]);
    const s = res.artifact.tables.get("samples")!;
    // 60 - 0.07 * 300 g/kg clay = 39; no clay: unchanged; not LOI: only the method factor; floored at 0
    expect(Array.from(s.om_gkg as Float64Array)).toEqual([39, 60, 78, 0]);
    expect(Array.from(s.om_clay_water_gkg as Float64Array)).toEqual([21, NaN, NaN, 5]);
    const off = await runStepInMemory(harmonizeTargets, { loi_clay_water: 0 }, [{ step: "ingest", type: "ingest.x", artifact: art }]);
    expect(Array.from(off.artifact.tables.get("samples")!.om_gkg as Float64Array)).toEqual([60, 60, 78, 5]);
  });

  it("names unknown sources and methods when asked to be strict", async () => {
    const art = emptyArtifact();
    art.tables.set("samples", { sample_id: ["1"], source: ["A"], c_gkg: Float64Array.from([1]), c_method: ["odd"] });
    await expect(
      runStepInMemory(harmonizeTargets, { units: { Z: "percent" } }, [{ step: "i", type: "ingest.x", artifact: art }]),
    ).rejects.toThrow(/option units: source "Z"/);
    await expect(
      runStepInMemory(harmonizeTargets, { unknown_method: "error" }, [{ step: "i", type: "ingest.x", artifact: art }]),
    ).rejects.toThrow(/c_method "odd".*c_factors/);
  });
});

describe("physicalRangeViolations", () => {
  it("applies the default and custom ranges (also to predictions)", () => {
    const v = physicalRangeViolations([-1, 600, 10, NaN, 20], [5, 1200, 5, 10, NaN]);
    expect(v).toEqual([["c_negative"], ["c_above_max", "om_above_max"], ["om_below_c"], [], []]);
    expect(physicalRangeViolations([600], undefined, { cMax: 700 })).toEqual([[]]);
  });
});
