/** Options of `harmonize.targets` (src/steps/harmonize/targets.ts). */
import { z } from "zod";
import { physicalRangeOption } from "../shared/range-option.js";

export const harmonizeTargetsOptions = z.strictObject({
  /** C method → factor to dry combustion. */
  c_factors: z.record(z.string(), z.number().positive()).default({ dry_combustion: 1, walkley_black: 1.3 }),
  /** OM method → factor. */
  om_factors: z.record(z.string(), z.number().positive()).default({ loi: 1, dry_combustion: 1, walkley_black: 1.3 }),
  /** Structural water lost on ignition per unit clay mass, subtracted from LOI OM where clay_pct is known; 0 = off. */
  loi_clay_water: z.number().min(0).max(0.2).default(0.07),
  /** Source → unit of its c_gkg/om_gkg columns as delivered. Default g_kg for every source. */
  units: z.record(z.string(), z.enum(["g_kg", "percent", "mg_kg"])).default({}),
  /** A method code not in the factor table: `keep` (factor 1, logged, default) or `error`. */
  unknown_method: z.enum(["keep", "error"]).default("keep"),
  range: physicalRangeOption,
  samples_from: z.string().optional(),
});

export type TargetsOptions = z.output<typeof harmonizeTargetsOptions>;
