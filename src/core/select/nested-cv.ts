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
import { matrixRows } from "../matrix-rows.js";
import { simplexWeights } from "../stats/simplex-weights.js";
import { kFolds } from "../stats/split.js";

/** A model fitted outside this module (the CNN, trained by src/runtime/cnn/fit-predict.ts). */
export interface ExternalFitter {
  family: "cnn";
  /**
   * Fits on rows `train` of x (row-major, p columns) against y (target scale; NaN on every row
   * outside `train`, so nothing else can leak in) and predicts rows `rows` on the target scale.
   */
  fitPredict(x: Float32Array, p: number, y: Float64Array, train: Int32Array, rows: Int32Array): Promise<ExternalFit>;
}

export interface ExternalFit {
  predicted: Float64Array;
  /** What was fitted (settings resolved by n, epochs reached): recorded in model_meta. */
  describe: Record<string, unknown>;
}

export type ModelSpec =
  | { family: "plsr"; maxComponents?: number }
  | { family: "mbl"; options?: MblOptions }
  /** Fits its own log1p target (the CNN's bounded head): the candidate's `target` is "log1p". */
  | { family: "cnn"; fitter: ExternalFitter };

export type Family = ModelSpec["family"];

/** One preprocessing variant × model family × target scale, fitted in every inner fold. */
export interface FittedCandidate {
  /** Label in reports, e.g. "snv · plsr · log1p". */
  name: string;
  /** Index into `variants`. */
  variant: number;
  model: ModelSpec;
  /** Scale the model is fitted on. */
  target: "log1p" | "identity";
}

/**
 * A stack (Breiman 1996): per family listed, the fitted candidate of that family with the
 * smallest inner RMSE (at its best setting), combined with convex weights fitted on their inner
 * out-of-fold predictions (src/core/stats/simplex-weights.ts). No model of its own is fitted:
 * its inner score comes from cross-fitted weights (each inner fold's stacked predictions use
 * weights fitted on the other inner folds), so the weights never see the rows they are scored on.
 */
export interface StackCandidate {
  name: string;
  stack: readonly Family[];
}

export type Candidate = FittedCandidate | StackCandidate;

export const isStack = (c: Candidate): c is StackCandidate => "stack" in c;

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
  /** Every stack candidate: its bases (each family's best candidate × setting) and their weights on all training rows. */
  stacks?: { candidate: number; bases: ScoreRow[]; weights: number[] }[];
  /** Point predictions of the requested rows (target scale, ≥ 0). */
  predicted: Float64Array;
  low: Float64Array;
  high: Float64Array;
  /** The refitted model of the chosen candidate (PLSR: its path; MBL: the model). */
  model: FittedModel;
  nTrain: number;
}

/** A part of a composite model; `variant` is the variant a single model was fitted on (null for a composite). */
export interface ModelPart {
  variant: number | null;
  model: FittedModel;
}

export type FittedModel =
  | { family: "plsr"; path: PlsPath; components: number; target: "log1p" | "identity" }
  | { family: "mbl"; model: MblModel; target: "log1p" | "identity" }
  /** Trained during selection and not kept (its predictions are selectAndFit's). */
  | { family: "cnn"; describe: Record<string, unknown>; target: "log1p" }
  /** Its bases' predictions combined on the `score` scale with `weights` (a stack candidate). */
  | { family: "stack"; members: ModelPart[]; weights: number[]; score: "log1p" | "identity" }
  /** The mean of its members' predictions on the `score` scale (rule "average"). */
  | { family: "average"; members: ModelPart[]; score: "log1p" | "identity" };

