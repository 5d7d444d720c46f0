/**
 * `model.select`: model selection by nested cross-validation (src/core/select/nested-cv.ts).
 *
 * - Candidates: every preprocessing variant in `variants` (resolution or the native grid,
 *   range, excluded bands, Savitzky–Golay, normalization; src/core/select/spectra-variant.ts)
 *   × every family in `models` (`plsr`: components 1..max_components scored as settings;
 *   `mbl`: memory-based learning, src/core/chemometrics/mbl.ts) × every scale in `targets`
 *   (`log1p` or `gkg`).
 * - Input spectra: one grid for every block (the file's native grid is fine), any unit:
 *   reflectance is converted to absorbance (log10(1/R), log10(100/R%)) here, so the raw
 *   ingest output can be used directly and the variants decide the rest. `inputs:` picks the
 *   spectra when several needs provide them.
 * - Outer folds: `folds_from` (a samples column, e.g. LimeSoDa's `fold`) or `folds` equal
 *   folds drawn with `split_seed`; inner `inner_folds`-fold CV (seed `seed`) inside each outer
 *   training part. Labelled rows with a usable spectrum take part (exclude_train rows too: the
 *   selection has no QC policy of its own; filter upstream).
 * - Outputs: `predictions` (contract: each labelled sample once with split `test`, predicted by
 *   the model selected without its fold, 90 % CV+ interval; unlabelled samples predicted by the
 *   final model, split `unlabelled`), `selection` (every candidate × setting's inner RMSE per
 *   outer fold and for the final selection, fold = "all"), `choices` (the choice per fold),
 *   `model_meta` (protocol, final choice and, for PLSR, the final coefficients).
 */
import { z } from "zod";
import { BACKEND_CHOICES } from "../../core/cnn/config.js";
import { DEFAULT_PHYSICAL_RANGE } from "../../core/chemometrics/physical-range.js";
import { plsPathCoefficients } from "../../core/chemometrics/pls-nipals.js";
import {
  nestedCv,
  selectAndFit,
  isStack,
  type Candidate,
  type ExternalFitter,
  type FittedModel,
  type ModelSpec,
  type NestedCvResult,
  type Selection,
  type VariantInput,
} from "../../core/select/nested-cv.js";
import { spectraVariant } from "../../core/select/spectra-variant.js";
import { xAbsorbance } from "../../core/spectra/x-absorbance.js";
import { assignFolds, foldsFromValues } from "../../core/stats/folds.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { defineStep, StepInputError } from "../../engine/step.js";
import { spectraMatrix } from "../shared/spectra-matrix.js";

const region = z.tuple([z.number(), z.number()]);
const variant = z.strictObject({
  /** "native" (default) or a step in cm-1. */
  resolution: z.union([z.literal("native"), z.number().positive()]).default("native"),
  /** [lo, hi] cm-1; default the whole range of the spectra. */
  range: region.nullable().default(null),
  /** Bands removed after smoothing; default none (the native range keeps the CO2 band). */
  exclude: z.array(region).default([]),
  savgol: z
    .strictObject({ window: z.number().int().min(3), polyorder: z.number().int().min(0), deriv: z.number().int().min(0) })
    .nullable()
    .default(null),
  normalize: z.enum(["none", "snv", "baseline", "minmax", "vector", "area"]).default("none"),
});

