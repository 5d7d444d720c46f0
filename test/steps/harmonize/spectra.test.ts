import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { harmonizeSpectra } from "../../../src/steps/harmonize/spectra.js";
import { plsPredict, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { soils, spectraOf, uniformGrid, type Instrument, type Soil } from "../../core/spectra/soil-fixture.js";

const grid = uniformGrid(600, 4000, 12);
const p = grid.length;
const REF: Instrument = { noise: 0.002 };
const OTHER: Instrument = { shift: 4, broaden: 1.08, gain: 0.9, offset: 0.06, tilt: 0.03, noise: 0.002 };

function block(source: string, ids: string[], list: Soil[], inst: Instrument, seed: number): SpectraBlock {
  return { source, instrument: source, unit: "absorbance", wavenumbers: grid, ids, values: spectraOf(list, grid, inst, seed) };
}

/** Reference A: 40 transfer + 200 own soils; B: the same 40 transfer soils + 120 test soils. */
function setup(otherInst: Instrument = OTHER) {
  const transfer = soils(40, 1);
  const own = soils(200, 2);
  const test = soils(120, 3);
  const tIds = transfer.map((_, i) => `t-${i}`);
  const a = block("A", [...tIds, ...own.map((_, i) => `a-${i}`)], [...transfer, ...own], REF, 10);
  const b = block("B", [...tIds.map((id) => `B:${id}`), ...test.map((_, i) => `b-${i}`)], [...transfer, ...test], otherInst, 11);
  const testOnRef = spectraOf(test, grid, REF, 12); // the same test soils on the reference instrument
  const art = emptyArtifact();
  art.spectra.set("spectra", [a, b]);
  return { art, a, transfer, own, test, testOnRef, tIds };
}

function perSoilDistance(bValues: Float32Array, testOnRef: Float32Array, offsetRows: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < p; j++) d += (bValues[(offsetRows + i) * p + j]! - testOnRef[i * p + j]!) ** 2;
    s += Math.sqrt(d);
  }
  return s / n;
}

function bias(a: SpectraBlock, aSoils: Soil[], x: Float32Array, offsetRows: number, test: Soil[]): number {
  const model = plsRegressionFit(
    a.values,
    p,
    Float64Array.from(aSoils, (s) => s.c),
    8,
  );
  const sub = x.subarray(offsetRows * p, (offsetRows + test.length) * p);
  const pred = plsPredict(model, sub);
  return test.reduce((s, soil, i) => s + pred[i]! - soil.c, 0) / test.length;
}

describe("harmonize.spectra with transfer samples", () => {
  for (const method of ["sst", "pds"] as const) {
    it(`${method}: same-soil distance falls ≥ 80 % and PLSR bias ≥ 50 %`, async () => {
      const { art, a, transfer, own, test, testOnRef, tIds } = setup();
      const dir = mkdtempSync(join(tmpdir(), "somflow-transfer-"));
      const csv = join(dir, "pairs.csv");
      writeFileSync(csv, "reference_id,sample_id\n" + tIds.map((id) => `${id},B:${id}`).join("\n") + "\n");
      const res = await runStepInMemory(harmonizeSpectra, { method, reference: "A", transfer_csv: csv, sst: { components: 8 } }, [
        { step: "pre", type: "spectra.preprocess", artifact: art },
      ]);
      const out = res.artifact.spectra.get("spectra")!;
      const bIn = art.spectra.get("spectra")![1]!;
      const bOut = out.find((x) => x.source === "B")!;
      const before = perSoilDistance(bIn.values, testOnRef, 40, test.length);
      const after = perSoilDistance(bOut.values, testOnRef, 40, test.length);
      expect(after).toBeLessThanOrEqual(0.2 * before);
      const aSoils = [...transfer, ...own];
      const b0 = bias(a, aSoils, bIn.values, 40, test);
      const b1 = bias(a, aSoils, bOut.values, 40, test);
      expect(Math.abs(b1)).toBeLessThanOrEqual(0.5 * Math.abs(b0));
      const h = res.artifact.tables.get("harmonization")!;
      expect(h.distance_after![1]).toBeLessThan(h.distance_before![1] as number);
      expect(out.find((x) => x.source === "A")!.values).toBe(a.values);
    });
  }

  it("names the source and option when transfer ids do not match", async () => {
    const { art } = setup();
    await expect(
      runStepInMemory(harmonizeSpectra, { method: "sst", reference: "A" }, [{ step: "pre", type: "spectra.preprocess", artifact: art }]),
    ).rejects.toThrow(/source "B": 0 transfer pair\(s\).*min_transfer/);
  });
});