export interface NestedCvResult {
  folds: { fold: number; testRows: Int32Array; selection: Selection }[];
  /** Pooled outer-fold predictions and intervals (NaN for rows in no outer fold). */
  predicted: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

/** Fits candidate `c` on `train` (row indices into the variant) and returns, per setting, predictions of `rows` on the target scale (≥ 0). */
async function fitPredict(
  c: FittedCandidate,
  v: VariantInput,
  y: Float64Array,
  train: Int32Array,
  rows: Int32Array,
  settings: number,
  range: readonly [number, number],
): Promise<{ pred: Float64Array[]; model: FittedModel; extracted: number }> {
  const clamp = (t: number) => Math.min(range[1], Math.max(range[0], t));
  const back = (t: number) => clamp(c.target === "log1p" ? Math.expm1(t) : t);
  const yFit = Float64Array.from(y, (t) => (c.target === "log1p" ? Math.log1p(t) : t));
  if (c.model.family === "plsr") {
    const path = plsPath(v.x, v.p, yFit, settings, train);
    const A = path.components;
    const raw = A > 0 ? plsPathPredict(path, v.x, rows) : new Float64Array(0);
    const pred = Array.from({ length: settings }, (_, s) =>
      Float64Array.from({ length: rows.length }, (_, k) => back(A > 0 ? raw[k * A + Math.min(s, A - 1)]! : path.yMean)),
    );
    return { pred, model: { family: "plsr", path, components: Math.min(settings, A), target: c.target }, extracted: A };
  }
  if (c.model.family === "cnn") {
    // only the training rows' targets reach the fitter
    const yTrain = new Float64Array(y.length).fill(NaN);
    train.forEach((i) => (yTrain[i] = y[i]!));
    const r = await c.model.fitter.fitPredict(v.x, v.p, yTrain, train, rows);
    const bad = r.predicted.findIndex((t) => !Number.isFinite(t));
    // a diverged fit must fail loudly: a NaN score would otherwise drop out of every comparison
    if (bad >= 0)
      throw new Error(`candidate "${c.name}": the fit on ${train.length} rows predicted ${r.predicted[bad]} for row ${rows[bad]}`);
    return { pred: [Float64Array.from(r.predicted, clamp)], model: { family: "cnn", describe: r.describe, target: "log1p" }, extracted: 1 };
  }
  const model = mblFit(
    matrixRows(v.x, v.p, train),
    v.p,
    Float64Array.from(train, (i) => yFit[i]!),
    c.model.options,
  );
  const out = mblPredict(model, matrixRows(v.x, v.p, rows));
  return { pred: [Float64Array.from(out.predicted, back)], model: { family: "mbl", model, target: c.target }, extracted: 1 };
}

/** Settings a candidate exposes on training parts of at least `minTrain` rows. */
function settingsOf(c: FittedCandidate, v: VariantInput, minTrain: number): number {
  if (c.model.family === "plsr") return Math.max(1, Math.min(c.model.maxComponents ?? 20, minTrain - 1, v.p));
  return 1;
}

/** Index of a score row's setting among its candidate's settings (PLSR components 1.. → 0..). */
const settingIndex = (setting: number) => Math.max(0, setting - 1);

/** k-th smallest (1-based) of `v`; ±Infinity outside 1..n. */
function orderStat(v: Float64Array, k: number): number {
  if (k < 1) return -Infinity;
  if (k > v.length) return Infinity;
  return Float64Array.from(v).sort()[k - 1]!;
}

/** One inner fold: fitting rows and held-out rows (indices into y), and the held rows' positions in `train`. */
export interface InnerFold {
  fit: Int32Array;
  held: Int32Array;
  pos: Int32Array;
}

/** Inner out-of-fold predictions of one candidate × setting, on the score scale. */
export interface InnerPredictions {
  /** Per repeat: the prediction of every training position by the model that did not see it. */
  oof: Float64Array[];
  /** First repeat, per inner fold: that fold's model at the rows to predict (CV+). */
  at: Float64Array[];
}

/** RMSE over every repeat's out-of-fold predictions, and the SE of the per-fold RMSEs. */
function innerScore(oof: readonly Float64Array[], sTrue: Float64Array, repeats: readonly InnerFold[][]): { rmse: number; se: number } {
  let sse = 0;
  const foldRmse: number[] = [];
  repeats.forEach((folds, rep) => {
    const o = oof[rep]!;
    for (let r = 0; r < sTrue.length; r++) sse += (o[r]! - sTrue[r]!) ** 2;
    for (const f of folds) {
      let e = 0;
      f.pos.forEach((r) => (e += (o[r]! - sTrue[r]!) ** 2));
      foldRmse.push(Math.sqrt(e / f.pos.length));
    }
  });
  const mean = foldRmse.reduce((a, b) => a + b, 0) / foldRmse.length;
  const se = Math.sqrt(foldRmse.reduce((a, b) => a + (b - mean) ** 2, 0) / (foldRmse.length - 1) / foldRmse.length);
  return { rmse: Math.sqrt(sse / (sTrue.length * repeats.length)), se };
}

/** Every setting's inner predictions of a fitted candidate (one fit per fold serves all settings). */
async function innerPredictions(
  c: FittedCandidate,
  v: VariantInput,
  y: Float64Array,
  repeats: readonly InnerFold[][],
  predict: Int32Array,
  S: number,
  rangeOf: (rows: Int32Array) => [number, number],
  toScore: (v: number) => number,
): Promise<InnerPredictions[]> {
  const n = repeats[0]!.reduce((a, f) => a + f.pos.length, 0);
  const out = Array.from({ length: S }, (): InnerPredictions => ({ oof: [], at: [] }));
  for (let rep = 0; rep < repeats.length; rep++) {
    const o = Array.from({ length: S }, () => new Float64Array(n));
    for (const f of repeats[rep]!) {
      // the rows to predict ride along in the first repeat: CV+ needs each inner model's prediction there
      const both = rep === 0 ? Int32Array.from([...f.held, ...predict]) : f.held;
      const { pred } = await fitPredict(c, v, y, f.fit, both, S, rangeOf(f.fit));
      for (let s = 0; s < S; s++) {
        f.pos.forEach((r, k) => (o[s]![r] = toScore(pred[s]![k]!)));
        if (rep === 0) out[s]!.at.push(Float64Array.from(predict, (_, k) => toScore(pred[s]![f.held.length + k]!)));
      }
    }
    for (let s = 0; s < S; s++) out[s]!.oof.push(o[s]!);
  }
  return out;
}

/**
 * A stack's inner predictions from its bases' (no fitting): each inner fold's rows combined
 * with weights fitted on the other folds' rows (cross-fitting), and the weights on every row
 * for the refitted stack.
 */
export function stackPredictions(
  bases: readonly InnerPredictions[],
  sTrue: Float64Array,
  repeats: readonly InnerFold[][],
  nPredict: number,
): InnerPredictions & { weights: Float64Array } {
  const n = sTrue.length;
  const combine = (w: Float64Array, values: (j: number) => Float64Array, k: number) =>
    bases.reduce((a, _b, j) => a + w[j]! * values(j)[k]!, 0);
  const out: InnerPredictions = { oof: [], at: [] };
  repeats.forEach((folds, rep) => {
    const o = new Float64Array(n);
    folds.forEach((f, fi) => {
      const held = new Set(f.pos);
      const others = Int32Array.from({ length: n }, (_, r) => r).filter((r) => !held.has(r));
      const w = simplexWeights(
        bases.map((b) => b.oof[rep]!),
        sTrue,
        others,
      );
      f.pos.forEach((r) => (o[r] = combine(w, (j) => bases[j]!.oof[rep]!, r)));
      if (rep === 0) out.at.push(Float64Array.from({ length: nPredict }, (_, k) => combine(w, (j) => bases[j]!.at[fi]!, k)));
    });
    out.oof.push(o);
  });
  const all = Int32Array.from({ length: n }, (_, r) => r);
  const weights = simplexWeights(
    bases.map((b) => b.oof[0]!),
    sTrue,
    all,
  );
  return { ...out, weights };
}

/** A selected member refitted on the whole training part. */
interface Refit {
  /** Predictions of the rows to predict, target scale. */
  pred: Float64Array;
  part: ModelPart;
}

/** What one selection works on: its training rows and their inner folds, the rows to predict, the scales. */
interface Frame {
  variants: readonly VariantInput[];
  y: Float64Array;
  train: Int32Array;
  predict: Int32Array;
  repeats: InnerFold[][];
  /** Smallest inner fitting part: caps the PLSR components. */
  minTrain: number;
  /** The training rows' targets on the score scale. */
  sTrue: Float64Array;
  rangeOf: (rows: ArrayLike<number>) => [number, number];
  toScore: (v: number) => number;
  fromScore: (v: number) => number;
  score: "log1p" | "identity";
}

/** A stack's bases and its weights on every training row. */
type StackFit = { bases: ScoreRow[]; weights: Float64Array };

/** Inner CV of every fitted candidate × setting, then every stack from its bases' predictions. */
async function innerCv(
  f: Frame,
  candidates: readonly Candidate[],
): Promise<{ scores: ScoreRow[]; preds: InnerPredictions[][]; stacks: Map<number, StackFit> }> {
  const scores: ScoreRow[] = [];
  const preds: InnerPredictions[][] = candidates.map(() => []);
  const stacks = new Map<number, StackFit>();
  for (let ci = 0; ci < candidates.length; ci++) {
    const c = candidates[ci]!;
    if (isStack(c)) continue;
    const v = f.variants[c.variant];
    if (!v) throw new RangeError(`candidate "${c.name}": no variant ${c.variant}`);
    const S = settingsOf(c, v, f.minTrain);
    preds[ci] = await innerPredictions(c, v, f.y, f.repeats, f.predict, S, f.rangeOf, f.toScore);
    preds[ci]!.forEach((p, s) =>
      scores.push({ candidate: ci, setting: c.model.family === "plsr" ? s + 1 : 0, ...innerScore(p.oof, f.sTrue, f.repeats) }),
    );
  }
  candidates.forEach((c, ci) => {
    if (!isStack(c)) return;
    const bases = c.stack.map((family) => {
      const of = candidates.flatMap((b, bi) => (!isStack(b) && b.model.family === family ? [bestOf(scores, bi)] : []));
      if (of.length === 0) throw new RangeError(`candidate "${c.name}" stacks ${family}, but no ${family} candidate is listed`);
      return of.reduce((a, b) => (b.rmse < a.rmse ? b : a));
    });
    const st = stackPredictions(
      bases.map((b) => preds[b.candidate]![settingIndex(b.setting)]!),
      f.sTrue,
      f.repeats,
      f.predict.length,
    );
    preds[ci] = [st];
    stacks.set(ci, { bases, weights: st.weights });
    scores.push({ candidate: ci, setting: 0, ...innerScore(st.oof, f.sTrue, f.repeats) });
  });
  return { scores, preds, stacks };
}

/** Candidate `ci` at its best setting (as a grid search over its settings would pick it). */
const bestOf = (scores: readonly ScoreRow[], ci: number) =>
  scores.filter((s) => s.candidate === ci).reduce((a, b) => (b.rmse < a.rmse ? b : a));

/** The rule's choice: the best score row, and the members refitted (one, or the `averageTop` best candidates). */
function choose(
  scores: readonly ScoreRow[],
  nCandidates: number,
  rule: NonNullable<NestedCvOptions["rule"]>,
  averageTop: number,
): { best: ScoreRow; members: ScoreRow[] } {
  let best = scores[0]!;
  for (const s of scores) if (s.rmse < best.rmse) best = s;
  const bestPerCandidate = Array.from({ length: nCandidates }, (_, ci) => bestOf(scores, ci));
  if (rule === "one_se") {
    const limit = best.rmse + best.se;
    best = bestPerCandidate.find((s) => s.rmse <= limit)!;
  }
  if (rule !== "average") return { best, members: [best] };
  const members = [...bestPerCandidate].sort((a, b) => a.rmse - b.rmse).slice(0, Math.max(1, Math.min(averageTop, nCandidates)));
  return { best: members[0]!, members };
}

/** Each member refitted on the whole training part; a base shared by a stack and the average is fitted once. */
async function refitMembers(
  f: Frame,
  candidates: readonly Candidate[],
  members: readonly ScoreRow[],
  preds: InnerPredictions[][],
  stacks: Map<number, StackFit>,
): Promise<{ scorePred: Float64Array; targetPred: Float64Array; part: ModelPart; inner: InnerPredictions }[]> {
  const refits = new Map<string, Refit>();
  const refit = async (m: ScoreRow): Promise<Refit> => {
    const key = `${m.candidate}:${m.setting}`;
    const done = refits.get(key);
    if (done) return done;
    const c = candidates[m.candidate] as FittedCandidate;
    const v = f.variants[c.variant]!;
    const fit = await fitPredict(c, v, f.y, f.train, f.predict, settingsOf(c, v, f.minTrain), f.rangeOf(f.train));
    if (fit.model.family === "plsr") fit.model.components = Math.min(m.setting, fit.extracted);
    const r = { pred: fit.pred[settingIndex(m.setting)]!, part: { variant: c.variant, model: fit.model } };
    refits.set(key, r);
    return r;
  };
  const fits = [];
  for (const m of members) {
    const inner = preds[m.candidate]![settingIndex(m.setting)]!;
    const st = stacks.get(m.candidate);
    if (!st) {
      const r = await refit(m);
      fits.push({ scorePred: r.pred.map(f.toScore), targetPred: r.pred, part: r.part, inner });
      continue;
    }
    const parts: Refit[] = [];
    for (const b of st.bases) parts.push(await refit(b));
    const scorePred = Float64Array.from(f.predict, (_, k) => parts.reduce((a, p, j) => a + st.weights[j]! * f.toScore(p.pred[k]!), 0));
    const model: FittedModel = { family: "stack", members: parts.map((p) => p.part), weights: Array.from(st.weights), score: f.score };
    fits.push({ scorePred, targetPred: scorePred.map(f.fromScore), part: { variant: null, model }, inner });
  }
  return fits;
}

/**
 * Selects among `candidates` by inner k-fold CV on rows `train`, refits the winner on them and
 * predicts rows `predict` with CV+ intervals.
 */
export async function selectAndFit(
  variants: readonly VariantInput[],
  y: Float64Array,
  candidates: readonly Candidate[],
  train: Int32Array,
  predict: Int32Array,
  options: NestedCvOptions = {},
): Promise<Selection> {
  const { innerFolds = 5, seed = 1, level = 0.9, score = "log1p", innerRepeats = 1, rule = "min", clip = true, averageTop = 3 } = options;
  if (!Number.isInteger(innerRepeats) || innerRepeats < 1)
    throw new RangeError(`innerRepeats must be a positive integer (got ${innerRepeats})`);
  if (candidates.length === 0) throw new RangeError("no candidates to select from");
  const n = train.length;
  if (n < innerFolds + 2) throw new RangeError(`selection needs more than ${innerFolds + 1} labelled rows (got ${n})`);
  const toScore = (v: number) => (score === "log1p" ? Math.log1p(v) : v);
  const draws = Array.from({ length: innerRepeats }, (_, rep) => kFolds(n, innerFolds, seed + rep));
  const repeats: InnerFold[][] = draws.map((assign) =>
    Array.from({ length: innerFolds }, (_, k) => ({
      fit: Int32Array.from(train.filter((_, r) => assign[r] !== k)),
      held: Int32Array.from(train.filter((_, r) => assign[r] === k)),
      pos: Int32Array.from(Array.from(train.keys()).filter((r) => assign[r] === k)),
    })),
  );
  const frame: Frame = {
    variants,
    y,
    train,
    predict,
    repeats,
    minTrain: Math.min(...repeats.flat().map((f) => f.fit.length)),
    sTrue: Float64Array.from(train, (i) => toScore(y[i]!)),
    rangeOf: (rows) => (clip ? targetRange(y, rows) : [0, Infinity]),
    toScore,
    fromScore: (v: number) => (score === "log1p" ? Math.expm1(v) : v),
    score,
  };
  const { scores, preds, stacks } = await innerCv(frame, candidates);
  const { best, members } = choose(scores, candidates.length, rule, averageTop);
  const fits = await refitMembers(frame, candidates, members, preds, stacks);
  const meanOf = (vals: (k: number, j: number) => number, len: number) =>
    Float64Array.from({ length: len }, (_, k) => fits.reduce((acc, _f, j) => acc + vals(k, j), 0) / fits.length);
  const predicted = fits.length === 1 ? fits[0]!.targetPred : meanOf((k, j) => fits[j]!.scorePred[k]!, predict.length).map(frame.fromScore);
  const model: FittedModel = fits.length === 1 ? fits[0]!.part.model : { family: "average", members: fits.map((f) => f.part), score };

  // CV+ on the score scale, from the (mean of the members') inner out-of-fold predictions
  const o = meanOf((r, j) => fits[j]!.inner.oof[0]![r]!, n);
  const at = Array.from({ length: innerFolds }, (_, fold) => meanOf((k, j) => fits[j]!.inner.at[fold]![k]!, predict.length));
  const { low, high } = cvPlus(o, frame.sTrue, at, draws[0]!, level, frame.fromScore);
  return {
    scores,
    chosen: { candidate: best.candidate, setting: best.setting, rmse: best.rmse },
    ...(rule === "average" ? { members: members.map((m) => ({ candidate: m.candidate, setting: m.setting, rmse: m.rmse })) } : {}),
    ...(stacks.size
      ? { stacks: [...stacks].map(([candidate, s]) => ({ candidate, bases: s.bases, weights: Array.from(s.weights) })) }
      : {}),
    predicted,
    low,
    high,
    model,
    nTrain: n,
  };
}

/** [max(0, smallest), largest] target of `rows`: predictions are clipped to it. */
function targetRange(y: Float64Array, rows: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < rows.length; k++) {
    lo = Math.min(lo, y[rows[k]!]!);
    hi = Math.max(hi, y[rows[k]!]!);
  }
  return [Math.max(0, lo), hi];
}

