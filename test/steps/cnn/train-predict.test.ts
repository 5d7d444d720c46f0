import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory, type MemoryInput } from "../../../src/engine/memory-step.js";
import { StepInputError } from "../../../src/engine/step.js";
import { cnnPredictStep } from "../../../src/steps/cnn/predict.js";
import { cnnTrainStep } from "../../../src/steps/cnn/train.js";
import { tinyLibrary } from "./synthetic.js";
import { conformalCoverageFloor } from "../../helpers/conformal-bound.js";
import { metricsTable } from "../../../src/engine/metrics-table.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";

const SMALL = {
  architecture: {
    conv: [
      { filters: 8, kernel: 7, pool: 2 },
      { filters: 16, kernel: 5, pool: 2 },
    ],
    head_pool: "flatten" as const,
    dense: [16],
    dense_dropout: 0,
  },
  epochs: 25,
  batch: 32,
  lr: 3e-3,
  patience: 8,
  backend: "wasm" as const,
  threads: 1,
  domain_components: 3,
};

function inputsOf(lib: ReturnType<typeof tinyLibrary>): MemoryInput[] {
  const a = emptyArtifact();
  a.tables.set("samples", lib.samples);
  a.spectra.set("spectra", lib.spectra);
  return [{ step: "prep", type: "spectra.preprocess", artifact: a }];
}