describe("harmonize.spectra without transfer samples (coral in reference PCA space)", () => {
  it("aligns an offset/gain/tilt instrument: same-soil distance falls ≥ 80 %, bias ≥ 50 %", async () => {
    const inst: Instrument = { gain: 0.92, offset: 0.08, tilt: 0.03, noise: 0.002 };
    const ref = soils(500, 21);
    const other = soils(500, 22);
    const a = block(
      "A",
      ref.map((_, i) => `a-${i}`),
      ref,
      REF,
      30,
    );
    const b = block(
      "B",
      other.map((_, i) => `b-${i}`),
      other,
      inst,
      31,
    );
    const onRef = spectraOf(other, grid, REF, 32);
    const art = emptyArtifact();
    art.spectra.set("spectra", [a, b]);
    const res = await runStepInMemory(harmonizeSpectra, { method: "coral", components: 6 }, [
      { step: "pre", type: "spectra.preprocess", artifact: art },
    ]);
    const bOut = res.artifact.spectra.get("spectra")!.find((x) => x.source === "B")!;
    const before = perSoilDistance(b.values, onRef, 0, other.length);
    const after = perSoilDistance(bOut.values, onRef, 0, other.length);
    expect(after).toBeLessThanOrEqual(0.2 * before);
    const b0 = bias(a, ref, b.values, 0, other);
    const b1 = bias(a, ref, bOut.values, 0, other);
    expect(Math.abs(b1)).toBeLessThanOrEqual(0.5 * Math.abs(b0));
    const h = res.artifact.tables.get("harmonization")!;
    expect(h.source).toEqual(["A", "B"]); // A is the larger source → default reference
    expect(h.distance_after![1]).toBeLessThan(0.2 * (h.distance_before![1] as number));
    const scores = res.artifact.tables.get("pca_scores")!;
    expect(new Set(scores.stage as string[])).toEqual(new Set(["before", "after"]));
    expect((res.artifact.tables.get("mean_spectra")!.stage as string[])[0]).toBe("harmonized");
  });

  it("documents the danger: mean_shift full erases a real difference in soil C between sources", async () => {
    const inst: Instrument = { gain: 0.92, offset: 0.08, tilt: 0.03, noise: 0.002 };
    const ref = soils(300, 41);
    const richer = soils(300, 42, 2.5); // the other region's soils hold 2.5x more C
    const a = block(
      "A",
      ref.map((_, i) => `a-${i}`),
      ref,
      REF,
      50,
    );
    const b = block(
      "B",
      richer.map((_, i) => `b-${i}`),
      richer,
      inst,
      51,
    );
    const art = emptyArtifact();
    art.spectra.set("spectra", [a, b]);
    const meanPred = async (meanShift: "full" | "none") => {
      const res = await runStepInMemory(harmonizeSpectra, { method: "coral", components: 6, coral: { mean_shift: meanShift } }, [
        { step: "p", type: "spectra.preprocess", artifact: art },
      ]);
      const x = res.artifact.spectra.get("spectra")!.find((s) => s.source === "B")!.values;
      return bias(a, ref, x, 0, richer);
    };
    const full = await meanPred("full");
    const none = await meanPred("none");
    // full: B's mean is moved onto A's, so B's extra C is predicted away (large negative bias)
    const meanRichC = richer.reduce((s, x) => s + x.c, 0) / richer.length;
    const meanRefC = ref.reduce((s, x) => s + x.c, 0) / ref.length;
    expect(full).toBeLessThan(-0.5 * (meanRichC - meanRefC));
    expect(Math.abs(none)).toBeLessThan(Math.abs(full));
  });

  it("refuses a source with too few spectra for the components", async () => {
    const ref = soils(60, 1);
    const small = soils(5, 2);
    const art = emptyArtifact();
    art.spectra.set("spectra", [
      block(
        "A",
        ref.map((_, i) => `a${i}`),
        ref,
        REF,
        1,
      ),
      block(
        "tiny",
        small.map((_, i) => `s${i}`),
        small,
        OTHER,
        2,
      ),
    ]);
    await expect(
      runStepInMemory(harmonizeSpectra, { method: "coral", components: 10 }, [{ step: "p", type: "spectra.preprocess", artifact: art }]),
    ).rejects.toThrow(/source "tiny" has 5 spectra.*components/);
  });

  it("refuses an unknown reference and non-finite spectra", async () => {
    const ref = soils(30, 1);
    const art = emptyArtifact();
    const a = block(
      "A",
      ref.map((_, i) => `a${i}`),
      ref,
      REF,
      1,
    );
    art.spectra.set("spectra", [a]);
    await expect(
      runStepInMemory(harmonizeSpectra, { reference: "Z" }, [{ step: "p", type: "spectra.preprocess", artifact: art }]),
    ).rejects.toThrow(/option reference: source "Z"/);
    a.values[5] = NaN;
    await expect(runStepInMemory(harmonizeSpectra, {}, [{ step: "p", type: "spectra.preprocess", artifact: art }])).rejects.toThrow(
      /source "A": spectrum "a0" has non-finite/,
    );
  });
});