export const selectOptions = z.strictObject({
  target: z.enum(["c", "om"]),
  /** Preprocessing variants by name. */
  variants: z.record(z.string().regex(/^[A-Za-z0-9_+@.-]+$/), variant).default({ abs: {}, snv: { normalize: "snv" } } as never),
  /** Model families. */
  models: z
    .array(z.enum(["plsr", "mbl", "cnn"]))
    .min(1)
    .default(["plsr"]),
  /**
   * Stacks (Breiman 1996): each a list of families, e.g. [plsr, cnn]; one candidate per stack,
   * combining each listed family's best candidate with convex weights fitted on their inner
   * out-of-fold predictions (cross-fitted for its own score). Every family must be in `models`.
   */
  stacks: z.array(z.array(z.enum(["plsr", "mbl", "cnn"])).min(2)).default([]),
  /** The CNN family (src/runtime/cnn/fit-predict.ts): the cnn.train model at its n-dependent defaults, log1p target. */
  cnn: z
    .strictObject({
      /** Ensemble members per fit; default by n (5 below 300 fitting rows, else 1). */
      members: z.number().int().min(1).max(20).optional(),
      epochs: z.number().int().min(1).optional(),
      /** Initial-weight seed (the model seed; folds have their own). */
      seed: z.number().int().default(1),
      backend: z.enum(BACKEND_CHOICES).default("auto"),
    })
    .default({ seed: 1, backend: "auto" }),
  /** Target scales the models are fitted on. */
  targets: z
    .array(z.enum(["log1p", "gkg"]))
    .min(1)
    .default(["log1p"]),
  /** Largest PLSR component count scored. */
  max_components: z.number().int().min(1).max(100).default(20),
  mbl: z
    .strictObject({
      k: z.array(z.number().int().min(4)).min(1).optional(),
      nnv_targets: z.number().int().min(5).default(80),
      min_components: z.number().int().min(1).default(3),
      max_components: z.number().int().min(1).default(15),
    })
    .default({ nnv_targets: 80, min_components: 3, max_components: 15 }),
  /** Samples column holding each sample's outer fold (any values; each distinct value is a fold). */
  folds_from: z.string().min(1).optional(),
  /** Otherwise: this many equal outer folds, drawn with split_seed. */
  folds: z.number().int().min(2).max(100).default(10),
  split_seed: z.number().int().default(1),
  inner_folds: z.number().int().min(2).max(20).default(5),
  /** Seed of the inner folds. */
  seed: z.number().int().default(1),
  /**
   * Scale of the selection score. Default `gkg`, the scale R² and RMSE are reported on: scored
   * on log1p, LimeSoDa H_138 picked log1p-fitted models whose g/kg R² was 0.80–0.87 where the
   * g/kg fit reached 0.94 (bench/RESULTS.md).
   */
  score: z.enum(["log1p", "gkg"]).default("gkg"),
  /**
   * `average` (default): the `average_top` best candidates, each at its best setting, averaged
   * — choosing one of ~200 options on ~100 spectra is itself noisy, and averaging the few best
   * spreads that choice (LimeSoDa, bench/RESULTS.md: mean R² 0.727 → 0.731, H_138 0.920 →
   * 0.928); `min`: the smallest inner RMSE alone; `one_se`: the first listed variant/model
   * within one SE of it.
   */
  rule: z.enum(["min", "one_se", "average"]).default("average"),
  /** With rule `average`: how many of the best candidates are averaged. */
  average_top: z.number().int().min(2).max(20).default(3),
  /** Inner CV repeats with fresh fold draws, pooled in the score. */
  inner_repeats: z.number().int().min(1).max(20).default(1),
  /** Clip predictions to the training part's target range. */
  clip: z.boolean().default(true),
  pi_level: z.number().gt(0).lt(1).default(0.9),
});

export type SelectOptions = z.output<typeof selectOptions>;

