/**
 * Unit-mistake check of lab values against spectral predictions: a value reported in % where
 * g/kg is expected is 10x too small, one in mg/kg... 1000x too large. A sample is suspect when
 * log10((observed + offset)/(predicted + offset)) lies beyond ±log10(ratio) — default ratio 5,
 * about half-way (on the log scale) to a factor 10; qc.outliers passes its own. The offset
 * (default 1 g/kg) keeps near-zero values from producing huge ratios. NaN observed or predicted → not suspect.
 */
export interface UnitSuspectOptions {
  /** Default 5. */
  ratio?: number;
  /** Default 1 (g/kg). */
  offset?: number;
}

export function unitSuspects(observed: ArrayLike<number>, predicted: ArrayLike<number>, options: UnitSuspectOptions = {}): Int8Array {
  const ratio = options.ratio ?? 5;
  const offset = options.offset ?? 1;
  if (!(ratio > 1)) throw new RangeError(`unitSuspects: ratio must be > 1, got ${ratio}`);
  if (!(offset > 0)) throw new RangeError(`unitSuspects: offset must be > 0, got ${offset}`);
  if (observed.length !== predicted.length)
    throw new RangeError(`unitSuspects: ${observed.length} observed vs ${predicted.length} predicted`);
  const lim = Math.log10(ratio);
  const out = new Int8Array(observed.length);
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const p = predicted[i]!;
    if (!(o >= 0) || !Number.isFinite(p)) continue;
    const r = Math.log10((o + offset) / (Math.max(p, 0) + offset));
    if (r > lim) out[i] = 1;
    else if (r < -lim) out[i] = -1;
  }
  return out;
}
