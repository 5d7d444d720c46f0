/**
 * Reference-free alignment with a physical instrument model. On absorbance, a source
 * instrument reads a soil the reference reads as r(ν) as
 *   x(ν) ≈ g·r(ν + δ) + o + b·(ν − 2300)/1000 ≈ g·r + h·r′ + o + b·s,   δ = h/g,
 * four numbers per instrument: gain g (scatter/throughput), wavenumber shift δ, baseline
 * offset o and slope b. Only these four directions are corrected, so the soils themselves are
 * left alone (CORAL's mean shift instead moves the whole mean, soil differences included).
 *
 * The parameters are estimated without transfer samples:
 * - `match: "mean"`: from the two mean spectra (one pair): cheap, but a real difference in
 *   the sources' soils that projects on the four directions (clayey → higher baseline,
 *   organic → different band ratios) is taken for the instrument.
 * - `match: "neighbours"` (default): iterative closest point — each source spectrum, aligned
 *   with the current parameters, is paired with its nearest reference spectrum (reference PCA
 *   scores), the worst pairs (1 − trim) dropped, and the parameters refitted by least squares
 *   over the pairs ("virtual transfer samples"); starts from the mean fit. Needs a reference
 *   whose soils span the other sources' soils (a global library), not similar means.
 */
import { Matrix, solve } from "ml-matrix";
import { matrixColumnMean } from "./matrix-covariance.js";
import { pcaProject, type PcaModel } from "./matrix-pca.js";
import { evenRows } from "./even-rows.js";
import { nearestRows } from "./pca-align.js";
import { checkShape, type MatrixShape, type NumArray } from "./types.js";

export interface InstrumentModel {
  gain: number;
  /** cm-1: the source reads at ν what the reference reads at ν + shift. */
  shift: number;
  offset: number;
  /** Per 1000 cm-1 around 2300 cm-1. */
  slope: number;
  /** Pairs used in the last fit and ICP iterations run. */
  pairs: number;
  iterations: number;
}

export interface InstrumentAlignOptions {
  /** Default "neighbours". */
  match?: "mean" | "neighbours";
  /** Most ICP iterations. Default 15. */
  iterations?: number;
  /** Share of the closest pairs kept each iteration. Default 0.8. */
  trim?: number;
  /**
   * Most source and reference spectra the neighbour matching uses (evenly spaced rows; the
   * fitted model is applied to all). Four parameters need far fewer pairs, and the search is
   * O(source × reference): uncapped it took 248 s at 57,000 spectra. Default 2,000.
   */
  maxRows?: number;
}

export const IDENTITY: InstrumentModel = { gain: 1, shift: 0, offset: 0, slope: 0, pairs: 0, iterations: 0 };

/** d y / d ν along one row; one-sided where the grid has a gap (an excluded region). */
function derivative(y: ArrayLike<number>, w: ArrayLike<number>, out: Float64Array, gapStep: number): void {
  const p = out.length;
  for (let j = 0; j < p; j++) {
    const l = j > 0 && Math.abs(w[j]! - w[j - 1]!) <= gapStep ? j - 1 : j;
    const r = j < p - 1 && Math.abs(w[j + 1]! - w[j]!) <= gapStep ? j + 1 : j;
    out[j] = r === l ? 0 : (y[r]! - y[l]!) / (w[r]! - w[l]!);
  }
}

function gapStepOf(w: ArrayLike<number>): number {
  const d: number[] = [];
  for (let j = 1; j < w.length; j++) d.push(Math.abs(w[j]! - w[j - 1]!));
  d.sort((a, b) => a - b);
  return 1.5 * (d[Math.floor(d.length / 2)] ?? 1);
}

class PairFit {
  private readonly a = new Matrix(4, 4);
  private readonly v = new Matrix(4, 1);
  private readonly dr: Float64Array;
  n = 0;
  constructor(
    private readonly w: ArrayLike<number>,
    private readonly gapStep: number,
  ) {
    this.dr = new Float64Array(w.length);
  }
  /** Adds the pair: source row x, reference row r. */
  add(x: ArrayLike<number>, r: ArrayLike<number>): void {
    derivative(r, this.w, this.dr, this.gapStep);
    const b = [0, 0, 0, 0];
    for (let j = 0; j < this.dr.length; j++) {
      b[0] = r[j]!;
      b[1] = this.dr[j]!;
      b[2] = 1;
      b[3] = (this.w[j]! - 2300) / 1000;
      for (let c = 0; c < 4; c++) {
        this.v.set(c, 0, this.v.get(c, 0) + b[c]! * x[j]!);
        for (let d = c; d < 4; d++) this.a.set(c, d, this.a.get(c, d) + b[c]! * b[d]!);
      }
    }
    this.n++;
  }
  solve(): InstrumentModel {
    for (let c = 0; c < 4; c++) for (let d = 0; d < c; d++) this.a.set(c, d, this.a.get(d, c));
    const t = solve(this.a, this.v).to1DArray();
    const gain = t[0]!;
    if (!(gain > 0.2 && gain < 5))
      throw new RangeError(`instrumentAlign: fitted gain ${gain.toFixed(3)} is implausible (spectra not comparable to the reference?)`);
    return { gain, shift: t[1]! / gain, offset: t[2]!, slope: t[3]!, pairs: this.n, iterations: 0 };
  }
}