export const modelSelectStep = defineStep({
  type: "model.select",
  version: 1,
  description: "Model selection by nested CV over preprocessing × model family × target scale (PLSR, MBL), CV+ intervals",
  options: selectOptions,
  outputs: ["predictions", "selection", "choices", "model_meta"],
  // Nested CV refits many models: a longer default time limit under SLURM.
  resources: { memMiB: 4096, timeMinutes: 240 },
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const samples = await inputs.find("samples").table("samples");
    const blocks = await inputs.find("spectra").spectra("spectra");
    const n = tableRowCount(samples);
    const col = o.target === "c" ? "c_gkg" : "om_gkg";
    if (!samples[col]) throw new StepInputError(`samples has no column "${col}" for option target=${o.target}`);
    const ids = textColumn(samples, "sample_id");
    const value = numberColumn(samples, col);
    const sm = spectraMatrix(blocks, ids);
    const units = new Set(blocks.map((b) => b.unit));
    if (units.size !== 1) throw new StepInputError(`spectra blocks mix units (${[...units].join(", ")}): run spectra.preprocess first`);
    const unit = blocks[0]!.unit;
    const m = sm.sampleRow.length;
    const q = sm.wavenumbers.length;
    const abs = new Float32Array(m * q);
    let nonpositive = 0;
    for (let k = 0; k < m; k++) {
      const a = xAbsorbance(sm.values.subarray(k * q, (k + 1) * q), { unit });
      nonpositive += a.nonpositive;
      abs.set(a.values, k * q);
    }
    if (nonpositive > 0)
      throw new StepInputError(`${nonpositive} reflectance values ≤ 0 cannot become absorbance: repair them (spectra.preprocess) first`);

    const names = Object.keys(o.variants);
    if (names.length === 0) throw new StepInputError("option variants: list at least one preprocessing variant");
    const variants: VariantInput[] = names.map((name) => {
      const v = o.variants[name]!;
      try {
        const r = spectraVariant(abs, sm.wavenumbers, v);
        if (r.failed > 0) throw new RangeError(`${r.failed} spectra are flat and cannot be normalized`);
        return { name, x: r.x, p: r.p };
      } catch (e) {
        throw new StepInputError(`option variants.${name}: ${(e as Error).message}`);
      }
    });
    const cnnRuntime = o.models.includes("cnn") ? await import("../../runtime/cnn/fit-predict.js") : null;
    const fitter = cnnRuntime
      ? cnnRuntime.cnnFitter({
          task: o.target,
          seed: o.cnn.seed,
          ...(o.cnn.members !== undefined ? { members: o.cnn.members } : {}),
          ...(o.cnn.epochs !== undefined ? { epochs: o.cnn.epochs } : {}),
          backend: o.cnn.backend,
          available: ctx.threads,
        })
      : null;
    const candidates = candidatesOf(names, o, fitter);
    // labelled rows (matrix rows with a finite, non-negative target) and their outer folds
    const y = Float64Array.from(sm.sampleRow, (i) => value[i]!);
    const labelled = Array.from({ length: m }, (_, k) => k).filter((k) => Number.isFinite(y[k]!) && y[k]! >= 0);
    const negatives = Array.from(y).filter((v) => v < 0).length;
    if (labelled.length < 2 * (o.inner_folds + 2)) {
      throw new StepInputError(
        `only ${labelled.length} labelled ${o.target} samples with a usable spectrum; nested CV needs at least ${2 * (o.inner_folds + 2)}`,
      );
    }
    // the CNN's net must fit every variant it runs on, at the smallest and largest fitting sizes (the tier sets the net)
    if (cnnRuntime) {
      for (const [vi, v] of variants.entries()) {
        for (const nFit of [Math.floor((labelled.length / 2) * (1 - 1 / o.inner_folds)), labelled.length]) {
          const problem = cnnRuntime.cnnInputProblem(v.p, nFit, o.target);
          if (problem)
            throw new StepInputError(`option variants.${names[vi]} with models: cnn: ${problem}; use a finer resolution or leave cnn out`);
        }
      }
    }
    const outer = new Int32Array(m).fill(-1);
    let foldLabels: string[];
    if (o.folds_from !== undefined) {
      const c = samples[o.folds_from];
      if (!c)
        throw new StepInputError(
          `option folds_from: samples has no column "${o.folds_from}" (columns: ${Object.keys(samples).join(", ")}); carry it from the input file (ingest.table keep_columns)`,
        );
      const raw = labelled.map((k) => (c as ArrayLike<string | number | null>)[sm.sampleRow[k]!] ?? null);
      const got = foldsFromValues(raw);
      if ("missingRow" in got) {
        const i = sm.sampleRow[labelled[got.missingRow]!]!;
        throw new StepInputError(`option folds_from: sample "${ids[i]}" (samples row ${i + 1}) has no value in column "${o.folds_from}"`);
      }
      foldLabels = got.labels;
      if (foldLabels.length < 2)
        throw new StepInputError(
          `option folds_from: column "${o.folds_from}" holds ${foldLabels.length} distinct value(s); nested CV needs at least 2 folds`,
        );
      labelled.forEach((k, r) => (outer[k] = got.fold[r]!));
    } else {
      // equal folds keyed by sample id (src/core/stats/folds.ts): independent of row order
      const f = assignFolds(
        labelled.map((k) => ids[sm.sampleRow[k]!] ?? `row-${k}`),
        { folds: o.folds, seed: o.split_seed },
      );
      labelled.forEach((k, r) => (outer[k] = f[r]!));
      foldLabels = Array.from({ length: o.folds }, (_, i) => String(i + 1));
    }

    const progress = ctx.progress("outer folds", foldLabels.length + 1, "fold");
    const options = {
      innerFolds: o.inner_folds,
      seed: o.seed,
      level: o.pi_level,
      score: o.score === "gkg" ? ("identity" as const) : ("log1p" as const),
      rule: o.rule,
      averageTop: o.average_top,
      innerRepeats: o.inner_repeats,
      clip: o.clip,
      onProgress: (msg: string) => {
        ctx.log(msg);
        progress.tick();
      },
    };
    let res: NestedCvResult;
    try {
      res = await nestedCv(variants, y, outer, candidates, options);
    } catch (e) {
      if (e instanceof RangeError) throw new StepInputError(`nested CV: ${e.message}`);
      throw e;
    }
    // final: the same selection on every labelled row, refitted on all; predicts the unlabelled
    const unlabelled = Int32Array.from(Array.from({ length: m }, (_, k) => k).filter((k) => !Number.isFinite(y[k]!)));
    const final = await selectAndFit(variants, y, candidates, Int32Array.from(labelled), unlabelled, options);
    progress.done();

    const upper = o.target === "c" ? DEFAULT_PHYSICAL_RANGE.cMax : DEFAULT_PHYSICAL_RANGE.omMax;
    const clamp = (v: number) => (Number.isFinite(v) ? Math.min(upper, Math.max(0, v)) : v);
    const predicted = Float64Array.from(res.predicted, clamp);
    const low = Float64Array.from(res.low, clamp);
    const high = Float64Array.from(res.high, (v) => (v === Infinity ? Infinity : clamp(v)));
    unlabelled.forEach((k, r) => {
      predicted[k] = clamp(final.predicted[r]!);
      low[k] = clamp(final.low[r]!);
      high[k] = final.high[r] === Infinity ? Infinity : clamp(final.high[r]!);
    });
    const sources = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
    const depth = samples.depth_top_cm ? numberColumn(samples, "depth_top_cm") : new Float64Array(n).fill(NaN);
    const split = Array.from({ length: m }, (_, k) => (!Number.isFinite(y[k]!) ? "unlabelled" : outer[k]! >= 0 ? "test" : null));
    // negative targets: labelled but not selectable — left out rather than given a made-up split
    const keep = Array.from({ length: m }, (_, k) => k).filter((k) => split[k] !== null);
    const predictions: Table = {
      sample_id: keep.map((k) => ids[sm.sampleRow[k]!] ?? null),
      target: keep.map(() => o.target),
      split: keep.map((k) => split[k]!),
      source: keep.map((k) => sources[sm.sampleRow[k]!] ?? null),
      depth_top_cm: Float64Array.from(keep, (k) => depth[sm.sampleRow[k]!]!),
      observed: Float64Array.from(keep, (k) => y[k]!),
      predicted: Float64Array.from(keep, (k) => predicted[k]!),
      sd: new Float64Array(keep.length).fill(NaN),
      pi_low: Float64Array.from(keep, (k) => low[k]!),
      pi_high: Float64Array.from(keep, (k) => high[k]!),
      in_domain: keep.map(() => null),
    };
    await ctx.outputs.table("predictions", predictions);

    const rows = [...res.folds.map((f) => ({ fold: foldLabels[f.fold]!, sel: f.selection })), { fold: "all", sel: final }];
    const sel = {
      fold: [] as string[],
      candidate: [] as string[],
      variant: [] as string[],
      model: [] as string[],
      target_scale: [] as string[],
      setting: [] as number[],
      inner_rmse: [] as number[],
      inner_se: [] as number[],
      chosen: [] as boolean[],
    };
    for (const { fold, sel: s } of rows) {
      for (const r of s.scores) {
        const c = candidates[r.candidate]!;
        sel.fold.push(fold);
        sel.candidate.push(c.name);
        // a stack: its bases' variants are in its bases' rows; its scale is the score's
        sel.variant.push(isStack(c) ? "" : names[c.variant]!);
        sel.model.push(isStack(c) ? "stack" : c.model.family);
        sel.target_scale.push(isStack(c) ? o.score : c.target === "identity" ? "gkg" : "log1p");
        sel.setting.push(r.setting);
        sel.inner_rmse.push(r.rmse);
        sel.inner_se.push(r.se);
        sel.chosen.push((s.members ?? [s.chosen]).some((m) => r.candidate === m.candidate && r.setting === m.setting));
      }
    }
    await ctx.outputs.table("selection", {
      ...sel,
      setting: Float64Array.from(sel.setting),
      inner_rmse: Float64Array.from(sel.inner_rmse),
      inner_se: Float64Array.from(sel.inner_se),
    });
    await ctx.outputs.table("choices", {
      fold: rows.map((r) => r.fold),
      // an average lists its members, best first
      candidate: rows.map((r) => (r.sel.members ?? [r.sel.chosen]).map((m) => candidates[m.candidate]!.name).join(" + ")),
      setting: Float64Array.from(rows, (r) => r.sel.chosen.setting),
      inner_rmse: Float64Array.from(rows, (r) => r.sel.chosen.rmse),
      n_train: Float64Array.from(rows, (r) => r.sel.nTrain),
      n_test: Float64Array.from(rows, (r) =>
        r.fold === "all" ? unlabelled.length : res.folds.find((f) => foldLabels[f.fold] === r.fold)!.testRows.length,
      ),
    });
    const chosen = candidates[final.chosen.candidate]!;
    await ctx.outputs.json("model_meta", {
      model: "model.select",
      target: o.target,
      protocol: {
        outer:
          o.folds_from !== undefined
            ? { folds_from: o.folds_from, folds: foldLabels.length }
            : { folds: o.folds, split_seed: o.split_seed },
        inner_folds: o.inner_folds,
        seed: o.seed,
        score: `RMSE of inner out-of-fold predictions on the ${o.score} scale, rule ${o.rule}, ${o.inner_repeats} repeat(s)`,
        clip_to_training_range: o.clip,
        intervals: `CV+ (Barber et al. 2021) at ${o.pi_level}, from each outer fold's inner CV`,
      },
      candidates: candidates.map((c) => c.name),
      variants: o.variants,
      n_labelled: labelled.length,
      n_unlabelled: unlabelled.length,
      n_negative_target_left_out: negatives,
      final: {
        candidate: chosen.name,
        setting: final.chosen.setting,
        inner_rmse: final.chosen.rmse,
        ...finalModelJson(final.model, (ci) => candidates[ci]!.name, final, final.chosen),
      },
    });
    ctx.record({
      select_final: chosen.name,
      select_candidates: candidates.length,
      select_n: labelled.length,
      select_folds: foldLabels.length,
    });
  },
});

