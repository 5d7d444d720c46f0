/**
 * Model selection by nested cross-validation (Varma & Simon 2006, BMC Bioinf. 7:91; Cawley &
 * Talbot 2010, JMLR 11:2079; repeated double CV in chemometrics, Filzmoser et al. 2009,
 * J. Chemom. 23:160).
 *
 * - Outer folds (given) estimate the error; inside each outer training part an inner k-fold CV
 *   scores every candidate × setting and the best is refitted on the whole outer training part
 *   and predicts the outer test fold. The selection never sees the outer test fold, so the
 *   pooled outer predictions are an honest estimate of "select, then fit".
 * - A candidate is a preprocessing variant (precomputed: every variant acts on one spectrum at
 *   a time and fits nothing) × a model family × a target scale. Settings inside a candidate
 *   are scored by the same inner CV: PLSR components 1..maxComponents (as a grid search over
 *   n_components would), MBL one setting (its k is chosen by NNv inside the fit).
 * - Score: RMSE of the inner out-of-fold predictions on the log1p scale of the target
 *   (`score: "log1p"`, default) or on the target's own scale (`"identity"`); every prediction
 *   is back-transformed to the target's scale and clamped at 0 first, so candidates fitted on
 *   log1p and on the raw scale compete on one scale.
 * - Range: every prediction is clipped to the training part's target range (option `clip`,
 *   default on; resemble does the same for MBL): a log1p model's back-transform turns a modest
 *   over-prediction beyond the calibration range into a large one (LimeSoDa H_138: +3.3 % SOC
 *   on its largest sample), and no model here can support values it never saw.
 * - Rule "average": instead of one winner, the `averageTop` candidates whose best settings
 *   score best are refitted and their predictions averaged on the score scale (model
 *   averaging: the ranking of many options on ~100 rows is noisy, and the average does not bet
 *   on one of them); its inner out-of-fold predictions are the members' averaged the same way.
 * - Intervals: CV+ (Barber et al. 2021, Ann. Stat. 49:486) from the inner CV of the chosen
 *   candidate: with Rᵢ = |sᵢ − μ̂₋ₖ₍ᵢ₎(xᵢ)| on the score scale over the n outer-training rows,
 *   the interval at x runs from the ⌊α(n+1)⌋-th smallest μ̂₋ₖ₍ᵢ₎(x) − Rᵢ to the ⌈(1−α)(n+1)⌉-th
 *   smallest μ̂₋ₖ₍ᵢ₎(x) + Rᵢ (unbounded when n is too small), then back-transformed (monotone).
 *   Guaranteed ≥ 1 − 2α − a small term, ≈ 1 − α in practice. The selection uses the same inner
 *   residuals, which makes them slightly optimistic: coverage is measured, not assumed.
 * - Final model: the same selection on all labelled rows, refitted on all of them.
 * Deterministic for a given seed. Pure: typed arrays in and out.
 */
import { mblFit, mblPredict, type MblModel, type MblOptions } from "../chemometrics/mbl.js";
import { plsPath, plsPathPredict, type PlsPath } from "../chemometrics/pls-nipals.js";
import { kFolds } from "../stats/split.js";

export type ModelSpec = { family: "plsr"; maxComponents?: number } | { family: "mbl"; options?: MblOptions };

export interface Candidate {
  /** Label in reports, e.g. "snv · plsr · log1p". */
  name: string;
  /** Index into `variants`. */
  variant: number;
  model: ModelSpec;
  /** Scale the model is fitted on. */
  target: "log1p" | "identity";
}

export interface VariantInput {
  name: string;
  /** Row-major n×p, rows aligned with `y`. */
  x: Float32Array;
  p: number;
}

