import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/random.js";
import {
  nestedCv,
  predictFitted,
  selectAndFit,
  stackPredictions,
  type Candidate,
  type ExternalFitter,
  type VariantInput,
} from "../../../src/core/select/nested-cv.js";
import { simplexWeights } from "../../../src/core/stats/simplex-weights.js";

/** y in 1..10; the variant holds log1p(y) in two columns plus noise. */
function data(n: number, seed: number) {
  const rng = createRng(seed);
  const p = 6;
  const y = new Float64Array(n);
  const x = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    y[i] = 1 + 9 * rng.next();
    for (let j = 0; j < p; j++) x[i * p + j] = (j < 2 ? Math.log1p(y[i]!) : 0) + rng.normal(0, 0.15);
  }
  const variants: VariantInput[] = [{ name: "v", x, p }];
  return { y, p, variants };
}

/**
 * A stand-in for the CNN: fits a least-squares line of y on the first column of x (on the
 * training rows it is given), and records every call. It fails the test if it can see a target
 * outside its training rows.
 */
function lineFitter(calls: { train: number; rows: number }[]): ExternalFitter {
  return {
    family: "cnn",
    async fitPredict(x, p, y, train, rows) {
      const inTrain = new Set(train);
      y.forEach((v, i) => {
        if (inTrain.has(i) !== Number.isFinite(v)) throw new Error(`row ${i}: target visible outside the training rows`);
      });
      calls.push({ train: train.length, rows: rows.length });
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      for (const i of train) {
        const u = x[i * p]!;
        sx += u;
        sy += y[i]!;
        sxx += u * u;
        sxy += u * y[i]!;
      }
      const m = train.length;
      const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
      const icpt = (sy - slope * sx) / m;
      return { predicted: Float64Array.from(rows, (i) => Math.max(0, icpt + slope * x[i * p]!)), describe: { slope } };
    },
  };
}

const plsr: Candidate = { name: "plsr", variant: 0, model: { family: "plsr", maxComponents: 3 }, target: "log1p" };
const cnn = (f: ExternalFitter): Candidate => ({ name: "cnn", variant: 0, model: { family: "cnn", fitter: f }, target: "log1p" });

describe("nested CV with an external (CNN) family and stacks", () => {
  it("fits the external model once per inner fold and once per refit, never showing it a held-out target", async () => {
    const d = data(60, 1);
    const calls: { train: number; rows: number }[] = [];
    const outer = Int32Array.from({ length: 60 }, (_, i) => i % 3);
    const res = await nestedCv(d.variants, d.y, outer, [plsr, cnn(lineFitter(calls))], { innerFolds: 4, rule: "min" });
    // per outer fold: 4 inner fits + at most 1 refit (only when it is chosen)
    const refits = res.folds.filter((f) => f.selection.chosen.candidate === 1).length;
    expect(calls).toHaveLength(3 * 4 + refits);
    // inner fits see 3/4 of the 40 outer-training rows and predict the 10 held + 20 outer-test rows
    for (const c of calls.slice(0, 4)) expect(c).toEqual({ train: 30, rows: 30 });
    for (const f of res.folds) expect(f.selection.scores.filter((s) => s.candidate === 1)).toHaveLength(1);
  });

  it("chooses each family's best candidate as a stack's base, and weights that sum to one", async () => {
    const d = data(80, 2);
    const train = Int32Array.from({ length: 80 }, (_, i) => i);
    const cands: Candidate[] = [plsr, cnn(lineFitter([])), { name: "stack", stack: ["plsr", "cnn"] }];
    const sel = await selectAndFit(d.variants, d.y, cands, train, new Int32Array(0), { innerFolds: 5, rule: "min", score: "identity" });
    const stack = sel.stacks![0]!;
    expect(stack.candidate).toBe(2);
    const bestPlsr = sel.scores.filter((s) => s.candidate === 0).reduce((a, b) => (b.rmse < a.rmse ? b : a));
    expect(stack.bases.map((b) => [b.candidate, b.setting])).toEqual([
      [0, bestPlsr.setting],
      [1, 0],
    ]);
    expect(stack.weights[0]! + stack.weights[1]!).toBeCloseTo(1, 12);
    const row = sel.scores.filter((s) => s.candidate === 2);
    expect(row).toHaveLength(1);
    expect(row[0]!.setting).toBe(0);
  });

  it("refits a stack's bases once, shares them with the average, and predicts as its fitted model does", async () => {
    const d = data(70, 3);
    const train = Int32Array.from({ length: 50 }, (_, i) => i);
    const test = Int32Array.from({ length: 20 }, (_, i) => 50 + i);
    const calls: { train: number; rows: number }[] = [];
    const cands: Candidate[] = [plsr, cnn(lineFitter(calls)), { name: "stack", stack: ["plsr", "cnn"] }];
    // all three averaged: the stack's bases are the other two members
    const sel = await selectAndFit(d.variants, d.y, cands, train, test, { innerFolds: 5, rule: "average", averageTop: 3, clip: false });
    // 5 inner fits + 1 refit of the CNN stand-in, although two members use it
    expect(calls).toHaveLength(6);
    expect(sel.model.family).toBe("average");
    if (sel.model.family !== "average") return;
    const parts = sel.model.members;
    const stackPart = parts.find((m) => m.model.family === "stack")!;
    expect(stackPart.variant).toBeNull();
    if (stackPart.model.family !== "stack") throw new Error("no stack member");
    expect(stackPart.model.weights).toEqual(sel.stacks![0]!.weights);
    const plsrPart = parts.find((m) => m.model.family === "plsr")!;
    expect(stackPart.model.members[0]!.model).toBe(plsrPart.model);
    // the average of (plsr, cnn, w0·plsr + w1·cnn) on the log1p scale, from the members' own predictions
    const x = d.variants[0]!.x;
    const xt = Float32Array.from(Array.from(test).flatMap((i) => Array.from(x.subarray(i * d.p, (i + 1) * d.p))));
    const pPlsr = predictFitted(plsrPart.model, xt);
    const pCnn = await lineFitter([]).fitPredict(
      x,
      d.p,
      Float64Array.from(d.y, (v, i) => (i < 50 ? v : NaN)),
      train,
      test,
    );
    const [w0, w1] = stackPart.model.weights as [number, number];
    const order = parts.map((m) => m.model.family);
    for (let k = 0; k < test.length; k++) {
      const lp = Math.log1p(pPlsr[k]!);
      const lc = Math.log1p(pCnn.predicted[k]!);
      const byFamily: Record<string, number> = { plsr: lp, cnn: lc, stack: w0 * lp + w1 * lc };
      const mean = order.reduce((a, f) => a + byFamily[f]!, 0) / 3;
      expect(sel.predicted[k]).toBeCloseTo(Math.expm1(mean), 9);
    }
  });

  it("fails loudly, naming the candidate, when the external model predicts a non-finite value", async () => {
    const d = data(30, 6);
    const diverged: ExternalFitter = {
      family: "cnn",
      fitPredict: async (_x, _p, _y, _train, rows) => ({ predicted: Float64Array.from(rows, (_, k) => (k === 1 ? NaN : 1)), describe: {} }),
    };
    const train = Int32Array.from({ length: 30 }, (_, i) => i);
    await expect(selectAndFit(d.variants, d.y, [plsr, cnn(diverged)], train, new Int32Array(0))).rejects.toThrow(
      /candidate "cnn": the fit on 24 rows predicted NaN for row \d+/,
    );
  });

  it("names a stack whose family has no candidate", async () => {
    const d = data(30, 4);
    const train = Int32Array.from({ length: 30 }, (_, i) => i);
    await expect(
      selectAndFit(d.variants, d.y, [plsr, { name: "stack(plsr+cnn)", stack: ["plsr", "cnn"] }], train, new Int32Array(0)),
    ).rejects.toThrow('candidate "stack(plsr+cnn)" stacks cnn, but no cnn candidate is listed');
  });
});

