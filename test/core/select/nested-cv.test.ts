import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { nestedCv, predictFitted, selectAndFit, type Candidate } from "../../../src/core/select/nested-cv.js";
import { spectraVariant } from "../../../src/core/select/spectra-variant.js";

/** y ≥ 0; variant "signal" holds y in two columns plus noise, variant "noise" holds only noise. */
function data(n: number, seed: number) {
  const rng = createRng(seed);
  const p = 8;
  const y = new Float64Array(n);
  const signal = new Float32Array(n * p);
  const noise = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    y[i] = 1 + 9 * rng.next();
    for (let j = 0; j < p; j++) {
      signal[i * p + j] = (j < 2 ? Math.log1p(y[i]!) : 0) + rng.normal(0, 0.05);
      noise[i * p + j] = rng.normal(0, 1);
    }
  }
  return {
    y,
    p,
    variants: [
      { name: "noise", x: noise, p },
      { name: "signal", x: signal, p },
    ],
  };
}

const plsr = (variant: number, target: "log1p" | "identity" = "log1p"): Candidate => ({
  name: `${variant}-${target}`,
  variant,
  model: { family: "plsr", maxComponents: 3 },
  target,
});

describe("nested CV", async () => {
  it("selects the informative variant in every outer fold and never lets a fold see itself", async () => {
    const d = data(120, 3);
    const outer = Int32Array.from({ length: 120 }, (_, i) => i % 6);
    const res = await nestedCv(d.variants, d.y, outer, [plsr(0), plsr(1), plsr(1, "identity")], { innerFolds: 4 });
    expect(res.folds).toHaveLength(6);
    for (const f of res.folds) {
      expect(f.selection.chosen.candidate).not.toBe(0);
      expect(f.selection.nTrain).toBe(100);
      // candidates × settings scored: 3 × 3 components
      expect(f.selection.scores).toHaveLength(9);
      f.testRows.forEach((i) => expect(outer[i]).toBe(f.fold));
    }
    let sse = 0;
    let sst = 0;
    const mean = d.y.reduce((a, b) => a + b, 0) / 120;
    d.y.forEach((v, i) => {
      sse += (v - res.predicted[i]!) ** 2;
      sst += (v - mean) ** 2;
    });
    expect(1 - sse / sst).toBeGreaterThan(0.95);
  });

  it("CV+ intervals cover about 90 % of fresh rows, and are unbounded when n is too small for the level", async () => {
    const d = data(400, 5);
    const train = Int32Array.from({ length: 200 }, (_, i) => i);
    const test = Int32Array.from({ length: 200 }, (_, i) => 200 + i);
    const sel = await selectAndFit(d.variants, d.y, [plsr(1)], train, test, { innerFolds: 5, level: 0.9 });
    let inside = 0;
    test.forEach((i, k) => {
      expect(sel.low[k]!).toBeLessThanOrEqual(sel.predicted[k]! + 1e-9);
      expect(sel.high[k]!).toBeGreaterThanOrEqual(sel.predicted[k]! - 1e-9);
      if (d.y[i]! >= sel.low[k]! && d.y[i]! <= sel.high[k]!) inside++;
    });
    // binomial SD at n = 200 is 0.021
    expect(inside / 200).toBeGreaterThan(0.84);
    expect(inside / 200).toBeLessThan(0.96);
    // n = 8: the ⌈0.9·9⌉ = 9th of 8 residuals does not exist
    const small = await selectAndFit(
      d.variants,
      d.y,
      [plsr(1)],
      Int32Array.from({ length: 8 }, (_, i) => i),
      Int32Array.of(300),
      { innerFolds: 2 },
    );
    expect(small.high[0]).toBe(Infinity);
  });

  it("one_se keeps the first listed candidate unless another beats it by more than one SE", async () => {
    const d = data(80, 9);
    const train = Int32Array.from({ length: 80 }, (_, i) => i);
    // the same model twice, the copy on 2 components at most: never better than the first by more than noise
    const cands = [{ ...plsr(1), name: "a", model: { family: "plsr" as const, maxComponents: 2 } }, plsr(1)];
    const min = await selectAndFit(d.variants, d.y, cands, train, new Int32Array(0), { rule: "min" });
    const se = await selectAndFit(d.variants, d.y, cands, train, new Int32Array(0), { rule: "one_se" });
    const best = min.scores.find((s) => s.candidate === min.chosen.candidate && s.setting === min.chosen.setting)!;
    const firstBest = Math.min(...se.scores.filter((s) => s.candidate === 0).map((s) => s.rmse));
    expect(firstBest).toBeLessThanOrEqual(best.rmse + best.se);
    expect(se.chosen.candidate).toBe(0);
    expect(se.chosen.rmse).toBe(firstBest);
    // the noise variant listed first loses: it is far more than one SE worse
    const noiseFirst = await selectAndFit(d.variants, d.y, [plsr(0), plsr(1)], train, new Int32Array(0), { rule: "one_se" });
    expect(noiseFirst.chosen.candidate).toBe(1);
  });

  it("average: the best candidates (each at its best setting) averaged on the score scale, and the refit predicts the same", async () => {
    const d = data(90, 11);
    const train = Int32Array.from({ length: 70 }, (_, i) => i);
    const test = Int32Array.from({ length: 20 }, (_, i) => 70 + i);
    const cands = [plsr(1, "log1p"), plsr(1, "identity"), plsr(0, "log1p")];
    // clip off: predictFitted (below) does not know the training range
    const avg = await selectAndFit(d.variants, d.y, cands, train, test, { rule: "average", averageTop: 2, clip: false });
    // the members are the two candidates with the smallest inner RMSE at their best settings
    const bestOf = cands.map((_, ci) => Math.min(...avg.scores.filter((r) => r.candidate === ci).map((r) => r.rmse)));
    const order = [0, 1, 2].sort((a, b) => bestOf[a]! - bestOf[b]!);
    expect(avg.members!.map((m) => m.candidate)).toEqual(order.slice(0, 2));
    expect(avg.members!.map((m) => m.rmse)).toEqual(order.slice(0, 2).map((ci) => bestOf[ci]));
    expect(avg.chosen.candidate).toBe(order[0]);
    // each member alone, refitted as "min" restricted to it, gives the predictions averaged
    const alone: Float64Array[] = [];
    for (const m of avg.members!)
      alone.push((await selectAndFit(d.variants, d.y, [cands[m.candidate]!], train, test, { rule: "min", clip: false })).predicted);
    const expected = Float64Array.from(test, (_, k) => Math.expm1((Math.log1p(alone[0]![k]!) + Math.log1p(alone[1]![k]!)) / 2));
    for (let k = 0; k < test.length; k++) expect(avg.predicted[k]).toBeCloseTo(expected[k]!, 10);
    // the fitted average predicts new rows as the selection did
    expect(avg.model.family).toBe("average");
    const xOf = (variant: number) => {
      const v = d.variants[variant]!;
      return Float32Array.from(Array.from(test).flatMap((i) => Array.from(v.x.subarray(i * v.p, (i + 1) * v.p))));
    };
    const again = predictFitted(avg.model, xOf);
    for (let k = 0; k < test.length; k++) expect(again[k]).toBeCloseTo(avg.predicted[k]!, 6);
    // intervals still bracket the point predictions
    for (let k = 0; k < test.length; k++) {
      expect(avg.low[k]).toBeLessThanOrEqual(avg.predicted[k]!);
      expect(avg.high[k]).toBeGreaterThanOrEqual(avg.predicted[k]!);
    }
  });

  it("clips every prediction to the training part's target range", async () => {
    const d = data(60, 4);
    const train = Int32Array.from({ length: 40 }, (_, i) => i);
    // fresh rows far outside: the spectra of y ≈ 100 (the training y lie in 1..10)
    const x = Float32Array.from(d.variants[1]!.x);
    for (let i = 40; i < 60; i++) for (let j = 0; j < 2; j++) x[i * d.p + j] = Math.log1p(100);
    const variants = [d.variants[0]!, { ...d.variants[1]!, x }];
    const test = Int32Array.from({ length: 20 }, (_, i) => 40 + i);
    const hi = Math.max(...Array.from(train, (i) => d.y[i]!));
    const clipped = await selectAndFit(variants, d.y, [plsr(1)], train, test);
    for (const v of clipped.predicted) expect(v).toBeLessThanOrEqual(hi);
    const free = await selectAndFit(variants, d.y, [plsr(1)], train, test, { clip: false });
    expect(Math.max(...free.predicted)).toBeGreaterThan(50);
  });

  it("refuses fewer than two outer folds", async () => {
    const d = data(30, 1);
    await expect(nestedCv(d.variants, d.y, new Int32Array(30), [plsr(1)])).rejects.toThrow(/at least 2 outer folds/);
  });
});