export interface NestedCvOptions {
  /** Inner folds; default 5. */
  innerFolds?: number;
  /** Seed of the inner fold assignment; default 1. */
  seed?: number;
  /**
   * Inner CV repeats with fresh fold draws (seeds seed, seed+1, …); the score pools them.
   * Default 1. Repeats steady the selection at small n (the variance of a single k-fold split
   * is what over-fits the choice, Cawley & Talbot 2010); CV+ uses the first repeat's folds.
   */
  innerRepeats?: number;
  /** Interval level; default 0.9. */
  level?: number;
  /**
   * "min" (default): the candidate × setting with the smallest inner RMSE. "one_se": each
   * candidate at its best setting (PLSR components by the minimum, as a grid search would);
   * then the first candidate in list order whose RMSE is within one standard error (SD of the
   * per-fold RMSEs / √folds, of the overall best) of the overall minimum — the one-SE rule of
   * Hastie, Tibshirani & Friedman (2009, §7.10) with list order as the preference: list the
   * default candidate first, and another wins only by beating it by more than the CV's noise.
   */
  rule?: "min" | "one_se" | "average";
  /**
   * With rule "average": how many candidates, each at its own best setting, are averaged (on
   * the score scale) — the `averageTop` best by inner RMSE. Default 3. Averaging the few best
   * instead of picking one spreads the selection's variance over them (model averaging; the
   * choice among many options on ~100 spectra is itself noisy).
   */
  averageTop?: number;
  /** Clip predictions to the training part's target range (default true). */
  clip?: boolean;
  /** Scale of the selection score; default "log1p". */
  score?: "log1p" | "identity";
  /** Called once per finished selection (outer fold or final). */
  onProgress?: (message: string) => void;
}

export interface ScoreRow {
  candidate: number;
  /** Setting inside the candidate: PLSR components, or 0 for a single-setting family. */
  setting: number;
  rmse: number;
  /** SD of the per-fold RMSEs / √(number of folds, all repeats). */
  se: number;
}

export interface Selection {
  scores: ScoreRow[];
  chosen: { candidate: number; setting: number; rmse: number };
  /** Rule "average": every member (candidate, setting), the first being `chosen`. */
  members?: { candidate: number; setting: number; rmse: number }[];
  /** Point predictions of the requested rows (target scale, ≥ 0). */
  predicted: Float64Array;
  low: Float64Array;
  high: Float64Array;
  /** The refitted model of the chosen candidate (PLSR: its path; MBL: the model). */
  model: FittedModel;
  nTrain: number;
}

export type FittedModel =
  | { family: "plsr"; path: PlsPath; components: number; target: "log1p" | "identity" }
  | { family: "mbl"; model: MblModel; target: "log1p" | "identity" }
  /** The mean of its members' predictions on the `score` scale (rule "average"); members are plsr or mbl fits of one variant each. */
  | { family: "average"; members: { variant: number; model: FittedModel }[]; score: "log1p" | "identity" };

export interface NestedCvResult {
  folds: { fold: number; testRows: Int32Array; selection: Selection }[];
  /** Pooled outer-fold predictions and intervals (NaN for rows in no outer fold). */
  predicted: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

function rowsSubset(x: Float32Array, p: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * p);
  for (let k = 0; k < rows.length; k++) out.set(x.subarray(rows[k]! * p, (rows[k]! + 1) * p), k * p);
  return out;
}

/** Fits candidate `c` on `train` (row indices into the variant) and returns, per setting, predictions of `rows` on the target scale (≥ 0). */
function fitPredict(
  c: Candidate,
  v: VariantInput,
  yFit: Float64Array,
  train: ArrayLike<number>,
  rows: ArrayLike<number>,
  settings: number,
  range: readonly [number, number],
): { pred: Float64Array[]; model: FittedModel; extracted: number } {
  const back = (t: number) => Math.min(range[1], Math.max(range[0], c.target === "log1p" ? Math.expm1(t) : t));
  if (c.model.family === "plsr") {
    const path = plsPath(v.x, v.p, yFit, settings, train);
    const A = path.components;
    const raw = A > 0 ? plsPathPredict(path, v.x, rows) : new Float64Array(0);
    const pred = Array.from({ length: settings }, (_, s) =>
      Float64Array.from({ length: rows.length }, (_, k) => back(A > 0 ? raw[k * A + Math.min(s, A - 1)]! : path.yMean)),
    );
    return { pred, model: { family: "plsr", path, components: Math.min(settings, A), target: c.target }, extracted: A };
  }
  const model = mblFit(
    rowsSubset(v.x, v.p, train),
    v.p,
    Float64Array.from(train, (i) => yFit[i]!),
    c.model.options,
  );
  const out = mblPredict(model, rowsSubset(v.x, v.p, rows));
  return { pred: [Float64Array.from(out.predicted, back)], model: { family: "mbl", model, target: c.target }, extracted: 1 };
}