/** Maps source spectra onto the reference: y = (x − o − b·s)/g, then y(ν − δ) ≈ y − δ·y′. */
export function instrumentAlignApply(
  values: NumArray,
  shape: MatrixShape,
  wavenumbers: ArrayLike<number>,
  m: InstrumentModel,
): Float32Array {
  checkShape(values, shape, "instrumentAlignApply");
  const { rows: n, cols: p } = shape;
  if (wavenumbers.length !== p) throw new RangeError(`instrumentAlignApply: ${p} cols, ${wavenumbers.length} wavenumbers`);
  const gapStep = gapStepOf(wavenumbers);
  const y = new Float64Array(p);
  const dy = new Float64Array(p);
  const out = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) y[j] = (values[i * p + j]! - m.offset - (m.slope * (wavenumbers[j]! - 2300)) / 1000) / m.gain;
    derivative(y, wavenumbers, dy, gapStep);
    for (let j = 0; j < p; j++) out[i * p + j] = y[j]! - m.shift * dy[j]!;
  }
  return out;
}

/**
 * Fits the source's instrument model against the reference spectra `refValues`; `refPca` (of
 * the reference) gives the space where neighbours are searched.
 */
export function instrumentAlignFit(
  values: NumArray,
  shape: MatrixShape,
  wavenumbers: ArrayLike<number>,
  refValues: NumArray,
  refShape: MatrixShape,
  refPca: PcaModel,
  options: InstrumentAlignOptions = {},
): InstrumentModel {
  checkShape(values, shape, "instrumentAlignFit");
  checkShape(refValues, refShape, "instrumentAlignFit (reference)");
  const { rows: n, cols: p } = shape;
  if (refShape.cols !== p || wavenumbers.length !== p || refPca.p !== p)
    throw new RangeError("instrumentAlignFit: source, reference, PCA and wavenumbers differ in length");
  if (n < 1 || refShape.rows < 1) throw new RangeError("instrumentAlignFit: no spectra");
  const gapStep = gapStepOf(wavenumbers);
  const mean = new PairFit(wavenumbers, gapStep);
  mean.add(matrixColumnMean(values, shape), matrixColumnMean(refValues, refShape));
  let model = mean.solve();
  if ((options.match ?? "neighbours") === "mean") return { ...model, pairs: 0 };

  const iterations = options.iterations ?? 15;
  const trim = options.trim ?? 0.8;
  const maxRows = options.maxRows ?? 2000;
  if (!(maxRows >= 1)) throw new RangeError(`instrumentAlignFit: maxRows must be ≥ 1, got ${maxRows}`);
  const src = evenRows(values, shape, maxRows);
  const ref = evenRows(refValues, refShape, maxRows);
  const m = src.shape.rows;
  const zr = pcaProject(ref.values, ref.shape, refPca).scores;
  let it = 0;
  for (; it < iterations; it++) {
    const zs = pcaProject(instrumentAlignApply(src.values, src.shape, wavenumbers, model), src.shape, refPca).scores;
    const { index: nn, dist2: dist } = nearestRows(zs, zr, refPca.k);
    const cut = [...dist].sort((a, b) => a - b)[Math.max(0, Math.ceil(trim * m) - 1)]!;
    const fit = new PairFit(wavenumbers, gapStep);
    for (let i = 0; i < m; i++)
      if (dist[i]! <= cut) fit.add(src.values.subarray(i * p, (i + 1) * p), ref.values.subarray(nn[i]! * p, (nn[i]! + 1) * p));
    const next = fit.solve();
    const change =
      Math.abs(next.gain - model.gain) +
      Math.abs(next.offset - model.offset) +
      Math.abs(next.slope - model.slope) +
      Math.abs(next.shift - model.shift) / 100;
    model = next;
    if (change < 1e-5) {
      it++;
      break;
    }
  }
  return { ...model, iterations: it };
}