/**
 * CV+ intervals (Barber et al. 2021) at the rows to predict, from the inner out-of-fold
 * predictions `o` (score scale) of the training positions, each inner fold's model at those
 * rows (`at`) and each position's fold (`fold`); back-transformed, lower ends ≥ 0.
 */
function cvPlus(
  o: Float64Array,
  sTrue: Float64Array,
  at: readonly Float64Array[],
  fold: Int32Array,
  level: number,
  fromScore: (v: number) => number,
): { low: Float64Array; high: Float64Array } {
  const n = o.length;
  const m = at[0]?.length ?? 0;
  const resid = Float64Array.from(o, (v, r) => Math.abs(sTrue[r]! - v));
  const alpha = 1 - level;
  const kLow = Math.floor(alpha * (n + 1));
  const kHigh = Math.ceil((1 - alpha) * (n + 1));
  const low = new Float64Array(m);
  const high = new Float64Array(m);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    for (let r = 0; r < n; r++) {
      const mu = at[fold[r]!]![k]!;
      lo[r] = mu - resid[r]!;
      hi[r] = mu + resid[r]!;
    }
    low[k] = Math.max(0, fromScore(orderStat(lo, kLow)));
    high[k] = fromScore(orderStat(hi, kHigh));
  }
  return { low, high };
}