/**
 * Every variant × family × target scale (the CNN fits log1p only), then the stacks. A stack's
 * families must be listed in `models`.
 */
function candidatesOf(names: string[], o: SelectOptions, fitter: ExternalFitter | null): Candidate[] {
  const out: Candidate[] = [];
  const model = (family: "plsr" | "mbl" | "cnn"): ModelSpec =>
    family === "plsr"
      ? { family, maxComponents: o.max_components }
      : family === "cnn"
        ? { family, fitter: fitter! }
        : {
            family,
            options: {
              k: o.mbl.k,
              nnvTargets: o.mbl.nnv_targets,
              minComponents: o.mbl.min_components,
              maxComponents: o.mbl.max_components,
            },
          };
  names.forEach((name, vi) => {
    for (const family of o.models) {
      for (const t of family === "cnn" ? (["log1p"] as const) : o.targets) {
        out.push({ name: `${name} · ${family} · ${t}`, variant: vi, model: model(family), target: t === "gkg" ? "identity" : "log1p" });
      }
    }
  });
  o.stacks.forEach((families, k) => {
    const missing = families.filter((f) => !o.models.includes(f));
    if (missing.length)
      throw new StepInputError(`option stacks[${k}]: ${missing.join(", ")} not in option models (${o.models.join(", ")}): add it there`);
    out.push({ name: `stack(${families.join("+")})`, stack: families });
  });
  return out;
}