/** Settings a candidate exposes on training parts of at least `minTrain` rows. */
function settingsOf(c: Candidate, v: VariantInput, minTrain: number): number {
  if (c.model.family === "plsr") return Math.max(1, Math.min(c.model.maxComponents ?? 20, minTrain - 1, v.p));
  return 1;
}

/** k-th smallest (1-based) of `v`; ±Infinity outside 1..n. */
function orderStat(v: Float64Array, k: number): number {
  if (k < 1) return -Infinity;
  if (k > v.length) return Infinity;
  return Float64Array.from(v).sort()[k - 1]!;
}

/**
 * Selects among `candidates` by inner k-fold CV on rows `train`, refits the winner on them and
 * predicts rows `predict` with CV+ intervals.
 */
export function selectAndFit(
  variants: readonly VariantInput[],
  y: Float64Array,
  candidates: readonly Candidate[],
  train: Int32Array,
  predict: Int32Array,
  options: NestedCvOptions = {},
): Selection {
  const { innerFolds = 5, seed = 1, level = 0.9, score = "log1p", innerRepeats = 1, rule = "min", clip = true, averageTop = 3 } = options;
  const rangeOf = (rows: ArrayLike<number>): [number, number] => {
    if (!clip) return [0, Infinity];
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < rows.length; k++) {
      lo = Math.min(lo, y[rows[k]!]!);
      hi = Math.max(hi, y[rows[k]!]!);
    }
    return [Math.max(0, lo), hi];
  };
  if (!Number.isInteger(innerRepeats) || innerRepeats < 1)
    throw new RangeError(`innerRepeats must be a positive integer (got ${innerRepeats})`);
  if (candidates.length === 0) throw new RangeError("no candidates to select from");
  const n = train.length;
  if (n < innerFolds + 2) throw new RangeError(`selection needs more than ${innerFolds + 1} labelled rows (got ${n})`);
  const toScore = (v: number) => (score === "log1p" ? Math.log1p(v) : v);
  const sTrue = Float64Array.from(train, (i) => toScore(y[i]!));
  const draws = Array.from({ length: innerRepeats }, (_, rep) => kFolds(n, innerFolds, seed + rep));
  const inner = draws[0]!;
  const foldsOf = (assign: Int32Array) =>
    Array.from({ length: innerFolds }, (_, k) => ({
      fit: Int32Array.from(train.filter((_, r) => assign[r] !== k)),
      held: Int32Array.from(train.filter((_, r) => assign[r] === k)),
      pos: Int32Array.from(Array.from(train.keys()).filter((r) => assign[r] === k)),
    }));
  const repeats = draws.map(foldsOf);
  const minTrain = Math.min(...repeats.flat().map((f) => f.fit.length));
  const scores: ScoreRow[] = [];
  // per candidate and setting: inner out-of-fold score-scale predictions, and each fold model's at `predict`
  const oof: Float64Array[][] = [];
  const atPredict: Float64Array[][][] = [];
  candidates.forEach((c, ci) => {
    const v = variants[c.variant];
    if (!v) throw new RangeError(`candidate "${c.name}": no variant ${c.variant}`);
    const yFit = Float64Array.from(y, (t) => (c.target === "log1p" ? Math.log1p(t) : t));
    const S = settingsOf(c, v, minTrain);
    const sse = new Float64Array(S);
    const foldRmse = Array.from({ length: S }, () => [] as number[]);
    let first: Float64Array[] = [];
    let at: Float64Array[][] = [];
    repeats.forEach((foldRows, rep) => {
      const o = Array.from({ length: S }, () => new Float64Array(n));
      const a = Array.from({ length: S }, () => [] as Float64Array[]);
      for (const f of foldRows) {
        // the outer test rows ride along in the first repeat: CV+ needs each inner model's prediction there
        const both = rep === 0 ? Int32Array.from([...f.held, ...predict]) : f.held;
        const { pred } = fitPredict(c, v, yFit, f.fit, both, S, rangeOf(f.fit));
        for (let s = 0; s < S; s++) {
          f.pos.forEach((r, k) => (o[s]![r] = toScore(pred[s]![k]!)));
          if (rep === 0) a[s]!.push(Float64Array.from(predict, (_, k) => toScore(pred[s]![f.held.length + k]!)));
        }
      }
      for (let s = 0; s < S; s++) {
        for (let r = 0; r < n; r++) sse[s]! += (o[s]![r]! - sTrue[r]!) ** 2;
        for (const f of foldRows) {
          let e = 0;
          f.pos.forEach((r) => (e += (o[s]![r]! - sTrue[r]!) ** 2));
          foldRmse[s]!.push(Math.sqrt(e / f.pos.length));
        }
      }
      if (rep === 0) {
        first = o;
        at = a;
      }
    });
    for (let s = 0; s < S; s++) {
      const fr = foldRmse[s]!;
      const mean = fr.reduce((a, b) => a + b, 0) / fr.length;
      const se = Math.sqrt(fr.reduce((a, b) => a + (b - mean) ** 2, 0) / (fr.length - 1) / fr.length);
      scores.push({ candidate: ci, setting: c.model.family === "plsr" ? s + 1 : 0, rmse: Math.sqrt(sse[s]! / (n * innerRepeats)), se });
    }
    oof.push(first);
    atPredict.push(at);
  });
  let best = scores[0]!;
  for (const s of scores) if (s.rmse < best.rmse) best = s;
  // each candidate at its best setting (as a grid search over its settings would pick it)
  const bestPerCandidate = candidates.map((_, ci) => scores.filter((s) => s.candidate === ci).reduce((a, b) => (b.rmse < a.rmse ? b : a)));
  if (rule === "one_se") {
    const limit = best.rmse + best.se;
    best = bestPerCandidate.find((s) => s.rmse <= limit)!;
  }
  const members =
    rule === "average"
      ? [...bestPerCandidate].sort((a, b) => a.rmse - b.rmse).slice(0, Math.max(1, Math.min(averageTop, candidates.length)))
      : [best];
  const fromScore = (v: number) => (score === "log1p" ? Math.expm1(v) : v);
  // each member refitted on the whole training part; the mean of the members on the score scale
  const fits = members.map((m) => {
    const c = candidates[m.candidate]!;
    const sIdx = c.model.family === "plsr" ? m.setting - 1 : 0;
    const yFit = Float64Array.from(y, (t) => (c.target === "log1p" ? Math.log1p(t) : t));
    const fit = fitPredict(c, variants[c.variant]!, yFit, train, predict, settingsOf(c, variants[c.variant]!, minTrain), rangeOf(train));
    if (fit.model.family === "plsr") fit.model.components = Math.min(m.setting, fit.extracted);
    return { sIdx, fit, variant: c.variant };
  });
  const meanOf = (vals: (k: number, j: number) => number, len: number) =>
    Float64Array.from({ length: len }, (_, k) => fits.reduce((acc, _f, j) => acc + vals(k, j), 0) / fits.length);
  const predicted =
    fits.length === 1
      ? fits[0]!.fit.pred[fits[0]!.sIdx]!
      : meanOf((k, j) => toScore(fits[j]!.fit.pred[fits[j]!.sIdx]![k]!), predict.length).map(fromScore);
  const model: FittedModel =
    fits.length === 1
      ? fits[0]!.fit.model
      : { family: "average", members: fits.map((f) => ({ variant: f.variant, model: f.fit.model })), score };

  // CV+ on the score scale, from the (mean of the members') inner out-of-fold predictions
  const o = meanOf((r, j) => oof[members[j]!.candidate]![fits[j]!.sIdx]![r]!, n);
  const atOf = (fold: number) => meanOf((k, j) => atPredict[members[j]!.candidate]![fits[j]!.sIdx]![fold]![k]!, predict.length);
  const at = Array.from({ length: innerFolds }, (_, fold) => atOf(fold));
  const resid = Float64Array.from(o, (v, r) => Math.abs(sTrue[r]! - v));
  const alpha = 1 - level;
  const kLow = Math.floor(alpha * (n + 1));
  const kHigh = Math.ceil((1 - alpha) * (n + 1));
  const low = new Float64Array(predict.length);
  const high = new Float64Array(predict.length);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let k = 0; k < predict.length; k++) {
    for (let r = 0; r < n; r++) {
      const mu = at[inner[r]!]![k]!;
      lo[r] = mu - resid[r]!;
      hi[r] = mu + resid[r]!;
    }
    low[k] = Math.max(0, fromScore(orderStat(lo, kLow)));
    high[k] = fromScore(orderStat(hi, kHigh));
  }
  if (rule === "average") best = members[0]!;
  return {
    scores,
    chosen: { candidate: best.candidate, setting: best.setting, rmse: best.rmse },
    ...(rule === "average" ? { members: members.map((m) => ({ candidate: m.candidate, setting: m.setting, rmse: m.rmse })) } : {}),
    predicted,
    low,
    high,
    model,
    nTrain: n,
  };
}