describe("cnn.train / cnn.predict (tiny synthetic library, wasm, 1 thread)", () => {
  const lib = tinyLibrary();

  it("multi-task: physically possible outputs, intervals, history, model files; cnn.predict reproduces them", async () => {
    const res = await runStepInMemory(cnnTrainStep, { target: "multi", ...SMALL }, inputsOf(lib));
    const pred = res.artifact.tables.get("predictions")!;
    const target = pred.target as string[];
    const split = pred.split as string[];
    const predicted = pred.predicted as Float64Array;
    const low = pred.pi_low as Float64Array;
    const high = pred.pi_high as Float64Array;
    const n = 240;
    expect(target.length).toBe(2 * n);
    // OM ≥ C and C ≤ 580 for every sample, by construction.
    for (let i = 0; i < n; i++) {
      expect(target[i]).toBe("c");
      expect(target[n + i]).toBe("om");
      expect(predicted[i]!).toBeGreaterThanOrEqual(0);
      expect(predicted[i]!).toBeLessThanOrEqual(580);
      expect(predicted[n + i]!).toBeGreaterThanOrEqual(predicted[i]! * (1 - 1e-6));
      expect(predicted[n + i]!).toBeLessThan(1000);
      expect(low[i]!).toBeLessThanOrEqual(predicted[i]!);
      expect(high[i]!).toBeGreaterThanOrEqual(predicted[i]!);
    }
    // Unlabelled OM rows are predicted with split "unlabelled".
    expect(split.slice(n).filter((s) => s === "unlabelled").length).toBeGreaterThan(100);
    expect(new Set(split.slice(0, n))).toEqual(new Set(["train", "val", "cal", "test"]));
    // Learned something: C on the test split.
    const metrics = metricsTable(
      predictionMetricRows(res.artifact.tables.get("predictions")!, { step: "t", model: "cnn", splits: ["test"], level: 0.9 }),
    );
    const rowsM = (metrics.target as string[]).map((t, i) => ({
      t,
      scale: (metrics.scale as string[])[i],
      group: (metrics.group as string[])[i],
      n: (metrics.n as Float64Array)[i]!,
      r2: (metrics.r2 as Float64Array)[i]!,
      cov: (metrics.pi_coverage as Float64Array)[i]!,
    }));
    const cLog = rowsM.find((r) => r.t === "c" && r.scale === "log1p" && r.group === "all")!;
    expect(cLog.r2).toBeGreaterThan(0.5);
    // Split-conformal 90 % interval: the covered count is Beta-Binomial given n_cal (see
    // test/helpers/conformal-bound.ts); below this floor happens with probability ≤ 1e-4.
    const nCalC = (res.artifact.json.get("model_meta") as { conformal: { n_cal: Record<string, number> } }).conformal.n_cal.c!;
    expect(nCalC).toBeGreaterThanOrEqual(19); // else the 90 % interval is unbounded and the check is empty
    expect(Math.round(cLog.cov * cLog.n)).toBeGreaterThanOrEqual(conformalCoverageFloor(cLog.n, nCalC, 0.9));
    const hist = res.artifact.tables.get("history")!;
    expect((hist.epoch as Float64Array).length).toBeGreaterThan(3);
    expect(res.records).toMatchObject({ backend: "wasm", threads: 1, seed: 1 });
    const dir = res.artifact.dirs.get("model")!;
    expect(existsSync(join(dir, "model.json")) && existsSync(join(dir, "weights.bin"))).toBe(true);
    const meta = res.artifact.json.get("model_meta") as {
      grid: number[];
      conformal: { quantile: Record<string, number> };
      domain: unknown;
    };
    expect(meta.grid.length).toBe(96);
    expect(meta.conformal.quantile.c).toBeGreaterThan(0);
    expect(meta.domain).not.toBeNull();

    // cnn.predict on the same spectra gives the same numbers.
    const modelArt = emptyArtifact();
    modelArt.dirs.set("model", dir);
    modelArt.json.set("model_meta", meta);
    const spectraArt = emptyArtifact();
    spectraArt.spectra.set("spectra", lib.spectra);
    spectraArt.tables.set("samples", lib.samples);
    const pr = await runStepInMemory(cnnPredictStep, { batch: 50, backend: "wasm" }, [
      { step: "train", type: "cnn.train", artifact: modelArt },
      { step: "prep", type: "spectra.preprocess", artifact: spectraArt },
    ]);
    const p2 = pr.artifact.tables.get("predictions")!;
    const ids1 = pred.sample_id as string[];
    const ids2 = p2.sample_id as string[];
    const key = (ids: string[], t: string[], i: number) => `${ids[i]}|${t[i]}`;
    const byKey = new Map(ids1.map((_, i) => [key(ids1, target, i), i]));
    expect(ids2.length).toBe(ids1.length);
    ids2.forEach((_, j) => {
      const i = byKey.get(key(ids2, p2.target as string[], j))!;
      expect((p2.predicted as Float64Array)[j]).toBeCloseTo(predicted[i]!, 4);
      expect((p2.pi_high as Float64Array)[j]).toBeCloseTo(high[i]!, 3);
      expect((p2.split as string[])[j]).toBe(split[i]);
      expect((p2.in_domain as boolean[])[j]).toBe((pred.in_domain as boolean[])[i]);
    });
  });

  it("single-target OM model with a 2-member ensemble: bounded, σ̂ > 0, finite intervals", async () => {
    const res = await runStepInMemory(
      cnnTrainStep,
      { target: "om", ...SMALL, epochs: 6, uncertainty: "ensemble", members: 2 },
      inputsOf(tinyLibrary(160, 96, 1)),
    );
    const pred = res.artifact.tables.get("predictions")!;
    const predicted = pred.predicted as Float64Array;
    const sd = pred.sd as Float64Array;
    expect(predicted.every((v) => v >= 0 && v <= 1000)).toBe(true);
    expect(sd.every((v) => v > 0)).toBe(true);
    expect((pred.pi_low as Float64Array).every(Number.isFinite)).toBe(true);
    expect(new Set(Array.from(res.artifact.tables.get("history")!.member as Float64Array))).toEqual(new Set([0, 1]));
    // threads 2: the members train side by side, one worker each — same models, same table order
    const side = await runStepInMemory(
      cnnTrainStep,
      { target: "om", ...SMALL, epochs: 6, uncertainty: "ensemble", members: 2, threads: 2 },
      inputsOf(tinyLibrary(160, 96, 1)),
    );
    expect(side.artifact.tables.get("predictions")!.predicted).toEqual(predicted);
    expect(side.artifact.tables.get("history")!.member).toEqual(res.artifact.tables.get("history")!.member);
    // the artifact records threads per model (1: the numbers' thread count); the workers are a run fact
    expect(side.artifact.json.get("model_meta")).toEqual(res.artifact.json.get("model_meta"));
    expect(side.records.workers).toBe(2);
  });

  it("om_split: rows with an OM label take its fractions, the others test/val/cal; multi only", async () => {
    const lib = tinyLibrary(400, 96, 0.3, 5);
    const opts = { target: "multi", ...SMALL, epochs: 1, om_split: { test: 0.4, val: 0.1, cal: 0.4 } };
    const res = await runStepInMemory(cnnTrainStep, opts, inputsOf(lib));
    const pred = res.artifact.tables.get("predictions")!;
    const split = new Map<string, string>();
    (pred.sample_id as string[]).forEach((id, i) => (pred.target as string[])[i] === "c" && split.set(id, (pred.split as string[])[i]!));
    const om = lib.samples.om_gkg as Float64Array;
    const ids = lib.samples.sample_id as string[];
    const share = (labelled: boolean, s: string) => {
      const rows = ids.filter((_, i) => Number.isFinite(om[i]!) === labelled);
      return rows.filter((id) => split.get(id) === s).length / rows.length;
    };
    // ~120 OM-labelled rows: 40 % test (SD ~0.045); ~280 others: 15 % test (SD ~0.02)
    expect(share(true, "test")).toBeGreaterThan(0.28);
    expect(share(true, "train")).toBeLessThan(0.2);
    expect(share(false, "test")).toBeLessThan(0.22);
    expect(share(false, "train")).toBeGreaterThan(0.5);
    // the same sample ids as a run without om_split, for rows without an OM label
    const plain = await runStepInMemory(cnnTrainStep, { ...opts, om_split: undefined }, inputsOf(lib));
    const p2 = plain.artifact.tables.get("predictions")!;
    (p2.sample_id as string[]).forEach((id, i) => {
      if ((p2.target as string[])[i] === "c" && !Number.isFinite(om[ids.indexOf(id)]!))
        expect((p2.split as string[])[i]).toBe(split.get(id));
    });
    await expect(runStepInMemory(cnnTrainStep, { ...opts, target: "c" }, inputsOf(lib))).rejects.toThrow(
      /om_split applies to target multi only/,
    );
    await expect(runStepInMemory(cnnTrainStep, { ...opts, om_split: { test: 0.6, val: 0.1, cal: 0.4 } }, inputsOf(lib))).rejects.toThrow(
      /option om_split: split fractions/,
    );
  });

  it("rejects a kernel larger than the input, a missing target column and zero labelled samples", async () => {
    const bad = { ...SMALL, epochs: 1, architecture: { ...SMALL.architecture, conv: [{ filters: 4, kernel: 200, pool: 1 }] } };
    await expect(runStepInMemory(cnnTrainStep, { target: "c", ...bad }, inputsOf(lib))).rejects.toThrow(
      /kernel 200 is larger than its input/,
    );
    const noOm = tinyLibrary(40);
    delete noOm.samples.om_gkg;
    await expect(runStepInMemory(cnnTrainStep, { target: "om", ...SMALL, epochs: 1 }, inputsOf(noOm))).rejects.toThrow(
      /no numeric column "om_gkg"/,
    );
    const unl = tinyLibrary(40);
    unl.samples.c_gkg = new Float64Array(40).fill(NaN);
    await expect(runStepInMemory(cnnTrainStep, { target: "c", ...SMALL, epochs: 1 }, inputsOf(unl))).rejects.toBeInstanceOf(StepInputError);
    await expect(runStepInMemory(cnnTrainStep, { target: "c", ...SMALL, epochs: 1 }, inputsOf(unl))).rejects.toThrow(/zero labelled c_gkg/);
  });
});
