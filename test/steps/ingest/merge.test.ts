import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory, type MemoryInput } from "../../../src/engine/memory-step.js";
import { StepInputError } from "../../../src/engine/step.js";
import { libraryMergeStep } from "../../../src/steps/ingest/merge.js";
import { synthLibraryStep } from "../../../src/steps/ingest/synth-library.js";
import { textColumn } from "../../../src/core/table.js";

async function synthInput(step: string, seed: number): Promise<MemoryInput> {
  const r = await runStepInMemory(synthLibraryStep, { n: 200, seed }, [], step);
  return { step, type: "synth.library", artifact: r.artifact };
}

describe("library.merge step", () => {
  it("merges two libraries and prefixes clashing ids (the synthetic duplicate_id defects too)", async () => {
    const a = await synthInput("a", 1);
    const b = emptyArtifact();
    b.tables.set("samples", { sample_id: ["kssl-000001", "own-1"], source: ["mylab", "mylab"], c_gkg: Float64Array.from([5, 6]) });
    b.spectra.set("spectra", [
      {
        source: "mylab",
        instrument: "alpha",
        unit: "absorbance",
        wavenumbers: Float64Array.from([600, 602]),
        ids: ["kssl-000001", "own-1"],
        values: new Float32Array(4),
      },
    ]);
    const r = await runStepInMemory(libraryMergeStep, {}, [a, { step: "b", type: "ingest.table", artifact: b }]);
    const ids = textColumn(r.artifact.tables.get("samples")!, "sample_id");
    expect(ids.length).toBe(202);
    expect(new Set(ids).size).toBe(202);
    expect(ids).toContain("mylab:kssl-000001");
    expect(ids).toContain("kssl-like:kssl-000001");
    const blockIds = r.artifact.spectra.get("spectra")!.flatMap((x) => x.ids);
    expect(new Set(blockIds)).toEqual(new Set(ids));
    expect(textColumn(r.artifact.tables.get("truth")!, "sample_id")).toEqual(ids.slice(0, 200));
    expect(r.logs.join("\n")).toMatch(/ids clash across sources/);
  });

  it("rejects clashes when asked to", async () => {
    const a = await synthInput("a", 1);
    const err = await runStepInMemory(libraryMergeStep, { duplicates: "reject" }, [a, { ...a, step: "a2" }]).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/sample ids occur more than once/);
  });

  it("needs at least one library input", async () => {
    const err = await runStepInMemory(libraryMergeStep, {}, [{ step: "x", type: "t", artifact: emptyArtifact() }]).catch((e) => e);
    expect(err.message).toMatch(/needs at least one input step with a samples output/);
  });
});
