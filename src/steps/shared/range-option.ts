/**
 * The `range` option shared by qc.outliers and harmonize.targets: physical plausibility
 * limits of C and OM in g/kg, defaulting to the one canonical definition
 * (DEFAULT_PHYSICAL_RANGE, src/core/chemometrics/physical-range.ts).
 */
import { z } from "zod";
import { DEFAULT_PHYSICAL_RANGE as R, type PhysicalRange } from "../../core/chemometrics/physical-range.js";

export const physicalRangeOption = z
  .strictObject({
    c_min: z.number().default(R.cMin),
    c_max: z.number().default(R.cMax),
    om_min: z.number().default(R.omMin),
    om_max: z.number().default(R.omMax),
    om_at_least_c: z.boolean().default(R.omAtLeastC),
  })
  .default({ c_min: R.cMin, c_max: R.cMax, om_min: R.omMin, om_max: R.omMax, om_at_least_c: R.omAtLeastC });

export function toPhysicalRange(o: z.output<typeof physicalRangeOption>): PhysicalRange {
  return { cMin: o.c_min, cMax: o.c_max, omMin: o.om_min, omMax: o.om_max, omAtLeastC: o.om_at_least_c };
}
