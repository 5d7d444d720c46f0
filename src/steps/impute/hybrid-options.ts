/** Options of `impute.hybrid` (src/steps/impute/hybrid.ts). */
import { z } from "zod";

export const hybridOptions = z.strictObject({
  /** Model step (pipeline name) whose predictions fill each target; at least one. */
  models: z
    .strictObject({ c: z.string().min(1).optional(), om: z.string().min(1).optional() })
    .refine((m) => m.c !== undefined || m.om !== undefined, { message: "name a model step for c and/or om" }),
  /** Reject predictions flagged out of the applicability domain (default: keep and count them). */
  reject_out_of_domain: z.boolean().default(false),
  /** Grid cell size (degrees) of the coverage breakdown. */
  cell_deg: z.number().positive().max(90).default(10),
  /** Step that holds the samples to use, when several inputs have `samples`. */
  samples_from: z.string().min(1).optional(),
  /** Interval level assumed when a model input has no model_meta.pi_level. */
  pi_level: z.number().gt(0).lt(1).default(0.9),
});

export type HybridStepOptions = z.output<typeof hybridOptions>;
