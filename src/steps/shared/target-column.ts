/** Where each target's measured value (g/kg) lives in a `samples` table, shared by the model steps. */
import type { TaskName } from "../../core/cnn/config.js";
import type { Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";

export const TARGET_COLUMN: Readonly<Record<TaskName, string>> = { c: "c_gkg", om: "om_gkg" };

/** The target's column; refuses samples without it, naming the option. */
export function requireTargetColumn(samples: Table, target: TaskName): string {
  const col = TARGET_COLUMN[target];
  if (!samples[col]) throw new StepInputError(`samples has no column "${col}" for option target=${target}`);
  return col;
}
