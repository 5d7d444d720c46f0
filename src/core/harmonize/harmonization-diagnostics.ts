/**
 * What a harmonization did, per source (the `harmonization` table):
 * - distanceBefore/After: Mahalanobis distance of the source's centroid from the reference's
 *   in the reference's PCA space. Includes real soil differences; coral with mean_shift full
 *   sets it to 0 by construction, so "after" says what the method removed, not that it is right.
 * - nnBefore/After: mean Mahalanobis distance (same space) from each source spectrum to its
 *   nearest reference spectrum — do the spectra look like some reference soil? The reference
 *   row (nearest other reference spectrum) is the floor. No method fits it directly. On at most
 *   maxScores evenly spaced spectra of each source (the same rows before and after), so it
 *   stays linear in n.
 * - pairs, pairBefore/After: same-soil pairs with the reference: mean Euclidean distance
 *   between the two spectra of a soil. For sst/pds/epo "after" is out of fold (5 folds: each
 *   pair corrected by a fit that did not see it), never zero by construction. NaN without pairs.
 * - gain, shift, offset, slope: the fitted instrument model (method instrument; NaN else).
 */
import type { SpectraBlock } from "../spectra/block.js";
import type { PcaModel } from "../chemometrics/matrix-pca.js";
import { meanNearestDistance, pcaCentroidDistance, whitenedScores } from "../chemometrics/pca-align.js";
import { matrixEpoApply } from "../chemometrics/matrix-epo.js";
import { evenRows } from "../chemometrics/even-rows.js";
import { IDENTITY, type InstrumentModel } from "../chemometrics/instrument-align.js";
import { blockRows, fitEpo, fitPairwise, pairRows, type TransferPairs } from "./transfer-fit.js";
import type { HarmonizeOptions } from "./harmonize-sources.js";

export interface HarmonizationDiagnostics {
  source: string[];
  distanceBefore: Float64Array;
  distanceAfter: Float64Array;
  nnBefore: Float64Array;
  nnAfter: Float64Array;
  pairs: Float64Array;
  pairBefore: Float64Array;
  pairAfter: Float64Array;
  gain: Float64Array;
  shift: Float64Array;
  offset: Float64Array;
  slope: Float64Array;
}

export interface DiagnosticsInput {
  /** The blocks before and after, in the same order; `reference` is one of `before`. */
  before: readonly SpectraBlock[];
  after: readonly SpectraBlock[];
  reference: SpectraBlock;
  refModel: PcaModel;
  refModelAfter: PcaModel;
  pairs: TransferPairs | null;
  /** Fitted instrument models by source (method instrument). */
  instrument: ReadonlyMap<string, InstrumentModel>;
}

export function harmonizationDiagnostics(input: DiagnosticsInput, options: HarmonizeOptions): HarmonizationDiagnostics {
  const { before, after, reference: ref, refModel, refModelAfter } = input;
  const refAfter = referenceAfter(input);
  const scoresOf = (b: SpectraBlock, model: PcaModel) => {
    const sub = evenRows(b.values, { rows: b.ids.length, cols: b.wavenumbers.length }, options.maxScores);
    return whitenedScores(sub.values, sub.shape, model);
  };
  const refScoresBefore = scoresOf(ref, refModel);
  const refScoresAfter = refModelAfter === refModel ? refScoresBefore : scoresOf(refAfter, refModelAfter);
  const pairDistance = pairDistances(input, options);
  const pairs = before.map((b) => (b === ref ? [[], []] : pairRows(ref, b, input.pairs)) as [number[], number[]]);
  const per = (f: (b: SpectraBlock, i: number) => number) => Float64Array.from(before, f);
  const shape = (b: SpectraBlock) => ({ rows: b.ids.length, cols: b.wavenumbers.length });
  const param = (f: (m: InstrumentModel) => number) =>
    per((b) => {
      const m = input.instrument.get(b.source);
      return m ? f(m) : b.source === ref.source && options.method === "instrument" ? f(IDENTITY) : NaN;
    });
  return {
    source: before.map((b) => b.source),
    distanceBefore: per((b) => pcaCentroidDistance(b.values, shape(b), refModel)),
    distanceAfter: per((b, i) => pcaCentroidDistance(after[i]!.values, shape(b), refModelAfter)),
    nnBefore: per((b) => meanNearestDistance(b === ref ? refScoresBefore : scoresOf(b, refModel), refScoresBefore, refModel.k, b === ref)),
    nnAfter: per((b, i) =>
      meanNearestDistance(b === ref ? refScoresAfter : scoresOf(after[i]!, refModelAfter), refScoresAfter, refModelAfter.k, b === ref),
    ),
    pairs: per((_, i) => pairs[i]![0].length),
    pairBefore: per((_, i) => (pairs[i]![0].length ? pairDistance(i, pairs[i]!, "before") : NaN)),
    pairAfter: per((_, i) => (pairs[i]![0].length ? pairDistance(i, pairs[i]!, "after") : NaN)),
    gain: param((m) => m.gain),
    shift: param((m) => m.shift),
    offset: param((m) => m.offset),
    slope: param((m) => m.slope),
  };
}

