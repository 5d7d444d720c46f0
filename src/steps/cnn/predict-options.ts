/** The options of `cnn.predict` and the part of a `cnn.train` model_meta it reads. */
import { z } from "zod";
import { BACKEND_CHOICES, type TaskName } from "../../core/cnn/config.js";
import type { DomainModel } from "../../core/stats/domain.js";
import type { StepSplit } from "../shared/split-options.js";

export const cnnPredictOptions = z.strictObject({
  /** Rows per forward pass. */
  batch: z.number().int().min(1).max(65536).default(512),
  backend: z.enum(BACKEND_CHOICES).default("auto"),
});

/** The parts of model_meta cnn.predict reads (written by cnn.train). */
export interface CnnModelMeta {
  format: string;
  targets: TaskName[];
  grid: number[];
  pi_level: number;
  conformal: { quantile: Partial<Record<TaskName, number | null>> };
  domain: DomainModel | null;
  /** Models written before scheme location have no cellDeg. */
  split: Omit<StepSplit, "cellDeg"> & { cellDeg?: number };
}