describe("spectra variants", () => {
  const wn = Float64Array.from({ length: 101 }, (_, j) => 4000 - j * 10); // descending, as instruments write
  const x = Float32Array.from({ length: 2 * 101 }, (_, i) => 0.5 + 0.001 * (i % 101) + (i >= 101 ? 0.2 : 0));

  it("native keeps every measured point (ascending), a resolution resamples, exclude and range cut", async () => {
    const nat = spectraVariant(x, wn, {});
    expect(nat.p).toBe(101);
    expect(nat.wavenumbers[0]).toBe(3000);
    expect(nat.x[0]).toBeCloseTo(0.5 + 0.1, 6); // 3000 cm-1 is the last column of the input
    const coarse = spectraVariant(x, wn, { resolution: 20, range: [3100, 3900], exclude: [[3300, 3400]] });
    expect(Array.from(coarse.wavenumbers).slice(0, 3)).toEqual([3100, 3120, 3140]);
    expect(coarse.wavenumbers.some((w) => w >= 3300 && w <= 3400)).toBe(false);
    expect(coarse.p).toBe(41 - 6);
  });

  it("SNV rows have mean 0 and SD 1; the first derivative of a linear spectrum is its slope", async () => {
    const snv = spectraVariant(x, wn, { normalize: "snv" });
    const row = Array.from(snv.x.subarray(0, 101));
    const m = row.reduce((a, b) => a + b, 0) / 101;
    expect(m).toBeCloseTo(0, 6);
    expect(Math.sqrt(row.reduce((a, b) => a + (b - m) ** 2, 0) / 100)).toBeCloseTo(1, 5);
    const d1 = spectraVariant(x, wn, { savgol: { window: 5, polyorder: 2, deriv: 1 } });
    // value rises 0.001 per column towards low wavenumbers: slope −0.0001 per cm-1 on the ascending grid
    for (const v of d1.x.subarray(0, 101)) expect(v).toBeCloseTo(-0.0001, 6);
  });
});
