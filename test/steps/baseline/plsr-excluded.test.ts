/**
 * QC-excluded rows (`exclude_train`) must not be fitted on. Checked two independent ways:
 * the fit count recomputed here from the fixture, and the fitted model compared with one fitted
 * on the same samples where the excluded rows simply have no label (same split, same cal set).
 */
import { describe, expect, it } from "vitest";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import { emptyArtifact, type MemoryInput } from "../../../src/engine/memory-step.js";
import type { Table } from "../../../src/core/table.js";
import { plsrStep } from "../../../src/steps/baseline/plsr.js";
import { makeFixture } from "./fixture.js";

type Meta = { n_fit: number; n_excluded: number; conformal: { n_cal: number } };

function withSamples(input: MemoryInput, samples: Table): MemoryInput[] {
  const a = emptyArtifact();
  for (const [k, v] of input.artifact.tables) a.tables.set(k, v);
  for (const [k, v] of input.artifact.spectra) a.spectra.set(k, v);
  a.tables.set("samples", samples);
  return [{ ...input, artifact: a }];
}

describe("baseline.plsr and exclude_train", () => {
  const fx = makeFixture();
  const ids = fx.samples.sample_id as string[];
  const om = fx.samples.om_gkg as Float64Array;
  const exclude = fx.samples.exclude_train as boolean[];
  // Rows with a usable spectrum, from the blocks themselves (some rows have none, some a NaN).
  const usable = new Set<string>();
  for (const b of fx.blocks) {
    const p = b.wavenumbers.length;
    b.ids.forEach((id, r) => {
      if (b.values.subarray(r * p, (r + 1) * p).every(Number.isFinite)) usable.add(id);
    });
  }

  it("fits on exactly the labelled, non-excluded train+val rows (count computed here)", async () => {
    const res = await runStepInMemory(plsrStep, { target: "om", max_components: 4 }, [fx.input]);
    const meta = res.artifact.json.get("model_meta") as Meta;
    const pred = res.artifact.tables.get("predictions")! as Table;
    const splitById = new Map((pred.sample_id as string[]).map((id, k) => [id, (pred.split as string[])[k]!]));
    let fit = 0;
    let excludedInFitSplits = 0;
    let excludedCal = 0;
    ids.forEach((id, i) => {
      const s = splitById.get(id);
      if (!usable.has(id) || !Number.isFinite(om[i]!) || om[i]! < 0) return;
      if (s === "train" || s === "val") {
        if (exclude[i]) excludedInFitSplits++;
        else fit++;
      }
      if (s === "cal" && exclude[i]) excludedCal++;
    });
    // The fixture must hold excluded train/val rows, or this test could not tell.
    expect(excludedInFitSplits).toBeGreaterThan(0);
    expect(meta.n_fit).toBe(fit);
    // With cal_excluded (default) excluded cal rows calibrate; every other excluded row is counted.
    expect(meta.n_excluded).toBe(exclude.filter((e, i) => e && usable.has(ids[i]!) && Number.isFinite(om[i]!)).length - excludedCal);
  });

  it("gives the same model as when the excluded rows carry no label", async () => {
    const opts = { target: "om", max_components: 4, cal_excluded: false };
    const a = await runStepInMemory(plsrStep, opts, [fx.input]);
    const unlabelled: Table = {
      ...fx.samples,
      om_gkg: Float64Array.from(om, (v, i) => (exclude[i] ? NaN : v)),
      exclude_train: exclude.map(() => false),
    };
    const b = await runStepInMemory(plsrStep, opts, withSamples(fx.input, unlabelled));
    const ma = a.artifact.json.get("model_meta") as Meta;
    const mb = b.artifact.json.get("model_meta") as Meta;
    expect(ma.n_fit).toBe(mb.n_fit);
    expect(ma.conformal.n_cal).toBe(mb.conformal.n_cal);
    const pa = a.artifact.tables.get("predictions")! as Table;
    const pb = b.artifact.tables.get("predictions")! as Table;
    expect(pa.sample_id).toEqual(pb.sample_id);
    expect(pa.predicted).toEqual(pb.predicted);
    expect(pa.pi_high).toEqual(pb.pi_high);
  });
});
