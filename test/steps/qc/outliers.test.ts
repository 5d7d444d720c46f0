import { describe, expect, it } from "vitest";
import { runStepInMemory, emptyArtifact } from "../../../src/engine/memory-step.js";
import { qcOutliers } from "../../../src/steps/qc/outliers.js";
import { defectScores } from "../../../src/core/chemometrics/defect-scores.js";
import { createRng } from "../../../src/core/random.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { soils, spectraOf, uniformGrid } from "../../core/spectra/soil-fixture.js";
import { synthLibraryStep } from "../../../src/steps/ingest/synth-library.js";
import { spectraPreprocess } from "../../../src/steps/spectra/preprocess.js";

/** Two sources of smooth soils with injected scan defects and impossible/unit-shifted targets. */
function fixture() {
  const grid = uniformGrid(600, 4000, 12);
  const p = grid.length;
  const rng = createRng(11);
  const blocks: SpectraBlock[] = [];
  const ids: string[] = [];
  const src: string[] = [];
  const c: number[] = [];
  const om: number[] = [];
  const truthId: string[] = [];
  const defect: (string | null)[] = [];
  // no "water" defect here: this fixture's soils already vary along the water bands, so an
  // extra water band is real variation, not an outlier (the synthetic library's may differ)
  const plan = ["saturated", "flat", "spike", "unit_percent", "impossible", "duplicate_id"];
  for (const [s, n, seed] of [
    ["A", 260, 1],
    ["B", 140, 2],
  ] as const) {
    const list = soils(n, seed);
    const values = spectraOf(list, grid, { noise: 0.002 }, seed + 10);
    const bids: string[] = [];
    list.forEach((soil, i) => {
      const d = i % 13 === 5 ? plan[Math.floor(i / 13) % plan.length]! : null;
      const row = values.subarray(i * p, (i + 1) * p);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of row) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
      if (d === "saturated") {
        const cap = lo + 0.5 * (hi - lo);
        for (let j = 0; j < p; j++) row[j] = Math.min(row[j]!, cap);
      } else if (d === "flat") {
        const m = row.reduce((a, v) => a + v, 0) / p;
        for (let j = 0; j < p; j++) row[j] = m + rng.normal(0, 1e-4);
      } else if (d === "spike") {
        row[10 + rng.int(p - 20)]! += 0.8;
      } else if (d === "water") {
        for (let j = 0; j < p; j++)
          row[j]! += 0.2 * Math.exp(-0.5 * ((grid[j]! - 3400) / 200) ** 2) + 0.1 * Math.exp(-0.5 * ((grid[j]! - 1640) / 40) ** 2);
      }
      let id = `${s}-${i}`;
      if (d === "duplicate_id" && s === "B") id = `A-${i}`;
      let cv = soil.c;
      let ov = soil.c * 1.724;
      if (d === "unit_percent") ((cv /= 10), (ov /= 10));
      if (d === "impossible") i % 2 ? (cv = -cv) : (ov = cv * 0.7);
      bids.push(id);
      ids.push(id);
      src.push(s);
      c.push(cv);
      om.push(ov);
      truthId.push(id);
      defect.push(d === "duplicate_id" && s === "A" ? null : d);
    });
    blocks.push({ source: s, instrument: s, unit: "absorbance", wavenumbers: grid, ids: bids, values });
  }
  const art = emptyArtifact();
  art.spectra.set("spectra", blocks);
  art.tables.set("samples", { sample_id: ids, source: src, c_gkg: Float64Array.from(c), om_gkg: Float64Array.from(om) });
  art.tables.set("truth", { sample_id: truthId, defect });
  return { art, ids, defect };
}

