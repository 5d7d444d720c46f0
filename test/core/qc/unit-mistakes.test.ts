import { describe, expect, it } from "vitest";
import { spectralPrediction, unitMistakes } from "../../../src/core/qc/unit-mistakes.js";
import { matrixRidge, ridgePredict } from "../../../src/core/chemometrics/ridge-regression.js";
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

describe("spectralPrediction (the model unitMistakes checks values against)", () => {
  it("equals a ridge of log1p(value) on the scores and the source and method indicators, refitted once without residuals beyond 4 robust SDs", () => {
    const n = 40;
    const k = 2;
    const rnd = (i: number, j: number) => Math.sin(12.9898 * i + 78.233 * j) * 0.5;
    const scores = Float64Array.from({ length: (n + 2) * k }, (_, q) => rnd(Math.floor(q / k), q % k));
    const source = Array.from({ length: n + 2 }, (_, i) => (i % 3 === 0 ? "B" : i % 3 === 1 ? "A" : null));
    const method = Array.from({ length: n + 2 }, (_, i) => (i % 4 === 0 ? "wb" : null));
    const truth = (i: number) =>
      2 + scores[i * k]! - 0.5 * scores[i * k + 1]! + (source[i] === "B" ? 0.3 : 0) + (method[i] === "wb" ? -0.25 : 0);
    const value = Float64Array.from({ length: n + 2 }, (_, i) => Math.expm1(truth(i) + 0.01 * rnd(i, 7)));
    value[5] = value[5]! * 10; // a gross residual: left out of the second fit
    value[n + 1] = -1; // not trained on (negative), still predicted
    // the last sample has no spectrum; sample n has one but is not in train
    const rowOf = Int32Array.from({ length: n + 2 }, (_, i) => (i === n + 1 ? -1 : i));
    const train = Array.from({ length: n }, (_, i) => i);
    const got = spectralPrediction({ scores, k, rowOf, value, train, source, method }, 50);

    // independent design: scores, then one indicator per level but the first (sorted, unknown = ""):
    // source "", "A", "B" -> A, B; method "", "wb" -> wb
    const nd = k + 3;
    const xs = new Float64Array((n + 2) * nd);
    for (let i = 0; i < n + 1; i++) {
      xs[i * nd] = scores[i * k]!;
      xs[i * nd + 1] = scores[i * k + 1]!;
      xs[i * nd + 2] = source[i] === "A" ? 1 : 0;
      xs[i * nd + 3] = source[i] === "B" ? 1 : 0;
      xs[i * nd + 4] = method[i] === "wb" ? 1 : 0;
    }
    const ly = Array.from(value, (v) => (v >= 0 ? Math.log1p(v) : 0));
    let subset = train;
    let pred: Float64Array = new Float64Array(n + 2);
    for (let pass = 0; pass < 2; pass++) {
      pred = ridgePredict(xs, { rows: n + 2, cols: nd }, matrixRidge(xs, ly, { rows: n + 2, cols: nd, subset }));
      const res = subset.map((i) => Math.abs(ly[i]! - pred[i]!)).sort((a, b) => a - b);
      const h = (res.length - 1) * 0.5;
      const med = res[Math.floor(h)]! + (h - Math.floor(h)) * (res[Math.ceil(h)]! - res[Math.floor(h)]!);
      subset = train.filter((i) => Math.abs(ly[i]! - pred[i]!) <= Math.max(4 * 1.4826 * med, 1e-9));
    }
    expect(subset).not.toContain(5);
    expect(subset.length).toBe(n - 1);
    for (let i = 0; i < n + 1; i++) expect(got[i]).toBeCloseTo(Math.min(50, Math.max(0, Math.expm1(pred[i]!))), 10);
    expect(got[n + 1]).toBeNaN();
    // the indicators carry the offsets: a fit without them is off by ~0.3 in log1p for source B
    expect(Math.abs(Math.log1p(got[3]!) - truth(3))).toBeLessThan(0.02);
    // clamped to [0, max]
    const capped = spectralPrediction({ scores, k, rowOf, value, train, source, method }, 3);
    capped.forEach((v, i) => (i === n + 1 ? expect(v).toBeNaN() : expect(v).toBeLessThanOrEqual(3)));
  });
});