describe("stackPredictions", () => {
  it("combines each inner fold with weights fitted on the other folds only (cross-fitting)", () => {
    const rng = createRng(9);
    const n = 12;
    const sTrue = Float64Array.from({ length: n }, () => 1 + 3 * rng.next());
    const a = Float64Array.from(sTrue, (v) => v + rng.normal(0.5, 0.3));
    const b = Float64Array.from(sTrue, (v) => v + rng.normal(-0.4, 0.5));
    // three folds of four positions; the "rows" fields are not used by the combination
    const folds = [0, 1, 2].map((k) => {
      const pos = Int32Array.from([0, 1, 2, 3].map((j) => k * 4 + j));
      return { fit: new Int32Array(0), held: pos, pos };
    });
    const atA = [0, 1, 2].map((k) => Float64Array.of(10 + k, 20 + k));
    const atB = [0, 1, 2].map((k) => Float64Array.of(30 + k, 40 + k));
    const st = stackPredictions(
      [
        { oof: [a], at: atA },
        { oof: [b], at: atB },
      ],
      sTrue,
      [folds],
      2,
    );
    folds.forEach((f, k) => {
      const others = Int32Array.from({ length: n }, (_, r) => r).filter((r) => Math.floor(r / 4) !== k);
      const w = simplexWeights([a, b], sTrue, others);
      for (const r of f.pos) expect(st.oof[0]![r]).toBeCloseTo(w[0]! * a[r]! + w[1]! * b[r]!, 12);
      expect(st.at[k]![0]).toBeCloseTo(w[0]! * (10 + k) + w[1]! * (30 + k), 12);
      expect(st.at[k]![1]).toBeCloseTo(w[0]! * (20 + k) + w[1]! * (40 + k), 12);
    });
    const wAll = simplexWeights(
      [a, b],
      sTrue,
      Int32Array.from({ length: n }, (_, r) => r),
    );
    expect(Array.from(st.weights)).toEqual(Array.from(wAll));
    // cross-fitted predictions can only be worse in-sample than the all-rows weights on the same rows
    const sse = (o: ArrayLike<number>) => Array.from(sTrue).reduce((e, v, r) => e + (v - o[r]!) ** 2, 0);
    expect(sse(st.oof[0]!)).toBeGreaterThanOrEqual(sse(Float64Array.from(a, (v, r) => wAll[0]! * v + wAll[1]! * b[r]!)) - 1e-12);
  });
});
