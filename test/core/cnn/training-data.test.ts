import { describe, expect, it } from "vitest";
import { calibrationRows, cnnTargets, conformalByTask, splitRows, targetStandardization } from "../../../src/core/cnn/training-data.js";
import { threadPolicy } from "../../../src/core/cnn/thread-policy.js";
import { VAN_BEMMELEN } from "../../../src/core/chemometrics/physical-range.js";
import type { SplitName } from "../../../src/core/stats/split.js";

const f32 = (v: number) => Math.fround(v);

describe("cnnTargets", () => {
  // samples 0..4; spectrum rows belong to samples 4, 0, 1, 2 (sample 3 has no spectrum)
  const c = Float64Array.from([9, -1, NaN, 19, 29]);
  const om = Float64Array.from([20, 30, 40, NaN, 60]);
  const exclude = [false, false, false, false, true];
  const sampleRow = Int32Array.from([4, 0, 1, 2]);

  it("fits on log1p of usable labels only; calibration may keep the QC-excluded ones", () => {
    const { y, yCal } = cnnTargets({ values: [c, om], exclude, sampleRow }, { calExcluded: true });
    expect(Array.from(y[0]!)).toEqual([NaN, f32(Math.log1p(9)), NaN, NaN]); // excluded, ok, negative, missing
    expect(Array.from(y[1]!)).toEqual([NaN, f32(Math.log1p(20)), f32(Math.log1p(30)), f32(Math.log1p(40))]);
    expect(Array.from(yCal[0]!)).toEqual([f32(Math.log1p(29)), f32(Math.log1p(9)), NaN, NaN]);
    const strict = cnnTargets({ values: [c], exclude, sampleRow }, { calExcluded: false });
    expect(strict.yCal[0]![0]).toBeNaN();
    expect(cnnTargets({ values: [c], exclude: null, sampleRow }, { calExcluded: false }).y[0]![0]).toBeCloseTo(Math.log1p(29), 6);
  });

  it("rows of a split have a target of some task; cal rows per task", () => {
    const { y, yCal } = cnnTargets({ values: [c, om], exclude, sampleRow }, { calExcluded: true });
    const splitOf: SplitName[] = ["train", "train", "cal", "test", "cal"];
    expect(Array.from(splitRows(splitOf, sampleRow, y, "train"))).toEqual([1, 2]); // samples 0, 1 (1 has OM only)
    expect(Array.from(splitRows(splitOf, sampleRow, y, "cal"))).toEqual([3]); // sample 2; sample 4 is excluded
    expect(calibrationRows(splitOf, sampleRow, yCal)).toEqual([[0], [0, 3]]); // excluded sample 4 calibrates
  });
});

describe("targetStandardization", () => {
  it("mean and SD (n − 1) of the train rows' log1p targets; the median OM/C ratio for multi", () => {
    const y = [Float32Array.from([1, 2, 3, 100, NaN]), Float32Array.from([2, 3, 3.5, 100, 5])];
    const train = Int32Array.from([0, 1, 2, 4]);
    const s = targetStandardization("multi", y, train);
    expect(s.mean.c).toBeCloseTo(2, 12);
    expect(s.sd.c).toBeCloseTo(1, 12); // var of 1, 2, 3 = 1
    expect(s.mean.om).toBeCloseTo((2 + 3 + 3.5 + 5) / 4, 6);
    // OM/C ratios (expm1 scale) of rows 0-2: e/1.718 = 3.72, 19.09/6.39 = 2.99, 32.12/19.09 = 1.68 → median 2.99
    expect(s.ratio0).toBeCloseTo(Math.expm1(3) / Math.expm1(2), 5);
    expect(targetStandardization("c", y, train).ratio0).toBe(VAN_BEMMELEN);
  });

  it("a constant target gets SD 1", () => {
    const s = targetStandardization("om", [Float32Array.from([2, 2, 2])], Int32Array.from([0, 1, 2]));
    expect(s.sd.om).toBe(1);
    expect(s.mean.om).toBe(2);
  });
});

describe("conformalByTask", () => {
  it("the ⌈(n+1)·level⌉-th smallest |y − ŷ|/σ̂ of the cal rows; σ̂ NaN counts as 1", () => {
    const yCal = [Float32Array.from([1, 2, 3, 4, 5])];
    const predicted = { c: { t: [1.5, 2, 2, 4, 7], sdLog: [0.5, 1, 2, NaN, 1] }, om: { t: [], sdLog: [] } };
    // scores of rows 0-3: 1, 0, 0.5, 0 → level 0.6: ⌈5·0.6⌉ = 3rd smallest = 0.5
    const r = conformalByTask({ tasks: ["c"], predicted, yCal, calRows: [[0, 1, 2, 3]] }, 0.6);
    expect(r).toEqual({ q: { c: 0.5 }, nCal: { c: 4 } });
    expect(conformalByTask({ tasks: ["c"], predicted, yCal, calRows: [[0, 1]] }, 0.9).q.c).toBe(Infinity);
    expect(conformalByTask({ tasks: ["c"], predicted, yCal, calRows: [[]] }, 0.9)).toEqual({ q: {}, nCal: { c: 0 } });
  });
});

describe("threadPolicy", () => {
  it("threads follow the data (1 below 512 training spectra), ensembles go side by side on ≥ 2 threads", () => {
    expect(threadPolicy({ requested: 0, trainRows: 511, members: 1, available: 8 })).toEqual({
      threads: 1,
      workers: 1,
      concurrent: false,
      inWorker: false,
    });
    expect(threadPolicy({ requested: 0, trainRows: 512, members: 1, available: 8 })).toMatchObject({ threads: 2, inWorker: false });
    expect(threadPolicy({ requested: 1, trainRows: 2000, members: 1, available: 1 })).toMatchObject({ threads: 1, inWorker: true });
    expect(threadPolicy({ requested: 0, trainRows: 100, members: 5, available: 3 })).toMatchObject({
      threads: 1,
      workers: 3,
      concurrent: true,
    });
    expect(threadPolicy({ requested: 4, trainRows: 100, members: 2, available: 1 })).toMatchObject({
      threads: 4,
      workers: 2,
      concurrent: true,
    });
    expect(threadPolicy({ requested: 0, trainRows: 100, members: 5, available: 1 })).toMatchObject({ workers: 1, concurrent: false });
  });
});