type Chosen = { candidate: number; setting: number; rmse: number };

/** The final model in model_meta: PLSR coefficients, MBL or CNN settings, a stack's weighted bases or an average's members. */
function finalModelJson(model: FittedModel, nameOf: (candidate: number) => string, sel: Selection, self?: Chosen): Record<string, unknown> {
  const label = (c: Chosen | undefined) => (c ? { candidate: nameOf(c.candidate), setting: c.setting, inner_rmse: c.rmse } : {});
  switch (model.family) {
    case "plsr":
      return {
        components: model.components,
        x_mean: Array.from(model.path.xMean),
        y_mean: model.path.yMean,
        coefficients: Array.from(plsPathCoefficients(model.path, model.components)),
      };
    case "mbl":
      return { k: model.model.k, pca_components: model.model.m, nnv: model.model.nnv };
    case "cnn":
      return { cnn: model.describe };
    case "stack": {
      const bases = sel.stacks?.find((s) => s.candidate === self?.candidate)?.bases;
      return {
        stack_of: model.members.map((m, j) => ({
          weight: model.weights[j],
          ...label(bases?.[j]),
          ...finalModelJson(m.model, nameOf, sel),
        })),
        weights_fitted_on: model.score === "log1p" ? "log1p" : "gkg",
      };
    }
    case "average":
      return {
        average_of: model.members.map((m, j) => ({
          ...label(sel.members?.[j]),
          ...finalModelJson(m.model, nameOf, sel, sel.members?.[j]),
        })),
        averaged_on: model.score === "log1p" ? "log1p" : "gkg",
      };
  }
}
