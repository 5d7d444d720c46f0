/**
 * Empirical interval coverage against nominal levels, from one model's predictions.
 *
 * - "reported": the model's own intervals on the scored rows, at their nominal level.
 * - "rescaled": when calibration rows with intervals exist, the model's interval shape is
 *   re-calibrated to each level in `levels` by split conformal: on the log1p scale, centre
 *   c = log1p(predicted) and scale w = log1p(pi_high) − c (the upper half-width, which a clamp
 *   at 0 never touches); scores |log1p(y) − c|/w on the cal rows give q_L
 *   (`conformalQuantile`, src/core/stats/conformal.ts); the scored rows get c ± q_L·w, back-transformed with expm1 (lower
 *   end clamped at 0). For a plain conformal model w is constant, for a normalized one it is
 *   proportional to σ̂, so this checks the interval shape and the cal/test exchangeability at
 *   every level. Widths are reported in g/kg.
 * - "resplit": at the reported level, the mean test coverage over random re-partitions of the
 *   same cal ∪ scored rows (`resplitCoverage`), with the 5–95 % range one split of these sizes
 *   gives: how far a single split's coverage can be read (±0.08 with ~50 rows each).
 */
import { createRng } from "../random.js";
import { conformalQuantile, resplitCoverage } from "./conformal.js";

/** Re-partitions for the "resplit" row: the mean's Monte-Carlo SD is < 0.002 at 1,000. */
const RESPLIT_REPEATS = 1000;
const RESPLIT_SEED = 1;

export const DEFAULT_CALIBRATION_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;

export interface CalibrationInput {
  observed: Float64Array;
  predicted: Float64Array;
  low: Float64Array;
  high: Float64Array;
  /** Row split; rows in `scoreSplits` are scored, rows with split "cal" calibrate. */
  split: readonly (string | null)[];
  /** Nominal level of low/high. */
  level: number;
  /** Levels for the rescaled curve; default 0.5, 0.6, 0.7, 0.8, 0.9, 0.95. */
  levels?: readonly number[];
  /** Splits scored; default ["test"]. */
  scoreSplits?: readonly string[];
}

export interface CalibrationRow {
  level: number;
  method: "reported" | "rescaled" | "resplit";
  n: number;
  coverage: number | null;
  mean_width: number | null;
  /** "resplit" only: 5th / 95th percentile of the re-partitions' coverage (else null). */
  coverage_p05: number | null;
  coverage_p95: number | null;
}

export function intervalCalibration(input: CalibrationInput): CalibrationRow[] {
  const { observed, predicted, low, high, split, level } = input;
  const levels = input.levels ?? DEFAULT_CALIBRATION_LEVELS;
  const scoreSplits = new Set(input.scoreSplits ?? ["test"]);
  const n = observed.length;
  for (const [name, a] of [
    ["predicted", predicted],
    ["low", low],
    ["high", high],
  ] as const) {
    if (a.length !== n) throw new RangeError(`${name} has ${a.length} rows, expected ${n}`);
  }
  if (split.length !== n) throw new RangeError(`split has ${split.length} rows, expected ${n}`);
  for (const l of [level, ...levels]) if (!(l > 0 && l < 1)) throw new RangeError(`level ${l} must be in (0, 1)`);

  const ok = (i: number) =>
    !Number.isNaN(observed[i]!) && !Number.isNaN(predicted[i]!) && !Number.isNaN(low[i]!) && !Number.isNaN(high[i]!);
  const scored: number[] = [];
  const cal: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    if (scoreSplits.has(split[i] ?? "")) scored.push(i);
    else if (split[i] === "cal") cal.push(i);
  }
  const rows: CalibrationRow[] = [];
  if (scored.length === 0) return rows;
  let cov = 0;
  let width = 0;
  for (const i of scored) {
    if (observed[i]! >= low[i]! && observed[i]! <= high[i]!) cov++;
    width += high[i]! - low[i]!;
  }
  rows.push({
    level,
    method: "reported",
    n: scored.length,
    coverage: cov / scored.length,
    mean_width: Number.isFinite(width) ? width / scored.length : null,
    coverage_p05: null,
    coverage_p95: null,
  });

  const centre = (i: number) => Math.log1p(predicted[i]!);
  const scale = (i: number) => Math.log1p(high[i]!) - centre(i);
  const usable = (i: number) => {
    const w = scale(i);
    return w > 0 && Number.isFinite(w) && observed[i]! > -1;
  };
  const calOk = cal.filter(usable);
  const scoredOk = scored.filter(usable);
  if (calOk.length === 0 || scoredOk.length === 0) return rows;
  const score = (i: number) => Math.abs(Math.log1p(observed[i]!) - centre(i)) / scale(i);
  const scores = Float64Array.from(calOk, score);
  for (const l of levels) {
    const q = conformalQuantile(scores, l);
    let c = 0;
    let w = 0;
    for (const i of scoredOk) {
      const lo = Math.max(0, Math.expm1(centre(i) - q * scale(i)));
      const hi = Math.expm1(centre(i) + q * scale(i));
      if (observed[i]! >= lo && observed[i]! <= hi) c++;
      w += hi - lo;
    }
    rows.push({
      level: l,
      method: "rescaled",
      n: scoredOk.length,
      coverage: c / scoredOk.length,
      mean_width: Number.isFinite(w) ? w / scoredOk.length : null,
      coverage_p05: null,
      coverage_p95: null,
    });
  }
  const rs = resplitCoverage(scores, Float64Array.from(scoredOk, score), level, createRng(RESPLIT_SEED), RESPLIT_REPEATS);
  if (rs) {
    rows.push({
      level,
      method: "resplit",
      n: scoredOk.length,
      coverage: rs.mean,
      mean_width: null,
      coverage_p05: rs.p05,
      coverage_p95: rs.p95,
    });
  }
  return rows;
}
