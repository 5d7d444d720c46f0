/**
 * The options of qc.outliers and their mapping onto the core's OutlierQcOptions
 * (src/core/qc/outlier-qc.ts, where each default is explained).
 */
import { z } from "zod";
import type { OutlierQcOptions } from "../../core/qc/outlier-qc.js";
import { physicalRangeOption, toPhysicalRange } from "../shared/range-option.js";

// Defaults and why: OutlierQcOptions in src/core/qc/outlier-qc.ts.
export const outliersOptions = z.strictObject({
  /** PCA components; default by variance_explained (capped by max_components). */
  components: z.number().int().min(1).optional(),
  variance_explained: z.number().gt(0).max(1).default(0.99),
  max_components: z.number().int().min(1).default(10),
  /** T² beyond its limit: `report` counts it in qc_summary (`t2_extreme`); `flag` also adds `t2` to qc_flags. */
  t2: z.enum(["report", "flag"]).default("report"),
  /** Significance of the T² limit and of the classical Q limits. */
  alpha: z.number().gt(0).lt(0.5).default(0.001),
  /** `robust-log`: exp(median + q_z·MAD of ln Q) per class and source; `box` / `jackson-mudholkar`: classical, pooled. */
  q_limit: z.enum(["robust-log", "box", "jackson-mudholkar"]).default("robust-log"),
  q_z: z.number().positive().default(3.5),
  /** `source`: robust-log Q limits per source (≥ 20 clean spectra, else pooled); `pooled`: one for all. */
  limits_by: z.enum(["source", "pooled"]).default("source"),
  /** Lab C (g/kg) from which a sample is an organic soil, judged by limits of organic soils; null = one class. */
  organic_c_gkg: z.number().positive().nullable().default(120),
  trim_fraction: z.number().min(0).lt(0.5).default(0.1),
  range: physicalRangeOption,
  unit_check: z
    .strictObject({
      enabled: z.boolean().default(true),
      ratio: z.number().gt(1).default(4),
      min_samples: z.number().int().min(10).default(30),
      components: z.number().int().min(2).default(30),
    })
    .default({ enabled: true, ratio: 4, min_samples: 30, components: 30 }),
  scan: z
    .strictObject({
      saturation_run: z.number().int().min(2).default(5),
      spike_z: z.number().positive().default(100),
      flat_sd_ratio: z.number().positive().default(0.05),
      flat_roughness_ratio: z.number().positive().default(8),
    })
    .default({ saturation_run: 5, spike_z: 100, flat_sd_ratio: 0.05, flat_roughness_ratio: 8 }),
  max_scores: z.number().int().min(1).default(5000),
  seed: z.number().int().default(1),
  spectra_from: z.string().optional(),
  samples_from: z.string().optional(),
});

export type Options = z.output<typeof outliersOptions>;

export function coreOptions(o: Options): OutlierQcOptions {
  return {
    pca: {
      components: o.components,
      varianceExplained: o.variance_explained,
      maxComponents: o.max_components,
      alpha: o.alpha,
      trimFraction: o.trim_fraction,
    },
    qLimit: o.q_limit,
    qZ: o.q_z,
    limitsBy: o.limits_by,
    organicCGkg: o.organic_c_gkg,
    t2: o.t2,
    range: toPhysicalRange(o.range),
    unitCheck: {
      enabled: o.unit_check.enabled,
      ratio: o.unit_check.ratio,
      minSamples: o.unit_check.min_samples,
      components: o.unit_check.components,
    },
    scan: {
      saturationRun: o.scan.saturation_run,
      spikeZ: o.scan.spike_z,
      flatSdRatio: o.scan.flat_sd_ratio,
      flatRoughnessRatio: o.scan.flat_roughness_ratio,
    },
  };
}
