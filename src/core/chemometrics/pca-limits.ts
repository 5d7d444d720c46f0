/**
 * Control limits for PCA outlier statistics.
 * - Hotelling T²: k(n−1)/(n−k) · F_{1−α}(k, n−k).
 * - Q residual, Jackson–Mudholkar (1979): θ_i = Σ_{j>k} λ_j^i, h0 = 1 − 2θ1θ3/(3θ2²),
 *   Q_α = θ1 [z_{1−α} √(2θ2h0²)/θ1 + 1 + θ2h0(h0−1)/θ1²]^{1/h0}.
 * - Q residual, Box (1954): Q ≈ g·χ²_h with g = var(Q)/(2·mean(Q)), h = 2·mean(Q)²/var(Q).
 */
import { chiSquareQuantile, fQuantile, normalQuantile } from "./distribution-quantiles.js";
import { xQuantileType7 } from "../stats/quantile.js";

function checkAlpha(alpha: number, name: string): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${name}: alpha must be in (0, 1), got ${alpha}`);
}

export function hotellingT2Limit(n: number, k: number, alpha: number): number {
  checkAlpha(alpha, "hotellingT2Limit");
  if (!Number.isInteger(k) || k < 1 || !(n > k)) {
    throw new RangeError(`hotellingT2Limit: need integer k >= 1 and n > k, got n=${n}, k=${k}`);
  }
  return ((k * (n - 1)) / (n - k)) * fQuantile(1 - alpha, k, n - k);
}

/** θ_i = Σ_{j>k} λ_j^i of a full eigenvalue list (descending). */
export function residualThetaOf(eigenvalues: ArrayLike<number>, k: number): [number, number, number] {
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (let j = k; j < eigenvalues.length; j++) {
    const l = Math.max(0, eigenvalues[j]!);
    t1 += l;
    t2 += l * l;
    t3 += l * l * l;
  }
  return [t1, t2, t3];
}

/** `theta`: θ1, θ2, θ3, the sums of the residual eigenvalues' 1st–3rd powers (residualThetaOf, or residualTheta of a PcaModel). */
export function qLimitJacksonMudholkar(theta: readonly [number, number, number], alpha: number): number {
  checkAlpha(alpha, "qLimitJacksonMudholkar");
  const [t1, t2, t3] = theta;
  if (!(t1 > 0) || !(t2 > 0)) return 0;
  const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
  const z = normalQuantile(1 - alpha);
  const base = (z * Math.sqrt(2 * t2 * h0 * h0)) / t1 + 1 + (t2 * h0 * (h0 - 1)) / (t1 * t1);
  return t1 * Math.pow(Math.max(base, 0), 1 / h0);
}

/** Box's approximation from the Q values of the (clean) fit set. */
export function qLimitBox(q: ArrayLike<number>, alpha: number): number {
  checkAlpha(alpha, "qLimitBox");
  const n = q.length;
  if (n < 2) throw new RangeError(`qLimitBox: need at least 2 Q values, got ${n}`);
  let m = 0;
  for (let i = 0; i < n; i++) m += q[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (q[i]! - m) ** 2;
  v /= n - 1;
  if (!(m > 0) || !(v > 0)) return m;
  const g = v / (2 * m);
  const h = (2 * m * m) / v;
  return g * chiSquareQuantile(1 - alpha, h);
}

/**
 * Robust Q limit on the log scale: exp(median(ln Q) + z · 1.4826 · MAD(ln Q)). Q of real soil
 * spectra is a heavy-tailed positive quadratic form (organic soils, unusual mineralogy leave
 * more residual than the χ² moments of the bulk allow), and ln Q is close to symmetric, so a
 * median/MAD rule on ln Q neither chases the tail (as moment fits do) nor lets a few defects
 * move the limit. z = 4 ≈ 3·10⁻⁵ one-sided under log-normality. Zero or non-finite Q ignored.
 */
export function qLimitRobustLog(q: ArrayLike<number>, z: number): number {
  if (!(z > 0)) throw new RangeError(`qLimitRobustLog: z must be > 0, got ${z}`);
  const l: number[] = [];
  for (let i = 0; i < q.length; i++) if (q[i]! > 0 && Number.isFinite(q[i]!)) l.push(Math.log(q[i]!));
  if (l.length < 3) throw new RangeError(`qLimitRobustLog: need at least 3 positive Q values, got ${l.length}`);
  const m = xQuantileType7(l, 0.5);
  const mad = xQuantileType7(
    l.map((v) => Math.abs(v - m)),
    0.5,
  );
  return Math.exp(m + z * 1.4826 * mad);
}
