/** The pipeline files we ship: all validate against the built-in steps; the real-data example runs. */
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPipeline } from "../../src/engine/pipeline.js";
import { runPipeline } from "../../src/engine/runner.js";
import { findRun, runArtifacts } from "../../src/engine/queries.js";
import { builtinSteps } from "../../src/steps/registry.js";
import { describeWithSharedData, REPO_ROOT } from "../helpers/shared-data.js";

const registry = new Map(builtinSteps().map((s) => [s.type, s]));
const dirs = ["pipelines", "pipelines/examples"];

describe("shipped pipeline files", () => {
  it("all validate against the built-in step types", async () => {
    let count = 0;
    for (const d of dirs) {
      for (const f of (await readdir(join(REPO_ROOT, d))).filter((x) => x.endsWith(".yaml"))) {
        const p = await loadPipeline(join(REPO_ROOT, d, f), registry);
        expect(p.steps.length, f).toBeGreaterThan(3);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(5);
  });
});

describeWithSharedData("pipelines/examples/limesoda.yaml on the real LimeSoDa files", () => {
  it("ingests five instruments, preprocesses, screens and harmonizes them", async () => {
    const cwd = process.cwd();
    process.chdir(REPO_ROOT); // the example's paths are relative to the repository root
    try {
      const store = join(await mkdtemp(join(tmpdir(), "somflow-lime-")), "store");
      const pipeline = await loadPipeline("pipelines/examples/limesoda.yaml", registry);
      const run = await runPipeline(pipeline, { store, only: ["harmonize", "plsr-c"] });
      expect(run.status).toBe("ok");
      expect(run.steps.map((s) => s.status).every((s) => s === "ran")).toBe(true);
      const art = Object.fromEntries((await runArtifacts(store, await findRun(store))).map((a) => [a.step, a]));
      expect((await art.library!.table("samples", ["sample_id"])).sample_id!.length).toBe(389);
      const blocks = await art.harmonize!.spectra("spectra");
      expect(blocks.map((b) => b.source).sort()).toEqual(["H_138", "NRW_115", "NRW_42", "NRW_62", "O_32"]);
      expect(new Set(blocks.map((b) => b.wavenumbers.length)).size).toBe(1); // one common grid
      const pred = await art["plsr-c"]!.table("predictions", ["split", "predicted"]);
      expect((pred.split as string[]).filter((s) => s === "test").length).toBeGreaterThan(30);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);
});
