import { describe, expect, it } from "vitest";
import { unitMistakes } from "../../../src/core/qc/unit-mistakes.js";
import { soils, spectraOf, uniformGrid } from "../spectra/soil-fixture.js";

/** 150 soils whose lab C is their true C; sample 7 reported in % (÷ 10), sample 8 in mg/kg... (× 10). */
function setup() {
  const grid = uniformGrid(600, 4000, 12);
  // C within 1.4–60 g/kg: the log1p model of a spectrum linear in C underpredicts the far tail
  const list = soils(150, 5).map((s) => ({ ...s, c: Math.min(s.c, 60) }));
  const n = list.length;
  const c = Float64Array.from(list, (s) => s.c);
  c[7] = c[7]! / 10;
  c[8] = c[8]! * 10;
  const om = new Float64Array(n).fill(NaN);
  const reasons: string[][] = Array.from({ length: n }, () => []);
  reasons[7] = ["c_negative"]; // flagged already: not fitted on, and not flagged again for C
  const input = {
    spectra: spectraOf(list, grid, { noise: 0.002 }, 6),
    rows: n,
    cols: grid.length,
    cleanRows: Int32Array.from({ length: n }, (_, i) => i),
    rowOf: Int32Array.from({ length: n }, (_, i) => i),
    reasons,
    source: new Array<string | null>(n).fill("A"),
    targets: [
      { name: "c", value: c, method: new Array<string | null>(n).fill(null), max: 580 },
      { name: "om", value: om, method: new Array<string | null>(n).fill(null), max: 1000 },
    ],
  };
  return { input, list, n };
}

describe("unitMistakes", () => {
  const options = { ratio: 4, minSamples: 30, components: 10 };

  it("flags a value 10× off the spectral model, once per target", () => {
    const { input } = setup();
    const r = unitMistakes(input, options);
    const flagged = r.suspects.flatMap((s, i) => (s.length ? [i] : []));
    expect(flagged).toEqual([8]);
    expect(r.suspects[8]).toEqual(["c_unit_suspect"]);
    expect(r.counts).toEqual({ c: 1 });
    // no OM labels: skipped with 0 clean labelled samples
    expect(r.skipped).toEqual([{ name: "om", samples: 0 }]);
  });

  it("flags the %-for-g/kg value when nothing else flagged it", () => {
    const { input } = setup();
    input.reasons[7] = [];
    const r = unitMistakes(input, options);
    expect(r.suspects.flatMap((s, i) => (s.length ? [i] : []))).toEqual([7, 8]);
  });

  it("skips a target with fewer clean labelled samples than minSamples, and checks nothing below 2 components", () => {
    const { input, n } = setup();
    expect(unitMistakes(input, { ...options, minSamples: n }).skipped).toEqual([
      { name: "c", samples: n - 1 },
      { name: "om", samples: 0 },
    ]);
    const few = unitMistakes({ ...input, cleanRows: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]) }, options);
    expect(few).toEqual({ suspects: input.reasons.map(() => []), counts: {}, skipped: [] });
  });
});