/**
 * Nested CV: for each outer fold id in `outerFold` (≥ 0; −1 = row not in the outer CV, and
 * rows with a non-finite y are never used), `selectAndFit` on the other labelled rows,
 * predicting the fold's rows.
 */
export async function nestedCv(
  variants: readonly VariantInput[],
  y: Float64Array,
  outerFold: Int32Array,
  candidates: readonly Candidate[],
  options: NestedCvOptions = {},
): Promise<NestedCvResult> {
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
    const sel = await selectAndFit(variants, y, candidates, train, test, options);
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
  if (model.family === "average" || model.family === "stack") {
    if (typeof x !== "function") throw new TypeError(`an ${model.family} model needs its members' variants: pass (variant) => x`);
    const toScore = (v: number) => (model.score === "log1p" ? Math.log1p(v) : v);
    const each = model.members.map((m) => predictFitted(m.model, m.variant === null ? x : x(m.variant)));
    const weights = model.family === "stack" ? model.weights : model.members.map(() => 1 / model.members.length);
    return Float64Array.from(each[0]!, (_, k) => {
      const mean = each.reduce((a, p, j) => a + weights[j]! * toScore(p[k]!), 0);
      return Math.max(0, model.score === "log1p" ? Math.expm1(mean) : mean);
    });
  }
  if (model.family === "cnn") throw new TypeError("a CNN fitted during selection keeps no weights: its predictions are selectAndFit's");
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
