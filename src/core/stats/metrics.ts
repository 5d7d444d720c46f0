/**
 * Regression metrics of one model on one set of samples (SCIENCE.md "Metrics").
 *
 * Pairs where the observed or the predicted value is NaN are skipped. Definitions, with
 * o = observed, p = predicted over the n kept pairs:
 * - r2 = 1 − SS_res/SS_tot, SS_res = Σ(o − p)², SS_tot = Σ(o − ō)² (null if SS_tot = 0)
 * - rmse = √(SS_res/n), mae = Σ|o − p|/n, bias = mean(p − o)
 * - rpd = SD(o)/rmse with the sample SD (n − 1 denominator, as R `sd()`)
 * - rpiq = (Q3 − Q1 of o)/rmse, quartiles of type 7 (R default, numpy "linear")
 * - ccc = 2·cov(o,p) / (var(o) + var(p) + (ō − p̄)²), Lin (1989), population moments (1/n)
 * - pred_sd = sample SD of p (n − 1)
 * - pi_coverage = share of pairs with low ≤ o ≤ high; pi_width = mean(high − low), over the
 *   kept pairs whose interval ends are both non-NaN (null when no interval is given).
 * A metric that is undefined (n too small, zero variance, zero error) is null, never 0.
 */
import { finiteSorted, sortedQuantileType7 } from "./quantile.js";

export interface RegressionMetricsOptions {
  /** Lower interval ends, same length as `observed` (optional). */
  low?: Float64Array;
  /** Upper interval ends, same length as `observed` (optional). */
  high?: Float64Array;
  /** Nominal interval level in (0, 1); only checked here (the caller records it). Default 0.9. */
  level?: number;
}

export interface RegressionMetrics {
  n: number;
  r2: number | null;
  rmse: number | null;
  mae: number | null;
  bias: number | null;
  rpiq: number | null;
  rpd: number | null;
  ccc: number | null;
  pred_sd: number | null;
  pi_coverage: number | null;
  pi_width: number | null;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function regressionMetrics(observed: Float64Array, predicted: Float64Array, opts: RegressionMetricsOptions = {}): RegressionMetrics {
  const { low, high, level = 0.9 } = opts;
  const len = observed.length;
  if (predicted.length !== len) {
    throw new RangeError(`observed has ${len} values, predicted ${predicted.length}`);
  }
  if ((low === undefined) !== (high === undefined)) throw new RangeError("give both low and high, or neither");
  if (low && low.length !== len) throw new RangeError(`low has ${low.length} values, expected ${len}`);
  if (high && high.length !== len) throw new RangeError(`high has ${high.length} values, expected ${len}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level ${level} must be in (0, 1)`);

  let n = 0;
  let so = 0;
  let sp = 0;
  for (let i = 0; i < len; i++) {
    const o = observed[i]!;
    const p = predicted[i]!;
    if (Number.isNaN(o) || Number.isNaN(p)) continue;
    n++;
    so += o;
    sp += p;
  }
  const empty: RegressionMetrics = {
    n,
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
  };
  if (n === 0) return empty;
  const mo = so / n;
  const mp = sp / n;
  let ssRes = 0;
  let sAbs = 0;
  let ssO = 0;
  let ssP = 0;
  let sOP = 0;
  let nPi = 0;
  let covered = 0;
  let width = 0;
  const obsKept = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < len; i++) {
    const o = observed[i]!;
    const p = predicted[i]!;
    if (Number.isNaN(o) || Number.isNaN(p)) continue;
    obsKept[k++] = o;
    const e = p - o;
    ssRes += e * e;
    sAbs += Math.abs(e);
    ssO += (o - mo) * (o - mo);
    ssP += (p - mp) * (p - mp);
    sOP += (o - mo) * (p - mp);
    if (low && high) {
      const lo = low[i]!;
      const hi = high[i]!;
      if (Number.isNaN(lo) || Number.isNaN(hi)) continue;
      nPi++;
      if (o >= lo && o <= hi) covered++;
      width += hi - lo;
    }
  }
  const rmse = Math.sqrt(ssRes / n);
  const sdO = n > 1 ? Math.sqrt(ssO / (n - 1)) : NaN;
  const sorted = finiteSorted(obsKept);
  const iqr = sortedQuantileType7(sorted, 0.75) - sortedQuantileType7(sorted, 0.25);
  const varO = ssO / n;
  const varP = ssP / n;
  const cov = sOP / n;
  const cccDen = varO + varP + (mo - mp) * (mo - mp);
  return {
    n,
    r2: ssO > 0 ? 1 - ssRes / ssO : null,
    rmse,
    mae: sAbs / n,
    bias: (sp - so) / n,
    rpiq: rmse > 0 ? finiteOrNull(iqr / rmse) : null,
    rpd: rmse > 0 ? finiteOrNull(sdO / rmse) : null,
    ccc: cccDen > 0 ? (2 * cov) / cccDen : null,
    pred_sd: n > 1 ? Math.sqrt(ssP / (n - 1)) : null,
    pi_coverage: nPi > 0 ? covered / nPi : null,
    pi_width: nPi > 0 ? finiteOrNull(width / nPi) : null,
  };
}