/**
 * Nested CV: for each outer fold id in `outerFold` (≥ 0; −1 = row not in the outer CV, and
 * rows with a non-finite y are never used), `selectAndFit` on the other labelled rows,
 * predicting the fold's rows.
 */
export function nestedCv(
  variants: readonly VariantInput[],
  y: Float64Array,
  outerFold: Int32Array,
  candidates: readonly Candidate[],
  options: NestedCvOptions = {},
): NestedCvResult {
  const n = y.length;
  if (outerFold.length !== n) throw new RangeError(`outerFold has ${outerFold.length} entries, expected ${n}`);
  for (const v of variants)
    if (v.x.length !== n * v.p) throw new RangeError(`variant "${v.name}" has ${v.x.length} values, expected ${n}×${v.p}`);
  const usable = (i: number) => Number.isFinite(y[i]!) && outerFold[i]! >= 0;
  const ids = [...new Set(Array.from(outerFold).filter((f, i) => f >= 0 && usable(i)))].sort((a, b) => a - b);
  if (ids.length < 2) throw new RangeError(`nested CV needs at least 2 outer folds (got ${ids.length})`);
  const res: NestedCvResult = {
    folds: [],
    predicted: new Float64Array(n).fill(NaN),
    low: new Float64Array(n).fill(NaN),
    high: new Float64Array(n).fill(NaN),
  };
  for (const f of ids) {
    const train = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => usable(i) && outerFold[i] !== f));
    const test = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => usable(i) && outerFold[i] === f));
    const sel = selectAndFit(variants, y, candidates, train, test, options);
    test.forEach((i, k) => {
      res.predicted[i] = sel.predicted[k]!;
      res.low[i] = sel.low[k]!;
      res.high[i] = sel.high[k]!;
    });
    res.folds.push({ fold: f, testRows: test, selection: sel });
    options.onProgress?.(
      `outer fold ${f}: ${candidates[sel.chosen.candidate]!.name}${sel.chosen.setting ? ` (${sel.chosen.setting})` : ""}, inner RMSE ${sel.chosen.rmse.toFixed(4)}`,
    );
  }
  return res;
}

