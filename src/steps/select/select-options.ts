/** Options of `model.select` (src/steps/select/model-select.ts). */
import { z } from "zod";
import { BACKEND_CHOICES } from "../../core/cnn/config.js";

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
      /** The variants the CNN runs on (default all): each CNN candidate costs (inner folds + 1) × (outer folds + 1) fits. */
      variants: z.array(z.string()).min(1).optional(),
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
