/**
 * Unit mistakes of lab values (% written as g/kg, mg/kg...) found against a spectral model.
 * The model is linear in the spectra (Beer–Lambert: absorbance is ~linear in composition): a
 * ridge of log1p(value) on the PCA scores of the clean spectra plus indicators of source
 * (instrument offsets: QC runs before harmonization) and lab method (Walkley–Black recovers ~76 %
 * of C, LOI adds clay water), fitted on otherwise-clean samples and refitted once without the
 * gross residuals. log1p because soil C is heavy-tailed and a unit mistake is a factor, so the
 * model's errors and the check are both relative. A value ≥ `ratio`× off the prediction
 * (unitSuspects) is flagged. Predictions are clamped to [0, the physical maximum]: beyond it
 * they are extrapolations (organic soils, whose spectra saturate).
 */
import { matrixPca, pcaProject } from "../chemometrics/matrix-pca.js";
import { matrixRidge, ridgePredict } from "../chemometrics/ridge-regression.js";
import type { NumArray } from "../chemometrics/types.js";
import { unitSuspects } from "../chemometrics/unit-suspects.js";
import { xQuantileType7 } from "../stats/quantile.js";

export interface UnitTarget {
  /** Reason prefix: flags are `${name}_unit_suspect`, and a sample with another `${name}_` reason is not flagged again. */
  name: string;
  /** Per sample, g/kg (NaN = missing). */
  value: ArrayLike<number>;
  /** Per sample: lab method (null = unknown). */
  method: readonly (string | null)[];
  /** Physical maximum (g/kg) the predictions are clamped to. */
  max: number;
}

export interface UnitMistakeInput {
  /** Stacked spectra, rows × cols. */
  spectra: NumArray;
  rows: number;
  cols: number;
  /** Spectrum rows clean enough to span the model's PCA. */
  cleanRows: Int32Array;
  /** Per sample: its spectrum row, or −1. */
  rowOf: Int32Array;
  /** Per sample: the reasons flagged so far (a sample with any is not fitted on). */
  reasons: readonly (readonly string[])[];
  source: readonly (string | null)[];
  /** Checked in order; a sample flagged for one target is not fitted on for the next. */
  targets: readonly UnitTarget[];
}

export interface UnitMistakeOptions {
  ratio: number;
  /** Fewest clean labelled samples to fit a target's model; fewer: the target is skipped. */
  minSamples: number;
  /** PCA components of the clean spectra (capped by cols and cleanRows / 5; below 2 nothing is checked). */
  components: number;
}

export interface UnitMistakes {
  /** Per sample: the `${name}_unit_suspect` reasons found. */
  suspects: string[][];
  /** Per target name: samples flagged. */
  counts: Record<string, number>;
  /** Targets skipped for too few clean labelled samples (`samples` of them). */
  skipped: { name: string; samples: number }[];
}

export function unitMistakes(input: UnitMistakeInput, options: UnitMistakeOptions): UnitMistakes {
  const { rowOf, reasons, source } = input;
  const nS = rowOf.length;
  const out: UnitMistakes = { suspects: Array.from({ length: nS }, () => []), counts: {}, skipped: [] };
  const kReg = Math.min(options.components, input.cols, Math.floor(input.cleanRows.length / 5));
  if (kReg < 2) return out;
  const shape = { rows: input.rows, cols: input.cols };
  const model = matrixPca(input.spectra, { ...shape, subset: input.cleanRows, components: kReg });
  const scores = pcaProject(input.spectra, shape, model).scores;
  const flagged = (i: number) => reasons[i]!.length + out.suspects[i]!.length > 0;
  for (const t of input.targets) {
    const y = t.value;
    const train = Array.from({ length: nS }, (_, i) => i).filter(
      (i) => rowOf[i]! >= 0 && !flagged(i) && y[i]! >= 0 && Number.isFinite(y[i]!),
    );
    if (train.length < options.minSamples) {
      out.skipped.push({ name: t.name, samples: train.length });
      continue;
    }
    const predicted = spectralPrediction({ scores, k: kReg, rowOf, value: y, train, source, method: t.method }, t.max);
    const flags = unitSuspects(y, predicted, { ratio: options.ratio });
    for (let i = 0; i < nS; i++) {
      const own = (r: string) => r.startsWith(`${t.name}_`);
      if (flags[i] && !reasons[i]!.some(own) && !out.suspects[i]!.some(own)) {
        out.suspects[i]!.push(`${t.name}_unit_suspect`);
        out.counts[t.name] = (out.counts[t.name] ?? 0) + 1;
      }
    }
  }
  return out;
}

export interface SpectralModelInput {
  /** Rows × k PCA scores of the spectra. */
  scores: Float64Array;
  k: number;
  rowOf: Int32Array;
  value: ArrayLike<number>;
  /** Samples fitted on. */
  train: number[];
  source: readonly (string | null)[];
  method: readonly (string | null)[];
}

/** Per sample: the model's value in g/kg, clamped to [0, max]; NaN without a spectrum. (Exported for its exact test.) */
export function spectralPrediction(input: SpectralModelInput, max: number): Float64Array {
  const { scores, k, rowOf, train } = input;
  const nS = rowOf.length;
  const ly = Float64Array.from(input.value, (v) => (v >= 0 ? Math.log1p(v) : NaN));
  // one indicator per level but the first (sorted; unknown = "")
  const levels = (col: readonly (string | null)[]) => [...new Set(train.map((i) => col[i] ?? ""))].sort().slice(1);
  const srcLevels = levels(input.source);
  const methodLevels = levels(input.method);
  const nd = k + srcLevels.length + methodLevels.length;
  const xs = new Float64Array(nS * nd);
  for (let i = 0; i < nS; i++) {
    if (rowOf[i]! < 0) continue;
    xs.set(scores.subarray(rowOf[i]! * k, (rowOf[i]! + 1) * k), i * nd);
    srcLevels.forEach((l, d) => (xs[i * nd + k + d] = (input.source[i] ?? "") === l ? 1 : 0));
    methodLevels.forEach((l, d) => (xs[i * nd + k + srcLevels.length + d] = (input.method[i] ?? "") === l ? 1 : 0));
  }
  const lyFit = ly.map((v) => (Number.isFinite(v) ? v : 0));
  let subset = train;
  let pred: Float64Array = new Float64Array(nS);
  for (let pass = 0; pass < 2; pass++) {
    const fit = matrixRidge(xs, lyFit, { rows: nS, cols: nd, subset });
    pred = ridgePredict(xs, { rows: nS, cols: nd }, fit);
    // refit without residuals beyond 4 robust SDs (MAD · 1.4826)
    const cut =
      4 *
      1.4826 *
      xQuantileType7(
        subset.map((i) => Math.abs(ly[i]! - pred[i]!)),
        0.5,
      );
    subset = train.filter((i) => Math.abs(ly[i]! - pred[i]!) <= Math.max(cut, 1e-9));
  }
  return Float64Array.from(pred, (v, i) => (rowOf[i]! >= 0 ? Math.min(max, Math.max(0, Math.expm1(v))) : NaN));
}
