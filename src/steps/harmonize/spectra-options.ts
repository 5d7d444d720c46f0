/**
 * The options of harmonize.spectra and their mapping onto the core's HarmonizeOptions
 * (src/core/harmonize/harmonize-sources.ts, where the methods and their defaults are explained).
 */
import { z } from "zod";
import type { HarmonizeOptions } from "../../core/harmonize/harmonize-sources.js";

export const harmonizeSpectraOptions = z.strictObject({
  method: z.enum(["none", "sst", "pds", "coral", "epo", "instrument"]).default("coral"),
  /** Reference (master) source; default the source with most spectra. */
  reference: z.string().optional(),
  /** Reference PCA components for coral and for the distance metric. Default 10. */
  components: z.number().int().min(1).default(10),
  sst: z.strictObject({ components: z.number().int().min(1).default(5) }).default({ components: 5 }),
  pds: z
    .strictObject({ half_window: z.number().int().min(0).default(5), ridge: z.number().min(0).default(0.01) })
    .default({ half_window: 5, ridge: 0.01 }),
  epo: z.strictObject({ components: z.number().int().min(1).default(2) }).default({ components: 2 }),
  coral: z
    .strictObject({ mean_shift: z.enum(["full", "none"]).default("full"), shrinkage: z.number().min(0).default(1e-3) })
    .default({ mean_shift: "full", shrinkage: 1e-3 }),
  instrument: z
    .strictObject({
      match: z.enum(["neighbours", "mean"]).default("neighbours"),
      trim: z.number().gt(0).max(1).default(0.8),
      iterations: z.number().int().min(1).default(15),
      /** Most spectra per source (and of the reference) the neighbour matching uses; the fit applies to all. */
      max_rows: z.number().int().min(10).default(2000),
    })
    .default({ match: "neighbours", trim: 0.8, iterations: 15, max_rows: 2000 }),
  /** CSV with columns reference_id, sample_id: transfer pairs (sst/pds/epo). */
  transfer_csv: z.string().optional(),
  /** Name of an upstream table output with columns reference_id, sample_id. */
  transfer_table: z.string().optional(),
  /** Fewest transfer pairs accepted per source. Default 10. */
  min_transfer: z.number().int().min(3).default(10),
  /** Spectra kept for the diagnostics: pca_scores (over all sources) and the nearest-reference distances (per source). */
  max_scores: z.number().int().min(1).default(5000),
  seed: z.number().int().default(1),
  spectra_from: z.string().optional(),
});

export type Opts = z.output<typeof harmonizeSpectraOptions>;

export function coreOptions(o: Opts): HarmonizeOptions {
  return {
    method: o.method,
    components: o.components,
    transfer: {
      sstComponents: o.sst.components,
      pdsHalfWindow: o.pds.half_window,
      pdsRidge: o.pds.ridge,
      epoComponents: o.epo.components,
      minTransfer: o.min_transfer,
    },
    coral: { meanShift: o.coral.mean_shift, shrinkage: o.coral.shrinkage },
    instrument: { match: o.instrument.match, trim: o.instrument.trim, iterations: o.instrument.iterations, maxRows: o.instrument.max_rows },
    maxScores: o.max_scores,
  };
}