const referenceAfter = (input: DiagnosticsInput) => input.after.find((b) => b.source === input.reference.source)!;

/** Mean Euclidean distance between the rows of x and y (same shape, p columns). */
function meanRowDistance(x: Float32Array, y: Float32Array, p: number): number {
  let tot = 0;
  for (let i = 0; i < x.length / p; i++) {
    let d = 0;
    for (let j = 0; j < p; j++) d += (x[i * p + j]! - y[i * p + j]!) ** 2;
    tot += Math.sqrt(d);
  }
  return tot / (x.length / p);
}

/** Same-soil distance of block `bi`'s pairs (reference rows m, block rows s) before or after. */
function pairDistances(input: DiagnosticsInput, options: HarmonizeOptions) {
  const { before, after, reference: ref } = input;
  const p = ref.wavenumbers.length;
  const refAfter = referenceAfter(input);
  const method = options.method;
  const transfer = method === "sst" || method === "pds" || method === "epo";
  // EPO is one global fit: one refit per fold, shared by all sources (fold f of every source held out)
  const epoFolds = new Map<string, Float64Array | null>();
  const epoFold = (folds: number, f: number) => {
    const key = `${folds}:${f}`;
    if (!epoFolds.has(key))
      epoFolds.set(
        key,
        fitEpo(before, ref, input.pairs, options.transfer, (_, i) => i % folds === f),
      );
    return epoFolds.get(key)!;
  };
  return (bi: number, [m, s]: [number[], number[]], stage: "before" | "after"): number => {
    const b = before[bi]!;
    if (stage === "before") return meanRowDistance(blockRows(b, s), blockRows(ref, m), p);
    if (b === ref) return 0;
    if (!transfer) return meanRowDistance(blockRows(after[bi]!, s), blockRows(refAfter, m), p);
    const folds = Math.min(5, m.length);
    let tot = 0;
    for (let f = 0; f < folds; f++) {
      const test = m.flatMap((_, i) => (i % folds === f ? [i] : []));
      const train = m.flatMap((_, i) => (i % folds === f ? [] : [i]));
      const xs0 = blockRows(
        b,
        test.map((i) => s[i]!),
      );
      const xm0 = blockRows(
        ref,
        test.map((i) => m[i]!),
      );
      let xs: Float32Array;
      let xm: Float32Array;
      try {
        if (method === "epo") {
          const v = epoFold(folds, f);
          const shape = { rows: test.length, cols: p };
          xs = v ? matrixEpoApply(xs0, shape, v) : xs0;
          xm = v ? matrixEpoApply(xm0, shape, v) : xm0;
        } else {
          const fit = fitPairwise(method, ref, b, [train.map((i) => m[i]!), train.map((i) => s[i]!)], options.transfer);
          xs = fit(xs0);
          xm = xm0;
        }
      } catch {
        return NaN; // too few pairs in a training fold
      }
      tot += meanRowDistance(xs, xm, p) * test.length;
    }
    return tot / m.length;
  };
}
