import { describe, expect, it } from "vitest";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import { synthLibraryStep } from "../../../src/steps/ingest/synth-library.js";
import { tableRowCount } from "../../../src/core/table.js";

describe("synth.library step", () => {
  it("writes samples, spectra, truth and instruments", async () => {
    const { artifact, records, logs } = await runStepInMemory(synthLibraryStep, { n: 300, seed: 3 });
    const samples = artifact.tables.get("samples")!;
    expect(tableRowCount(samples)).toBe(300);
    expect(Object.keys(samples)).toEqual([
      "sample_id",
      "source",
      "instrument",
      "lat",
      "lon",
      "depth_top_cm",
      "depth_bottom_cm",
      "c_gkg",
      "om_gkg",
      "c_method",
      "om_method",
      "clay_pct",
    ]);
    expect(tableRowCount(artifact.tables.get("truth")!)).toBe(300);
    expect(artifact.spectra.get("spectra")!.length).toBe(7);
    const inst = artifact.json.get("instruments") as { source: string; shift: number }[];
    expect(inst.map((i) => i.source)).toContain("kssl-like");
    expect(records).toMatchObject({ seed: 3, n: 300 });
    expect(logs[0]).toMatch(/300 samples from 7 sources/);
  });

  it("rejects unknown options", async () => {
    await expect(runStepInMemory(synthLibraryStep, { n: 300, sead: 1 })).rejects.toThrow();
  });
});
