/** Column readers that report a missing or ill-typed input column as a StepInputError. */
import type { Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";

export function textColumn(t: Table, name: string): (string | null)[] {
  const c = t[name];
  if (!Array.isArray(c)) throw new StepInputError(`column "${name}" is ${c === undefined ? "missing" : "not text"}`);
  return c as (string | null)[];
}

/** A numeric column; when `required` is false a missing column reads as all-NaN (lat, lon, depth). */
export function numberColumn(t: Table, name: string, n: number, required = true): Float64Array {
  const c = t[name];
  if (c === undefined && !required) return new Float64Array(n).fill(NaN);
  if (!(c instanceof Float64Array)) throw new StepInputError(`column "${name}" is ${c === undefined ? "missing" : "not numeric"}`);
  return c;
}

export function flagColumn(t: Table, name: string): (boolean | null)[] | undefined {
  const c = t[name];
  if (c === undefined) return undefined;
  if (!Array.isArray(c)) throw new StepInputError(`column "${name}" is not a flag column`);
  return c as (boolean | null)[];
}