describe("qc.outliers", () => {
  it("finds the injected defects with precision and recall ≥ 0.9", async () => {
    const { art } = fixture();
    const res = await runStepInMemory(qcOutliers, {}, [{ step: "synth", type: "synth.library", artifact: art }]);
    const s = res.artifact.tables.get("samples")!;
    const truth = art.tables.get("truth")!;
    const scores = defectScores(
      { sampleId: s.sample_id as string[], flagged: (s.qc_flags as (string | null)[]).map((f) => f !== null) },
      { sampleId: truth.sample_id as string[], defect: truth.defect as (string | null)[] },
    );
    if (process.env.QC_DEBUG) {
      const d = new Map((truth.sample_id as string[]).map((id, i) => [id, (truth.defect as (string | null)[])[i]]));
      (s.qc_flags as (string | null)[]).forEach((f, i) => {
        const t = d.get((s.sample_id as string[])[i]!) ?? null;
        if ((f !== null) !== (t !== null)) console.log((s.sample_id as string[])[i], "flags", f, "truth", t);
      });
      console.log(res.logs.join("\n"), scores);
    }
    expect(scores.precision).toBeGreaterThanOrEqual(0.9);
    expect(scores.recall).toBeGreaterThanOrEqual(0.9);
    for (const d of ["saturated", "flat", "spike", "unit_percent", "impossible", "duplicate_id"]) {
      expect(scores.byDefect[d]?.recall, d).toBeGreaterThanOrEqual(0.75);
    }
    expect(res.records.qc_precision).toBeCloseTo(scores.precision, 10);
    const qc = res.artifact.tables.get("qc")!;
    expect(Object.keys(qc)).toEqual(["sample_id", "source", "t2", "q", "t2_limit", "q_limit", "flags"]);
    const summary = res.artifact.tables.get("qc_summary")!;
    expect((summary.reason as string[]).includes("duplicate_id")).toBe(true);
    expect((res.artifact.tables.get("pca_scores")!.pc1 as Float64Array).length).toBe(400);
    // exclude_train follows flags, but t2 alone does not exclude
    (s.qc_flags as (string | null)[]).forEach((f, i) => {
      expect(s.exclude_train![i]).toBe(f !== null && f !== "t2");
    });
  });

  it("refuses spectra on different grids", async () => {
    const { art } = fixture();
    const blocks = art.spectra.get("spectra")!;
    const b = blocks[1]!;
    blocks[1] = { ...b, wavenumbers: b.wavenumbers.map((w) => w + 1) };
    await expect(runStepInMemory(qcOutliers, {}, [{ step: "s", type: "synth.library", artifact: art }])).rejects.toThrow(
      /source "B".*spectra.preprocess/,
    );
  });
});

describe("defectScores", () => {
  it("counts by id", () => {
    const s = defectScores(
      { sampleId: ["a", "b", "c", "d", "d"], flagged: [true, true, false, false, true] },
      { sampleId: ["a", "b", "c", "d", "d"], defect: ["spike", null, "flat", null, "duplicate_id"] },
    );
    expect([s.truePositives, s.falsePositives, s.falseNegatives]).toEqual([2, 1, 1]);
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBeCloseTo(2 / 3);
    expect(s.byDefect.flat).toEqual({ total: 1, found: 0, recall: 0 });
  });
});

describe("qc.outliers on the synthetic 7-source library", () => {
  // The target at the demo size (n = 3,000, seed 42): precision and recall ≥ 0.9
  // against the injected defects. Measured with these defaults (3 seeds × n = 800–8,000, see
  // bench/RESULTS.md; the generator before issue 16's calibration): 0.926–0.946 / 0.956–0.992 at
  // n ≥ 3,000 (after it, seed 42: 0.967 / 0.989); at n = 800 (21 defects) one false
  // flag costs 4 % precision and it ranged 0.78–0.95.
  it("synth.library → spectra.preprocess → qc.outliers at n = 3000: precision and recall ≥ 0.9", async () => {
    // the demo's first steps: synth.library → spectra.preprocess on the demo grid
    const lib = await runStepInMemory(synthLibraryStep, { n: 3000, seed: 42 });
    const library = { step: "library", type: "synth.library", artifact: lib.artifact };
    const pre = await runStepInMemory(spectraPreprocess, { grid: { from: 600, to: 4000, step: 4 }, out_of_range: "trim" }, [library]);
    const res = await runStepInMemory(qcOutliers, { seed: 42 }, [
      library,
      { step: "preprocess", type: "spectra.preprocess", artifact: pre.artifact },
    ]);
    expect(res.records.qc_recall as number).toBeGreaterThanOrEqual(0.9);
    expect(res.records.qc_precision as number).toBeGreaterThanOrEqual(0.9);
    const limits = res.artifact.json.get("qc_limits") as {
      q_limit_by_source: Record<string, number>;
      q_limit_organic: number | null;
      organic_spectra: number;
    };
    expect(Object.keys(limits.q_limit_by_source).length).toBe(7);
    // the library's organic soils (~3 %) are judged by a limit of their own, above the mineral
    // limits of most sources (the calibrated generator of issue 16: 2.46 vs 0.59–2.28, below
    // amazonia-like's 2.63, whose kaolinitic, iron-rich soils sit far from the pooled PCA)
    expect(limits.organic_spectra).toBeGreaterThan(20);
    const bySource = Object.values(limits.q_limit_by_source).sort((a, b) => a - b);
    expect(limits.q_limit_organic).toBeGreaterThan(bySource[bySource.length - 2]!);
  }, 300_000);
});
