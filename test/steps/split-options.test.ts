import { describe, expect, it } from "vitest";
import type { Table } from "../../src/core/table.js";
import { emptyArtifact, runStepInMemory } from "../../src/engine/memory-step.js";
import { plsrStep } from "../../src/steps/baseline/plsr.js";
import { cnnPredictStep } from "../../src/steps/cnn/predict.js";
import { cnnTrainStep } from "../../src/steps/cnn/train.js";
import { splitSamples, stepSplit } from "../../src/steps/shared/split-options.js";
import { makeFixture } from "./baseline/fixture.js";

const fields = { scheme: "random" as const, val: 0.1, cal: 0.15, cell_deg: 1, stratify: false, split_seed: 7 };

describe("split options shared by the model steps", () => {
  it("resolves defaults and rejects contradictory options, naming them", () => {
    expect(stepSplit(fields)).toMatchObject({ test: 0.15, seed: 7, cellDeg: 1 });
    expect(stepSplit({ ...fields, folds: 5 }).kfold).toEqual({ folds: 5, testFold: 0 });
    expect(stepSplit({ ...fields, folds: 5, stratify: true }, "om_gkg").stratify).toBe("om_gkg");
    expect(() => stepSplit({ ...fields, stratify: true })).toThrow(/stratify needs folds/);
    expect(() => stepSplit({ ...fields, folds: 5, stratify: true, folds_from: "fold" })).toThrow(/stratify and folds_from exclude/);
    expect(() => stepSplit({ ...fields, folds: 5, stratify: true, scheme: "group" })).toThrow(/stratify applies to scheme random/);
    expect(() => stepSplit({ ...fields, folds: 5, test: 0.2 })).toThrow(/options test and folds exclude each other/);
    expect(() => stepSplit({ ...fields, test_fold: 2 })).toThrow(/test_fold=2 needs folds/);
    expect(() => stepSplit({ ...fields, folds: 4, test_fold: 4 })).toThrow(/test_fold=4 must be below folds=4/);
    expect(() => stepSplit({ ...fields, folds: 4 }, "c_gkg", { test: 0.3, val: 0.1, cal: 0.3 })).toThrow(/om_split and folds/);
  });

  it("scheme location needs lat/lon in samples", () => {
    const samples: Table = { sample_id: ["a", "b"], c_gkg: Float64Array.of(1, 2) };
    expect(() => splitSamples(samples, stepSplit({ ...fields, scheme: "location" }))).toThrow(/scheme=location needs numeric lat and lon/);
  });

  it("cnn.train, baseline.plsr and cnn.predict put the same samples in fold 2 of 5 by 10° cell", async () => {
    const fx = makeFixture();
    const split = { scheme: "location" as const, folds: 5, test_fold: 2, cell_deg: 10 };
    const plsr = await runStepInMemory(plsrStep, { target: "c", max_components: 4, ...split }, [fx.input]);
    const cnnOpts = {
      target: "c",
      ...split,
      epochs: 1,
      batch: 32,
      backend: "wasm" as const,
      threads: 1,
      domain_components: 2,
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

  it("folds_from takes each sample's fold from a samples column; stratify balances the target; split_seed is not the model seed", () => {
    const fx = makeFixture();
    const n = (fx.samples.sample_id as string[]).length;
    const samples: Table = { ...fx.samples, fold: Float64Array.from({ length: n }, (_, i) => 1 + (i % 4)) };
    const split = splitSamples(samples, stepSplit({ ...fields, folds: 4, test_fold: 1, folds_from: "fold" }));
    split.forEach((s, i) => expect(s === "test").toBe(i % 4 === 1));
    expect(() => splitSamples(samples, stepSplit({ ...fields, folds: 5, folds_from: "fold" }))).toThrow(
      /holds 4 distinct folds \(1, 2, 3, 4\) but folds=5/,
    );
    expect(() => splitSamples(samples, stepSplit({ ...fields, folds: 4, folds_from: "fold_id" }))).toThrow(/no column "fold_id"/);
    const holes: Table = { ...samples, fold: Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : 1 + (i % 4))) };
    expect(() => splitSamples(holes, stepSplit({ ...fields, folds: 4, folds_from: "fold" }))).toThrow(
      /sample "s0003" \(row 4 of samples\) has no value in column "fold"/,
    );
    // stratified: test-fold sizes of labelled samples differ by ≤ 1 over the folds
    const c = fx.samples.c_gkg as Float64Array;
    const labelledTest = [0, 1, 2, 3, 4].map(
      (f) =>
        splitSamples(fx.samples, stepSplit({ ...fields, folds: 5, test_fold: f, stratify: true })).filter(
          (s, i) => s === "test" && Number.isFinite(c[i]!),
        ).length,
    );
    expect(Math.max(...labelledTest) - Math.min(...labelledTest)).toBeLessThanOrEqual(1);
    // split_seed moves samples, nothing else does
    const a = splitSamples(fx.samples, stepSplit({ ...fields, folds: 5, test_fold: 0 }));
    expect(splitSamples(fx.samples, stepSplit({ ...fields, folds: 5, test_fold: 0, split_seed: 8 }))).not.toEqual(a);
  });
});