/**
 * Predictions of the fitted model, target scale, ≥ 0: `x` is row-major on the variant the model
 * was fitted on, or, for an average, a function giving each member's variant.
 */
export function predictFitted(model: FittedModel, x: Float32Array | ((variant: number) => Float32Array)): Float64Array {
  if (model.family === "average") {
    if (typeof x !== "function") throw new TypeError("an averaged model needs its members' variants: pass (variant) => x");
    const toScore = (v: number) => (model.score === "log1p" ? Math.log1p(v) : v);
    const each = model.members.map((m) => predictFitted(m.model, x(m.variant)));
    return Float64Array.from(each[0]!, (_, k) => {
      const mean = each.reduce((a, p) => a + toScore(p[k]!), 0) / each.length;
      return Math.max(0, model.score === "log1p" ? Math.expm1(mean) : mean);
    });
  }
  const xs = typeof x === "function" ? null : x;
  if (!xs) throw new TypeError("a single model takes its variant's row-major x");
  const back = (t: number) => Math.max(0, model.target === "log1p" ? Math.expm1(t) : t);
  if (model.family === "plsr") {
    const A = model.path.components;
    const raw = plsPathPredict(model.path, xs);
    return Float64Array.from({ length: xs.length / model.path.p }, (_, k) =>
      back(A > 0 ? raw[k * A + model.components - 1]! : model.path.yMean),
    );
  }
  return Float64Array.from(mblPredict(model.model, xs).predicted, back);
}
