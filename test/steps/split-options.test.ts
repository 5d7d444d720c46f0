import { describe, expect, it } from "vitest";
import type { Table } from "../../src/core/table.js";
import { emptyArtifact, runStepInMemory } from "../../src/engine/memory-step.js";
import { plsrStep } from "../../src/steps/baseline/plsr.js";
import { cnnPredictStep } from "../../src/steps/cnn/predict.js";
import { cnnTrainStep } from "../../src/steps/cnn/train.js";
import { splitSamples, stepSplit } from "../../src/steps/split-options.js";
import { makeFixture } from "./baseline/fixture.js";

const fields = { scheme: "random" as const, val: 0.1, cal: 0.15, cell_deg: 1 };

describe("split options shared by the model steps", () => {
  it("resolves defaults and rejects contradictory options, naming them", () => {
    expect(stepSplit(fields, 7)).toMatchObject({ test: 0.15, seed: 7, cellDeg: 1 });
    expect(stepSplit({ ...fields, folds: 5 }, 7).kfold).toEqual({ folds: 5, testFold: 0 });
    expect(() => stepSplit({ ...fields, folds: 5, test: 0.2 }, 7)).toThrow(/options test and folds exclude each other/);
    expect(() => stepSplit({ ...fields, test_fold: 2 }, 7)).toThrow(/test_fold=2 needs folds/);
    expect(() => stepSplit({ ...fields, folds: 4, test_fold: 4 }, 7)).toThrow(/test_fold=4 must be below folds=4/);
    expect(() => stepSplit({ ...fields, folds: 4 }, 7, { test: 0.3, val: 0.1, cal: 0.3 })).toThrow(/om_split and folds/);
  });

  it("scheme location needs lat/lon in samples", () => {
    const samples: Table = { sample_id: ["a", "b"], c_gkg: Float64Array.of(1, 2) };
    expect(() => splitSamples(samples, stepSplit({ ...fields, scheme: "location" }, 1))).toThrow(/scheme=location needs numeric lat and lon/);
  });

  it("cnn.train, baseline.plsr and cnn.predict put the same samples in fold 2 of 5 by 10° cell", async () => {
    const fx = makeFixture();
    const split = { scheme: "location" as const, folds: 5, test_fold: 2, cell_deg: 10 };
    const plsr = await runStepInMemory(plsrStep, { target: "c", max_components: 4, ...split }, [fx.input]);
    const cnnOpts = {
      target: "c", ...split, epochs: 1, batch: 32, backend: "wasm" as const, threads: 1, domain_components: 2,
      architecture: { conv: [{ filters: 4, kernel: 7, pool: 2 }], head_pool: "flatten" as const, dense: [8], dense_dropout: 0 },
    };
    const cnn = await runStepInMemory(cnnTrainStep, cnnOpts, [fx.input]);
    const testIds = (t: Table) => (t.sample_id as string[]).filter((_, i) => (t.split as string[])[i] === "test").sort();
    const plsrPred = plsr.artifact.tables.get("predictions")!;
    const cnnPred = cnn.artifact.tables.get("predictions")!;
    expect(testIds(cnnPred)).toEqual(testIds(plsrPred));
    expect(testIds(cnnPred).length).toBeGreaterThan(20);
    // a 10° cell is never on both sides of the split
    const lat = fx.samples.lat as Float64Array;
    const lon = fx.samples.lon as Float64Array;
    const row = new Map((fx.samples.sample_id as string[]).map((id, i) => [id, i]));
    const splitOfCell = new Map<string, Set<string>>();
    (cnnPred.sample_id as string[]).forEach((id, k) => {
      const s = (cnnPred.split as string[])[k]!;
      if (s === "unlabelled") return;
      const i = row.get(id)!;
      const cell = `${Math.floor(lat[i]! / 10)}:${Math.floor(lon[i]! / 10)}`;
      splitOfCell.set(cell, (splitOfCell.get(cell) ?? new Set()).add(s === "test" ? "test" : "rest"));
    });
    for (const s of splitOfCell.values()) expect(s.size).toBe(1);
    // cnn.predict replays the split recorded in model_meta
    const modelArt = emptyArtifact();
    modelArt.dirs.set("model", cnn.artifact.dirs.get("model")!);
    modelArt.json.set("model_meta", cnn.artifact.json.get("model_meta")!);
    const pr = await runStepInMemory(cnnPredictStep, { batch: 64, backend: "wasm" }, [
      { step: "train", type: "cnn.train", artifact: modelArt },
      fx.input,
    ]);
    expect(testIds(pr.artifact.tables.get("predictions")!)).toEqual(testIds(cnnPred));
  });
});
