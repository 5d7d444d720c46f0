/**
 * The options of `cnn.train` and how they resolve: explicit options win, the rest come from the
 * n-dependent defaults (cnnDefaultsForN, src/core/cnn/config.ts); the architecture options map
 * onto the core's ArchitectureConfig.
 */
import { z } from "zod";
import {
  BACKEND_CHOICES,
  cnnDefaultsForN,
  DEFAULT_ARCH,
  SMALL_ARCH,
  type ArchitectureConfig,
  type CnnAutoSettings,
  type CnnConfig,
} from "../../core/cnn/config.js";
import { StepInputError } from "../../engine/step.js";
import { omSplitOption, splitOptionFields } from "../shared/split-options.js";

const convBlock = z.strictObject({
  filters: z.number().int().min(1).max(1024),
  kernel: z.number().int().min(1),
  /** Max-pool size after the block; 1 = none. */
  pool: z.number().int().min(1).default(2),
  dropout: z.number().min(0).lt(1).default(0),
  batch_norm: z.boolean().default(false),
});

export const architectureOptions = z.strictObject({
  conv: z
    .array(convBlock)
    .min(1)
    .default(
      DEFAULT_ARCH.conv.map((b) => ({ filters: b.filters, kernel: b.kernel, pool: b.pool, dropout: b.dropout, batch_norm: b.batchNorm })),
    ),
  /** "flatten" keeps band positions (default); "avg" = global average pooling. */
  head_pool: z.enum(["flatten", "avg"]).default(DEFAULT_ARCH.headPool),
  dense: z.array(z.number().int().min(1)).default(DEFAULT_ARCH.dense),
  dense_dropout: z.number().min(0).lt(1).default(DEFAULT_ARCH.denseDropout),
});

export const cnnTrainOptions = z.strictObject({
  /** c, om, or multi (both, masked multi-task loss). */
  target: z.enum(["c", "om", "multi"]),
  // Unset training options take the n-dependent defaults (cnnDefaultsForN, src/core/cnn/config.ts).
  /** Unset: the small net below 300 fitting rows, else DEFAULT_ARCH. */
  architecture: architectureOptions.optional(),
  epochs: z.number().int().min(1).optional(),
  batch: z.number().int().min(2).optional(),
  lr: z.number().positive().optional(),
  /** Early-stopping patience (epochs without val improvement); 0 = off. */
  patience: z.number().int().min(0).optional(),
  schedule: z.enum(["plateau", "cosine", "constant"]).optional(),
  /** Seed of the initial weights and batch order; the split has its own split_seed. */
  seed: z.number().int().default(1),
  /** Split options, identical to baseline.plsr (src/steps/split-options.ts). */
  ...splitOptionFields,
  /** Validation fraction (early stopping); unset: 0 below 300 fitting rows, else 0.1. */
  val: z.number().min(0).lt(1).optional(),
  /**
   * Target multi: split fractions for the rows that have an OM label (the others use
   * test/val/cal). With ~10 % OM labels the default 15 % test and cal hold too few OM samples to
   * measure OM coverage (±0.04 at ~50); `{test: 0.3, cal: 0.3}` doubles them — the OM split of an
   * OM-only model with test/cal 0.3, so both are scored on the same OM samples — while C keeps
   * its training rows.
   */
  om_split: omSplitOption.optional(),
  /** σ̂ source: mean–variance head (nll), an ensemble, or none (absolute-residual intervals). */
  /** Unset: ensemble below 300 fitting rows, else nll. */
  uncertainty: z.enum(["nll", "ensemble", "none"]).optional(),
  /** Ensemble size when uncertainty = ensemble (default 5). */
  members: z.number().int().min(2).max(20).optional(),
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /**
   * Calibrate on QC-excluded cal rows too (default): metrics.evaluate scores every labelled test
   * row, flagged ones included, and split conformal needs cal and test from the same population.
   */
  cal_excluded: z.boolean().default(true),
  /** PCA components of the applicability domain (0 = no domain check). */
  domain_components: z.number().int().min(0).max(50).default(5),
  backend: z.enum(BACKEND_CHOICES).default("auto"),
  /**
   * Worker threads for data-parallel training; 0 = auto: 1 below 512 training spectra, else 2 —
   * chosen from the data, never from the machine, since the data-parallel gradient sum changes
   * the numbers in the last bits (a run is bitwise reproducible given threads).
   */
  threads: z.number().int().min(0).max(64).default(0),
});

export type CnnTrainOptions = z.output<typeof cnnTrainOptions>;

/** Training settings after the n-dependent defaults (model_meta.resolved). */
export interface ResolvedTraining {
  tier: CnnAutoSettings["tier"];
  n_fit: number;
  epochs: number;
  batch: number;
  lr: number;
  patience: number;
  schedule: "plateau" | "cosine" | "constant";
  val: number;
  uncertainty: "nll" | "ensemble" | "none";
  members: number;
  architecture: "small" | "default" | "given";
}

/** Explicit options win; the rest come from cnnDefaultsForN(nFit). */
export function resolveTraining(o: CnnTrainOptions, nFit: number): ResolvedTraining {
  const a = cnnDefaultsForN(nFit);
  const uncertainty = o.uncertainty ?? a.uncertainty;
  const patience = o.patience ?? a.patience;
  const schedule = o.schedule ?? a.schedule;
  // Early stopping or a plateau schedule asked for explicitly: they need validation rows.
  const needsVal = patience > 0 || schedule === "plateau";
  const val = o.val ?? (needsVal ? Math.max(a.val, 0.1) : a.val);
  if (needsVal && val === 0) {
    throw new StepInputError(
      `option val=0 leaves no validation rows for ${patience > 0 ? `patience=${patience}` : "schedule=plateau"}: set val > 0, or patience: 0 and schedule: cosine`,
    );
  }
  return {
    tier: a.tier,
    n_fit: nFit,
    epochs: o.epochs ?? a.epochs,
    batch: o.batch ?? a.batch,
    lr: o.lr ?? a.lr,
    patience,
    schedule,
    val,
    uncertainty,
    members: uncertainty === "ensemble" ? (o.members ?? a.members) : 1,
    architecture: o.architecture ? "given" : a.arch,
  };
}

export function configFromOptions(o: CnnTrainOptions, r: ResolvedTraining, inputPoints: number): CnnConfig {
  const given = o.architecture;
  const arch: ArchitectureConfig = given
    ? {
        conv: given.conv.map((b) => ({ filters: b.filters, kernel: b.kernel, pool: b.pool, dropout: b.dropout, batchNorm: b.batch_norm })),
        headPool: given.head_pool,
        dense: given.dense,
        denseDropout: given.dense_dropout,
      }
    : r.architecture === "small"
      ? SMALL_ARCH
      : DEFAULT_ARCH;
  return { inputPoints, target: o.target, variance: r.uncertainty === "nll", arch };
}
