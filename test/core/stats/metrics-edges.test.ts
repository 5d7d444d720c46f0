/** Edge cases of regressionMetrics: boundaries, undefined metrics and the error messages. */
import { describe, expect, it } from "vitest";
import { regressionMetrics } from "../../../src/core/stats/metrics.js";

const f = (xs: number[]) => Float64Array.from(xs);

describe("regressionMetrics edges", () => {
  it("an observation on either interval end is covered; width is high − low", () => {
    const m = regressionMetrics(f([1, 3, 5, 7]), f([1, 3, 5, 7]), { low: f([1, 2, 5.5, 0]), high: f([2, 3, 6, 6.9]) });
    expect(m.pi_coverage).toBe(0.5); // 1 ∈ [1,2], 3 ∈ [2,3]; 5 < 5.5, 7 > 6.9
    expect(m.pi_width).toBeCloseTo((1 + 1 + 0.5 + 6.9) / 4, 12);
  });

  it("one pair with an error: rmse, mae, bias defined; r2, rpd, rpiq-from-spread, pred_sd, ccc undefined", () => {
    const m = regressionMetrics(f([2]), f([5]));
    expect([m.n, m.rmse, m.mae, m.bias]).toEqual([1, 3, 3, 3]);
    expect(m.r2).toBeNull();
    expect(m.rpd).toBeNull(); // SD of one value is undefined
    expect(m.rpiq).toBe(0); // IQR of one value is 0, rmse 3
    expect(m.pred_sd).toBeNull();
    expect(m.ccc).toBe(0); // cov 0 over (0 + 0 + 9)
  });

  it("ccc is null only when observed and predicted are the same constant", () => {
    expect(regressionMetrics(f([4, 4]), f([4, 4])).ccc).toBeNull();
    expect(regressionMetrics(f([4, 4]), f([5, 5])).ccc).toBe(0);
    // perfect agreement: ccc 1, r2 1, rmse 0 → rpd, rpiq null (not Infinity)
    const perfect = regressionMetrics(f([1, 2, 3]), f([1, 2, 3]));
    expect([perfect.ccc, perfect.r2, perfect.rmse, perfect.rpd, perfect.rpiq]).toEqual([1, 1, 0, null, null]);
  });

  it("bias is mean(predicted − observed), signed", () => {
    expect(regressionMetrics(f([10, 20]), f([8, 17])).bias).toBeCloseTo(-2.5, 12);
    expect(regressionMetrics(f([10, 20]), f([12, 23])).bias).toBeCloseTo(2.5, 12);
  });

  it("a NaN observed or predicted drops the pair from every metric, intervals included", () => {
    const m = regressionMetrics(f([1, 2, NaN]), f([1, NaN, 3]), { low: f([0, 0, 0]), high: f([0.5, 9, 9]) });
    expect(m.n).toBe(1);
    expect(m.pi_coverage).toBe(0); // only row 0 counts: 1 ∉ [0, 0.5]
    expect(m.pi_width).toBe(0.5);
  });

  it("names what is wrong", () => {
    expect(() => regressionMetrics(f([1, 2]), f([1]))).toThrow("observed has 2 values, predicted 1");
    expect(() => regressionMetrics(f([1]), f([1]), { high: f([1]) })).toThrow("give both low and high, or neither");
    expect(() => regressionMetrics(f([1]), f([1]), { low: f([0, 0]), high: f([1]) })).toThrow("low has 2 values, expected 1");
    expect(() => regressionMetrics(f([1]), f([1]), { low: f([0]), high: f([1, 1]) })).toThrow("high has 2 values, expected 1");
    expect(() => regressionMetrics(f([1]), f([1]), { level: 0 })).toThrow("level 0 must be in (0, 1)");
    expect(() => regressionMetrics(f([1]), f([1]), { level: NaN })).toThrow(RangeError);
    expect(() => regressionMetrics(f([1]), f([1]), { level: 0.5 })).not.toThrow();
  });

  it("no pairs: every metric null, n 0", () => {
    const m = regressionMetrics(f([]), f([]), { low: f([]), high: f([]) });
    expect(m).toEqual({
      n: 0,
      r2: null,
      rmse: null,
      mae: null,
      bias: null,
      rpiq: null,
      rpd: null,
      ccc: null,
      pred_sd: null,
      pi_coverage: null,
      pi_width: null,
    });
  });
});
