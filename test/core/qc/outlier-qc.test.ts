import { describe, expect, it } from "vitest";
import { outlierQc, SpectralModelError, type OutlierQcOptions } from "../../../src/core/qc/outlier-qc.js";
import { DEFAULT_PHYSICAL_RANGE } from "../../../src/core/chemometrics/physical-range.js";
import { robustPcaOutliers } from "../../../src/core/chemometrics/robust-pca-outliers.js";
import { soils, spectraOf, uniformGrid } from "../spectra/soil-fixture.js";

/** qc.outliers's defaults. */
const OPTIONS: OutlierQcOptions = {
  pca: { varianceExplained: 0.99, maxComponents: 10, alpha: 0.001, trimFraction: 0.1 },
  qLimit: "robust-log",
  qZ: 3.5,
  limitsBy: "source",
  organicCGkg: 120,
  t2: "report",
  range: DEFAULT_PHYSICAL_RANGE,
  unitCheck: { enabled: true, ratio: 4, minSamples: 30, components: 30 },
  scan: { saturationRun: 5, spikeZ: 100, flatSdRatio: 0.05, flatRoughnessRatio: 8 },
};

/**
 * Sources A (120 soils) and B (80) on one grid. A-10 carries a band no other soil has (off the
 * PCA subspace); A-20 was found flat earlier; A-30's lab C is negative; B-5 is listed twice in
 * the samples; "ghost" has no spectrum.
 */
function setup() {
  const grid = uniformGrid(600, 4000, 12);
  const p = grid.length;
  const a = soils(120, 1).map((s) => ({ ...s, c: Math.min(s.c, 60) }));
  const b = soils(80, 2).map((s) => ({ ...s, c: Math.min(s.c, 60) }));
  const values = new Float32Array((a.length + b.length) * p);
  values.set(spectraOf(a, grid, { noise: 0.002 }, 3));
  values.set(spectraOf(b, grid, { noise: 0.002, offset: 0.05 }, 4), a.length * p);
  for (let j = 0; j < p; j++) values[10 * p + j]! += 0.3 * Math.exp(-0.5 * ((grid[j]! - 2200) / 30) ** 2);
  const ids = [...a.map((_, i) => `A-${i}`), ...b.map((_, i) => `B-${i}`)];
  const sampleId = [...ids, "B-5", "ghost"];
  const c = Float64Array.from([...a, ...b].map((s) => s.c).concat([b[5]!.c, 20]));
  c[30] = -5;
  const n = sampleId.length;
  const source = sampleId.map((id) => (id.startsWith("B") ? "B" : "A"));
  return {
    spectra: {
      values,
      cols: p,
      ids,
      source: ids.map((id) => id[0]!),
      blockRows: [a.length, b.length],
      knownDefects: new Map([["A-20", ["flat"]]]),
    },
    samples: { sampleId, source, c, om: new Float64Array(n).fill(NaN), cMethod: source.map(() => null), omMethod: source.map(() => null) },
  };
}

describe("outlierQc", () => {
  it("flags the off-model spectrum, the earlier scan defect, the impossible value, the duplicate and the missing spectrum", () => {
    const input = setup();
    const r = outlierQc(input, OPTIONS);
    const reasonsOf = (id: string) => r.reasons.filter((_, i) => input.samples.sampleId[i] === id);
    expect(reasonsOf("A-10")).toEqual([["q_residual"]]);
    expect(reasonsOf("A-20")).toEqual([["flat"]]);
    expect(reasonsOf("A-30")).toEqual([["c_negative"]]);
    expect(reasonsOf("B-5")).toEqual([["duplicate_id"], ["duplicate_id"]]);
    expect(reasonsOf("ghost")).toEqual([["no_spectrum"]]);
    // and (almost) nothing else: at most 2 of the ~195 clean samples
    const others = r.reasons.filter((x, i) => x.length && !["A-10", "A-20", "A-30", "B-5", "ghost"].includes(input.samples.sampleId[i]!));
    expect(others.length).toBeLessThanOrEqual(2);
    // the off-model spectrum was kept out of the limits: its Q is far beyond its source's limit
    expect(r.pca.q[10]! / r.qLimit[10]!).toBeGreaterThan(10);
    expect(Object.keys(r.limits.mineral).sort()).toEqual(["", "A", "B"]);
    expect(r.qLimit[0]).toBe(r.limits.mineral.A);
    expect(r.qLimit[150]).toBe(r.limits.mineral.B);
    expect(r.flags.excludeTrain.filter(Boolean).length).toBe(r.reasons.filter((x) => x.length).length);
    expect(r.summary.reason).toContain("q_residual");
  });

  it("judges by the classical pooled limit when asked", () => {
    const r = outlierQc(setup(), { ...OPTIONS, qLimit: "box" });
    expect(r.limits).toEqual({ pooled: r.pca.qLimit, mineral: {}, organic: {} });
    expect(new Set(r.qLimit)).toEqual(new Set([r.pca.qLimit]));
  });

  it("the robust PCA it judges by: fitted without the scan-defect rows, with the Q limit asked for", () => {
    const input = setup();
    const p = input.spectra.cols;
    for (const qLimit of ["jackson-mudholkar", "box"] as const) {
      const r = outlierQc(input, { ...OPTIONS, qLimit, unitCheck: { ...OPTIONS.unitCheck, enabled: false } });
      expect(r.scan[20]).toContain("flat"); // known earlier
      const exclude = r.scan.flatMap((d, i) => (d.length ? [i] : []));
      expect(exclude).toContain(20);
      const direct = robustPcaOutliers(input.spectra.values, { rows: 200, cols: p, ...OPTIONS.pca, qLimit, exclude });
      expect(r.pca.qLimit).toBe(direct.qLimit);
      expect(Array.from(r.pca.q)).toEqual(Array.from(direct.q));
      expect(r.unit).toEqual({ counts: {}, skipped: [] });
    }
    const jm = outlierQc(input, { ...OPTIONS, qLimit: "jackson-mudholkar" });
    const box = outlierQc(input, { ...OPTIONS, qLimit: "box" });
    expect(jm.pca.qLimit).not.toBe(box.pca.qLimit);
  });

  it("refuses spectra too few for the PCA with a SpectralModelError", () => {
    const input = setup();
    const p = input.spectra.cols;
    const few = {
      ...input.spectra,
      values: input.spectra.values.slice(0, 6 * p),
      ids: input.spectra.ids.slice(0, 6),
      source: input.spectra.source.slice(0, 6),
      blockRows: [6],
    };
    expect(() => outlierQc({ ...input, spectra: few }, OPTIONS)).toThrow(SpectralModelError);
  });
});
