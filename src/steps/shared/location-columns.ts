/** The option naming the columns of a table that hold each sample's location and depth (ingest.table `columns`, ingest.opus `lab_columns`). */
import { z } from "zod";

export const locationColumnsOption = z
  .strictObject({
    lat: z.string().optional(),
    lon: z.string().optional(),
    depth_top_cm: z.string().optional(),
    depth_bottom_cm: z.string().optional(),
  })
  .default({});
