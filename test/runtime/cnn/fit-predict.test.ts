import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import { cnnFitter, cnnInputProblem } from "../../../src/runtime/cnn/fit-predict.js";

/** 60 spectra of 240 points: one band whose height is log1p(y), plus noise. */
function data() {
  const rng = createRng(4);
  const n = 60;
  const p = 240;
  const y = new Float64Array(n);
  const x = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    y[i] = 2 + 30 * rng.next();
    for (let j = 0; j < p; j++) x[i * p + j] = Math.log1p(y[i]!) * Math.exp(-(((j - 120) / 15) ** 2)) + rng.normal(0, 0.02);
  }
  return { n, p, y, x };
}

describe("the CNN as a model-selection fitter", () => {
  it("learns from its training rows only, predicts the others in g/kg, and repeats itself exactly", async () => {
    const d = data();
    const train = Int32Array.from({ length: 45 }, (_, i) => i);
    const rows = Int32Array.from({ length: 15 }, (_, i) => 45 + i);
    const yTrain = Float64Array.from(d.y, (v, i) => (i < 45 ? v : NaN));
    const fit = cnnFitter({ task: "c", seed: 3, members: 1, epochs: 40, backend: "wasm", available: 1 });
    const a = await fit.fitPredict(d.x, d.p, yTrain, train, rows);
    expect(a.predicted).toHaveLength(15);
    // the band carries y: predictions follow it (Pearson r on the held-out rows)
    const obs = Array.from(rows, (i) => d.y[i]!);
    const pr = Array.from(a.predicted);
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const mo = mean(obs);
    const mp = mean(pr);
    const cov = obs.reduce((s, o, k) => s + (o - mo) * (pr[k]! - mp), 0);
    const r = cov / Math.sqrt(obs.reduce((s, o) => s + (o - mo) ** 2, 0) * pr.reduce((s, q) => s + (q - mp) ** 2, 0));
    expect(r).toBeGreaterThan(0.8);
    for (const v of a.predicted) expect(v).toBeGreaterThanOrEqual(0);
    expect(a.describe).toMatchObject({ tier: "small", members: 1, epochs: 40, architecture: "small" });
    const b = await fit.fitPredict(d.x, d.p, yTrain, train, rows);
    expect(Array.from(b.predicted)).toEqual(Array.from(a.predicted));
  }, 60_000);

  it("names spectra too short for its net, and accepts long enough ones", () => {
    expect(cnnInputProblem(60, 100, "c")).toMatch(/^the CNN's small net does not fit spectra of 60 points \(/);
    expect(cnnInputProblem(400, 100, "c")).toBeNull();
  });
});
