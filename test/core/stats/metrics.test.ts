import { describe, expect, it } from "vitest";
import { regressionMetrics } from "../../../src/core/stats/metrics.js";
import { xQuantileType7 } from "../../../src/core/stats/quantile.js";

const f = (xs: number[]) => Float64Array.from(xs);

describe("regressionMetrics", () => {
  it("matches hand-computed values on a small vector", () => {
    // o = 1..5, p = [1.5, 2, 2.5, 4.5, 6]; e = p − o = [.5, 0, −.5, .5, 1]
    // SS_res = .25+0+.25+.25+1 = 1.75; ō = 3, SS_tot = 10 → R² = 1 − 1.75/10 = 0.825
    // RMSE = √(1.75/5) = √0.35 = 0.591608; MAE = 2.5/5 = 0.5; bias = 1.5/5 = 0.3
    // SD(o) (n−1) = √2.5 = 1.581139 → RPD = 1.581139/0.591608 = 2.672612
    // type-7 quartiles of 1..5: Q1 = 2, Q3 = 4 → IQR 2 → RPIQ = 2/0.591608 = 3.380617
    // p̄ = 3.3; var_o = 2, var_p = Σ(p−3.3)²/5 = (3.24+1.69+.64+1.44+7.29)/5 = 2.86
    // cov = Σ(o−3)(p−3.3)/5 = (3.6+1.3+0+1.2+5.4)/5 = 2.3 → CCC = 4.6/(2+2.86+0.09) = 0.929293
    const m = regressionMetrics(f([1, 2, 3, 4, 5]), f([1.5, 2, 2.5, 4.5, 6]));
    expect(m.n).toBe(5);
    expect(m.r2).toBeCloseTo(0.825, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.35), 12);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.bias).toBeCloseTo(0.3, 12);
    expect(m.rpd).toBeCloseTo(2.672612419124244, 12);
    expect(m.rpiq).toBeCloseTo(3.3806170189140663, 12);
    expect(m.ccc).toBeCloseTo(4.6 / 4.95, 12);
    expect(m.pred_sd).toBeCloseTo(Math.sqrt(14.3 / 4), 12);
    expect(m.pi_coverage).toBeNull();
    expect(m.pi_width).toBeNull();
  });

  it("agrees with numpy on a random vector (reference printed by numpy 2.4)", () => {
    const o = f([59.3382, 22.668, 11.4794, 1.8253, 7.8063, 19.7548, 13.2926, 6.4189, 23.6949, 32.341, 16.9818, 24.7409]);
    const p = f([50.5147, 28.7012, 18.5942, -1.6538, 7.8091, 28.0858, 9.2991, 3.7282, 30.9296, 38.3861, 20.2657, 31.7446]);
    const lo = p.map((v) => v * 0.8);
    const hi = p.map((v) => v * 1.2);
    const m = regressionMetrics(o, p, { low: lo, high: hi });
    expect(m.r2).toBeCloseTo(0.8348790126327651, 10);
    expect(m.rmse).toBeCloseTo(5.9040351943960045, 10);
    expect(m.mae).toBeCloseTo(5.336333333333333, 10);
    expect(m.bias).toBeCloseTo(2.171866666666666, 10);
    expect(m.rpd).toBeCloseTo(2.5703551936435436, 10);
    expect(m.rpiq).toBeCloseTo(2.268833866829679, 10);
    expect(m.ccc).toBeCloseTo(0.919532360317334, 10);
    expect(m.pred_sd).toBeCloseTo(15.39897080221597, 10);
    expect(m.pi_coverage).toBeCloseTo(1 / 3, 12);
    expect(m.pi_width).toBeCloseTo(8.880149999999999, 10);
  });

  it("skips NaN pairs and intervals with a NaN end", () => {
    // kept pairs: (1,1) (3,4) ; interval of row 0 is [0,2] (covers), row 2 has NaN low → not counted
    const m = regressionMetrics(f([1, NaN, 3, 5]), f([1, 2, 4, NaN]), {
      low: f([0, 0, NaN, 0]),
      high: f([2, 9, 9, 9]),
    });
    expect(m.n).toBe(2);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(m.pi_coverage).toBe(1);
    expect(m.pi_width).toBe(2);
  });

  it("returns null, never 0, for undefined metrics", () => {
    const none = regressionMetrics(f([NaN]), f([1]));
    expect(none.n).toBe(0);
    expect(none.rmse).toBeNull();
    const one = regressionMetrics(f([2]), f([2]));
    expect(one.r2).toBeNull(); // SS_tot = 0
    expect(one.rpd).toBeNull(); // RMSE = 0
    expect(one.pred_sd).toBeNull();
    expect(one.rmse).toBe(0);
  });

  it("throws RangeError on bad input", () => {
    expect(() => regressionMetrics(f([1]), f([1, 2]))).toThrow(RangeError);
    expect(() => regressionMetrics(f([1]), f([1]), { low: f([0]) })).toThrow(RangeError);
    expect(() => regressionMetrics(f([1]), f([1]), { level: 1 })).toThrow(RangeError);
  });
});

describe("quantiles", () => {
  it("type 7 matches numpy percentile", () => {
    // numpy.percentile([2,4,7,10],[25,75]) = [3.5, 7.75]
    expect(xQuantileType7(f([10, 2, 7, 4]), 0.25)).toBeCloseTo(3.5, 12);
    expect(xQuantileType7(f([10, 2, NaN, 7, 4]), 0.75)).toBeCloseTo(7.75, 12);
    expect(() => xQuantileType7(f([1]), 1.5)).toThrow(RangeError);
  });
});
