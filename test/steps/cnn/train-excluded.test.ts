/**
 * cnn.train must not fit on QC-excluded rows (`exclude_train`): the train/val counts are
 * recomputed here, and the trained model equals one trained where those rows have no label.
 */
import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory, type MemoryInput } from "../../../src/engine/memory-step.js";
import type { Table } from "../../../src/core/table.js";
import { cnnTrainStep } from "../../../src/steps/cnn/train.js";
import { tinyLibrary } from "./synthetic.js";

const SMALL = {
  architecture: { conv: [{ filters: 4, kernel: 7, pool: 2 }], head_pool: "flatten" as const, dense: [8], dense_dropout: 0 },
  epochs: 2,
  batch: 32,
  lr: 3e-3,
  patience: 8,
  backend: "wasm" as const,
  threads: 1,
  domain_components: 2,
  cal_excluded: false,
};

function inputsOf(samples: Table, spectra: ReturnType<typeof tinyLibrary>["spectra"]): MemoryInput[] {
  const a = emptyArtifact();
  a.tables.set("samples", samples);
  a.spectra.set("spectra", spectra);
  return [{ step: "prep", type: "spectra.preprocess", artifact: a }];
}

type Meta = { n_train: number; n_val: number; n_cal: number };

describe("cnn.train and exclude_train", () => {
  const lib = tinyLibrary(160, 48, 0.3, 11);
  const n = 160;
  const exclude = Array.from({ length: n }, (_, i) => i % 7 === 2);
  const samples: Table = { ...lib.samples, exclude_train: exclude };
  const c = lib.samples.c_gkg as Float64Array;

  it("trains on exactly the labelled, non-excluded train rows and validates on the val rows", async () => {
    const res = await runStepInMemory(cnnTrainStep, { target: "c", ...SMALL }, inputsOf(samples, lib.spectra));
    const meta = res.artifact.json.get("model_meta") as Meta;
    const pred = res.artifact.tables.get("predictions")!;
    const splitById = new Map((pred.sample_id as string[]).map((id, k) => [id, (pred.split as string[])[k]!]));
    const ids = lib.samples.sample_id as string[];
    const count = (s: string, excluded: boolean) =>
      ids.filter((id, i) => splitById.get(id) === s && Number.isFinite(c[i]!) && c[i]! >= 0 && exclude[i] === excluded).length;
    expect(count("train", true)).toBeGreaterThan(0); // else this test could not tell
    expect(meta.n_train).toBe(count("train", false));
    expect(meta.n_val).toBe(count("val", false));
    expect(meta.n_cal).toBe(count("cal", false)); // cal_excluded: false
  });

  it("gives the same model as when the excluded rows carry no label", async () => {
    const a = await runStepInMemory(cnnTrainStep, { target: "c", ...SMALL }, inputsOf(samples, lib.spectra));
    const unlabelled: Table = { ...lib.samples, c_gkg: Float64Array.from(c, (v, i) => (exclude[i] ? NaN : v)) };
    const b = await runStepInMemory(cnnTrainStep, { target: "c", ...SMALL }, inputsOf(unlabelled, lib.spectra));
    const [ma, mb] = [a, b].map((r) => r.artifact.json.get("model_meta") as Meta);
    expect([ma!.n_train, ma!.n_val, ma!.n_cal]).toEqual([mb!.n_train, mb!.n_val, mb!.n_cal]);
    const pa = a.artifact.tables.get("predictions")!;
    const pb = b.artifact.tables.get("predictions")!;
    expect(pa.sample_id).toEqual(pb.sample_id);
    expect(pa.predicted).toEqual(pb.predicted);
  });
});
