import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { spectraPreprocess } from "../../../src/steps/spectra/preprocess.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { soils, spectraOf, uniformGrid } from "../../core/spectra/soil-fixture.js";

function toPercentReflectance(a: Float32Array): Float32Array {
  return a.map((v) => 100 * 10 ** -v);
}

function fixture() {
  const list = soils(30, 7);
  const gA = uniformGrid(550, 4100, 2, true); // descending, % reflectance
  const gB = uniformGrid(590, 4010, 3.7);
  const a: SpectraBlock = {
    source: "labA",
    instrument: "x",
    unit: "reflectance_percent",
    wavenumbers: gA,
    ids: list.map((_, i) => `a${i}`),
    values: toPercentReflectance(spectraOf(list, gA, { noise: 0 }, 1)),
  };
  const b: SpectraBlock = {
    source: "labB",
    instrument: "y",
    unit: "absorbance",
    wavenumbers: gB,
    ids: list.map((_, i) => `b${i}`),
    values: spectraOf(list, gB, { noise: 0 }, 2),
  };
  const art = emptyArtifact();
  art.spectra.set("spectra", [a, b]);
  art.tables.set("samples", {
    sample_id: [...a.ids, ...b.ids, "lonely"],
    source: [...a.ids.map(() => "labA"), ...b.ids.map(() => "labB"), "labB"],
  });
  return { art, a, b, list };
}

