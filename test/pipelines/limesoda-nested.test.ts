/** pipelines/examples/limesoda-nested.yaml through the engine on one real file; the numbers must equal the bench's core run. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadPipeline } from "../../src/engine/pipeline.js";
import { runPipeline } from "../../src/engine/runner.js";
import { findRun, runArtifacts } from "../../src/engine/queries.js";
import { builtinSteps } from "../../src/steps/registry.js";
import { describeWithSharedData, REPO_ROOT } from "../helpers/shared-data.js";

const registry = new Map(builtinSteps().map((s) => [s.type, s]));

describeWithSharedData("pipelines/examples/limesoda-nested.yaml on LimeSoDa NRW_62", () => {
  it("selects per outer fold (the file's fold column), scores the pooled predictions, and meets the reference", async () => {
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);
    try {
      const store = join(await mkdtemp(join(tmpdir(), "somflow-nested-")), "store");
      const run = await runPipeline(await loadPipeline("pipelines/examples/limesoda-nested.yaml", registry), { store });
      expect(run.status).toBe("ok");
      const art = Object.fromEntries((await runArtifacts(store, await findRun(store))).map((a) => [a.step, a]));
      const choices = await art.select!.table("choices");
      expect(choices.fold).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "all"]);
      const pred = await art.select!.table("predictions");
      expect((pred.split as string[]).every((s) => s === "test")).toBe(true);
      expect((pred.split as string[]).length).toBe(62);
      const m = await art.metrics!.table("metrics");
      const row = (m.group as string[]).findIndex(
        (g, i) => g === "all" && (m.scale as string[])[i] === "gkg" && (m.split as string[])[i] === "test",
      );
      const r2 = (m.r2 as Float64Array)[row]!;
      // independent reference (scikit-learn, same folds): PLSR-SNV R² 0.802; the acceptance bar is 0.782
      expect(r2).toBeGreaterThan(0.782);
      expect((m.pi_coverage as Float64Array)[row]!).toBeGreaterThan(0.8);
    } finally {
      process.chdir(cwd);
    }
  }, 300_000);
});
