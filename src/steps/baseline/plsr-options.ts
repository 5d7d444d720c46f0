/** Options of `baseline.plsr` (src/steps/baseline/plsr.ts). */
import { z } from "zod";
import { splitOptionFields } from "../shared/split-options.js";

export const plsrOptions = z.strictObject({
  /** Target: organic C (`c_gkg`) or organic matter (`om_gkg`). */
  target: z.enum(["c", "om"]),
  /** Largest number of PLS components tried by CV. */
  max_components: z.number().int().min(1).max(200).default(20),
  /** Folds of the inner CV that picks the number of components. */
  cv_folds: z.number().int().min(2).max(20).default(5),
  /** "one_se": fewest components within one SE of the RMSECV minimum; "min": the minimum. */
  component_rule: z.enum(["min", "one_se"]).default("one_se"),
  /** Split options, identical to the CNN steps (src/steps/shared/split-options.ts). */
  ...splitOptionFields,
  seed: z.number().int().default(1),
  /** Nominal level of the split-conformal interval. */
  pi_level: z.number().gt(0).lt(1).default(0.9),
  /** Calibrate on QC-excluded cal rows too (the population test is scored on). */
  cal_excluded: z.boolean().default(true),
});

export type PlsrOptions = z.output<typeof plsrOptions>;
