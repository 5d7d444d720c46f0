/**
 * How low the test-set coverage of a split-conformal interval can fall by chance. With n_cal
 * exchangeable calibration scores and level α, the interval's true coverage C is
 * Beta(k, n_cal + 1 − k), k = ⌈(n_cal + 1)·α⌉ (Vovk 2012; Angelopoulos & Bates 2021, §3.2), and
 * the number of n_test test rows covered is Beta-Binomial(n_test, k, n_cal + 1 − k). This
 * returns the smallest count c with P(count < c) ≤ tail: a correct interval falls below it
 * with probability ≤ tail, while a broken one (e.g. a quantile without the +1, or the wrong
 * scores) usually does.
 */
import { logGamma } from "../../src/core/chemometrics/log-gamma.js";

const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);
const logChoose = (n: number, j: number) => logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1);

export function conformalCoverageFloor(nTest: number, nCal: number, level: number, tail = 1e-4): number {
  const k = Math.ceil((nCal + 1) * level);
  if (k > nCal) return 0; // interval unbounded: covers everything
  const a = k;
  const b = nCal + 1 - k;
  let cdf = 0;
  for (let j = 0; j <= nTest; j++) {
    cdf += Math.exp(logChoose(nTest, j) + logBeta(j + a, nTest - j + b) - logBeta(a, b));
    if (cdf > tail) return j;
  }
  return nTest;
}
