/**
 * Two CNN steps in one process at `run --jobs 2` (they share one tfjs engine), and artifacts
 * free of timings and host facts: fresh stores, different job counts and core budgets → the
 * same artifact hash for every step.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePipeline } from "../../../src/engine/pipeline.js";
import { runPipeline } from "../../../src/engine/runner.js";
import { builtinSteps } from "../../../src/steps/registry.js";

const registry = new Map(builtinSteps().map((s) => [s.type, s]));

const text = `name: cnn-jobs
steps:
  library:
    uses: synth.library
    with: { n: 200, seed: 4 }
  preprocess:
    uses: spectra.preprocess
    needs: [library]
    with:
      grid: { from: 600, to: 4000, step: 16 }
      out_of_range: trim
  qc:
    uses: qc.outliers
    needs: [library, preprocess]
  targets:
    uses: harmonize.targets
    needs: [qc]
  train:
    uses: cnn.train
    needs: [preprocess, targets]
    matrix:
      fold: [0, 1]
    with:
      target: c
      folds: 2
      test_fold: \${matrix.fold}
      epochs: 3
      uncertainty: none
      domain_components: 2
  plsr:
    uses: baseline.plsr
    needs: [preprocess, targets]
    with: { target: c, max_components: 5 }
`;

const newStore = async () => join(await mkdtemp(join(tmpdir(), "somflow-cnn-jobs-")), "store");

describe("CNN steps at --jobs 2, reproducible artifacts", () => {
  it("two CNN steps side by side both finish, and fresh stores give identical artifact hashes at --jobs 1 and 2", async () => {
    const p = parsePipeline("cnn-jobs.yaml", text, registry);
    const a = await runPipeline(p, { store: await newStore(), jobs: 2 });
    expect(a.steps.filter((s) => s.status !== "ran").map((s) => `${s.name}: ${s.status} ${s.reason}`)).toEqual([]);
    const b = await runPipeline(p, { store: await newStore(), jobs: 1, threads: 2 });
    expect(b.status).toBe("ok");
    const hashes = (r: typeof a) => Object.fromEntries(r.steps.map((s) => [s.name, s.artifact]));
    expect(hashes(b)).toEqual(hashes(a));
    // timings went to the run record's facts
    const fold0 = a.steps.find((s) => s.name === "train.fold-0")!;
    expect(typeof fold0.facts.cnn_seconds).toBe("number");
    expect(fold0.facts.cnn_tier).toBe("small");
  }, 180_000);
});

describe("cnn.train defaults by n", () => {
  it("records the resolved settings and no timings in model_meta", async () => {
    const { runStepInMemory } = await import("../../../src/engine/memory-step.js");
    const { cnnTrainStep } = await import("../../../src/steps/cnn/train.js");
    const { makeFixture } = await import("../baseline/fixture.js");
    const fx = makeFixture(120);
    const arch = { conv: [{ filters: 4, kernel: 7, pool: 2 }], head_pool: "flatten" as const, dense: [8], dense_dropout: 0 };
    const r = await runStepInMemory(
      cnnTrainStep,
      { target: "c", epochs: 2, members: 2, architecture: arch, backend: "wasm", domain_components: 2 },
      [fx.input],
    );
    const meta = r.artifact.json.get("model_meta") as Record<string, unknown>;
    expect(meta.resolved).toMatchObject({
      tier: "small",
      val: 0,
      patience: 0,
      schedule: "cosine",
      uncertainty: "ensemble",
      members: 2,
      batch: 8,
      epochs: 2,
      architecture: "given",
    });
    expect(meta).not.toHaveProperty("seconds");
    expect(meta).not.toHaveProperty("train_samples_per_s");
    expect(Object.keys(r.artifact.tables.get("history")!)).not.toContain("samples_per_s");
    expect((r.artifact.tables.get("predictions")!.split as string[]).includes("val")).toBe(false);
    expect(r.records.cnn_tier).toBe("small");
    // early stopping asked for without val: val comes back to 0.1
    const es = await runStepInMemory(
      cnnTrainStep,
      { target: "c", epochs: 2, patience: 3, uncertainty: "none", architecture: arch, backend: "wasm", domain_components: 2 },
      [fx.input],
    );
    expect((es.artifact.json.get("model_meta") as { resolved: { val: number } }).resolved.val).toBe(0.1);
    await expect(
      runStepInMemory(cnnTrainStep, { target: "c", epochs: 2, patience: 3, val: 0, architecture: arch, backend: "wasm" }, [fx.input]),
    ).rejects.toThrow(/option val=0 leaves no validation rows for patience=3/);
  }, 60_000);
});