describe("spectra.preprocess", () => {
  it("puts % reflectance (descending) and absorbance on one grid with the same values", async () => {
    const { art, a } = fixture();
    a.values[a.wavenumbers.length * 3 + 100] = 0; // R = 0 → flagged and repaired
    a.values[a.wavenumbers.length * 4 + 200] = NaN;
    const res = await runStepInMemory(spectraPreprocess, {}, [{ step: "ingest", type: "ingest.x", artifact: art }]);
    const [pa, pb] = res.artifact.spectra.get("spectra")!;
    const grid = res.artifact.json.get("grid") as { wavenumbers: number[] };
    expect(grid.wavenumbers.length).toBe(851 - 26);
    expect(pa!.unit).toBe("absorbance");
    const p = grid.wavenumbers.length;
    // both sources hold the same soils without instrument effect: equal after linear interpolation (fine grids)
    let maxDiff = 0;
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < p; j++) maxDiff = Math.max(maxDiff, Math.abs(pa!.values[i * p + j]! - pb!.values[i * p + j]!));
    expect(maxDiff).toBeLessThan(0.02);
    const log = res.artifact.tables.get("preprocess_log")!;
    const note = (id: string) => (log.note as (string | null)[])[(log.sample_id as string[]).indexOf(id)];
    expect(note("a3")).toMatch(/1 nonpositive reflectance/);
    expect(note("a4")).toMatch(/1 NaN repaired/);
    expect((log.status as string[])[(log.sample_id as string[]).indexOf("lonely")]).toBe("no_spectrum");
    const ms = res.artifact.tables.get("mean_spectra")!;
    expect(new Set(ms.stage as string[])).toEqual(new Set(["raw", "preprocessed"]));
  });

  it("grid native keeps the first source's measured grid and range (CO2 band too with exclude: [])", async () => {
    const { art, a } = fixture();
    art.spectra.set("spectra", [a]);
    const res = await runStepInMemory(spectraPreprocess, { grid: "native", exclude: [] }, [
      { step: "ingest", type: "ingest.x", artifact: art },
    ]);
    const [pa] = res.artifact.spectra.get("spectra")!;
    const grid = res.artifact.json.get("grid") as { wavenumbers: number[]; step: unknown };
    expect(grid.wavenumbers).toEqual(Array.from(a.wavenumbers).sort((x, y) => x - y));
    expect(grid.step).toBe("native");
    const p = a.wavenumbers.length;
    // same values as the input, converted to absorbance, in ascending order
    expect(pa!.values[0]).toBeCloseTo(-Math.log10(a.values[p - 1]! / 100), 5);
    expect(pa!.values[p - 1]).toBeCloseTo(-Math.log10(a.values[0]! / 100), 5);
  });

  it("judges scan spikes in absorbance: a spike in a % reflectance source is found where R is high", async () => {
    const list = soils(40, 3);
    const g = uniformGrid(600, 4000, 4);
    const p = g.length;
    const abs = spectraOf(list, g, { noise: 0.005 }, 5);
    // +1 absorbance: ~160 robust SDs of the second difference in absorbance (noise 0.005), but
    // R only drops by 90 % of itself, ~2.6× fewer SDs in R units: below the limit of 100 there
    abs[7 * p + Math.floor(p / 3)]! += 1;
    const art = emptyArtifact();
    const ids = list.map((_, i) => `r${i}`);
    art.spectra.set("spectra", [
      { source: "labR", instrument: "x", unit: "reflectance_percent", wavenumbers: g, ids, values: toPercentReflectance(abs) },
    ]);
    art.tables.set("samples", { sample_id: ids, source: ids.map(() => "labR") });
    const res = await runStepInMemory(spectraPreprocess, { exclude: [] }, [{ step: "i", type: "ingest.x", artifact: art }]);
    const log = res.artifact.tables.get("preprocess_log")!;
    const flagged = (log.sample_id as string[]).filter((_, i) => (log.defects as (string | null)[])[i] !== null);
    expect(flagged).toEqual(["r7"]);
    expect((log.defects as (string | null)[])[7]).toBe("spike");
  });

  it("applies SG derivative and SNV", async () => {
    const { art } = fixture();
    const res = await runStepInMemory(
      spectraPreprocess,
      { savgol: { window: 11, polyorder: 2, deriv: 1 }, normalize: "snv", exclude: [] },
      [{ step: "i", type: "ingest.x", artifact: art }],
    );
    const b = res.artifact.spectra.get("spectra")![1]!;
    const row = Array.from(b.values.subarray(0, 851));
    const m = row.reduce((s, v) => s + v, 0) / 851;
    expect(m).toBeCloseTo(0, 5);
  });

  it("refuses a grid a source does not cover, naming it; trims when asked", async () => {
    const { art } = fixture();
    await expect(
      runStepInMemory(spectraPreprocess, { grid: { from: 500, to: 4000, step: 4 } }, [{ step: "i", type: "ingest.x", artifact: art }]),
    ).rejects.toThrow(/source\(s\) "labA" \(550–4100 cm-1\), "labB".*out_of_range: trim/);
    const res = await runStepInMemory(spectraPreprocess, { grid: { from: 500, to: 4000, step: 4 }, out_of_range: "trim", exclude: [] }, [
      { step: "i", type: "ingest.x", artifact: art },
    ]);
    const g = (res.artifact.json.get("grid") as { wavenumbers: number[] }).wavenumbers;
    expect(g[0]).toBe(592);
  });

  it("out_of_range: trim refuses (naming it) a source whose axis does not overlap the grid at all", async () => {
    const { art } = fixture();
    await expect(
      runStepInMemory(spectraPreprocess, { grid: { from: 4200, to: 6000, step: 4 }, out_of_range: "trim", exclude: [] }, [
        { step: "i", type: "ingest.x", artifact: art },
      ]),
    ).rejects.toThrow(/source\(s\) "labA" \(550–4100 cm-1\).* do not overlap the grid 4200–6000 cm-1 at all/);
  });

  it("drops all-NaN spectra and refuses an all-NaN source", async () => {
    const { art, b } = fixture();
    const p = b.wavenumbers.length;
    b.values.fill(NaN, 0, p);
    const res = await runStepInMemory(spectraPreprocess, {}, [{ step: "i", type: "ingest.x", artifact: art }]);
    expect(res.artifact.spectra.get("spectra")![1]!.ids.length).toBe(29);
    b.values.fill(NaN);
    await expect(runStepInMemory(spectraPreprocess, {}, [{ step: "i", type: "ingest.x", artifact: art }])).rejects.toThrow(
      /source "labB": every spectrum is entirely NaN/,
    );
  });
});
