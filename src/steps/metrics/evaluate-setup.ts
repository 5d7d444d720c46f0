/**
 * What `metrics.evaluate` scores, read from each model input: its predictions with impossible
 * observed values set aside (src/core/chemometrics/physical-range.ts), its model name and its
 * interval level.
 */
import { withoutImpossibleObserved } from "../../core/chemometrics/physical-range.js";
import type { Table } from "../../core/table.js";
import type { InputArtifact } from "../../engine/step.js";
import { toPhysicalRange } from "../shared/range-option.js";
import type { EvaluateOptions } from "./evaluate-options.js";

/** One model input, ready to score. */
export interface ModelInput {
  pred: Table;
  model: string;
  level: number;
}

/** A number column, or NaN throughout when the table lacks it. */
export function column(t: Table, name: string, n: number): Float64Array {
  const c = t[name];
  return c instanceof Float64Array ? c : new Float64Array(n).fill(NaN);
}

/**
 * The input's predictions without impossible observed values (how many were set aside, per
 * target), and its level and model name: model_meta's `pi_level` and `model` when it declares
 * them ("cnn", "cnn-multitask", "plsr"), else option `pi_level` and the step type.
 */
export async function readModelInput(input: InputArtifact, o: EvaluateOptions): Promise<ModelInput & { setAside: Record<string, number> }> {
  const raw = await input.table("predictions");
  const clean = withoutImpossibleObserved(
    raw.target as (string | null)[],
    column(raw, "observed", (raw.target as unknown[]).length),
    toPhysicalRange(o.range),
  );
  let level = o.pi_level;
  let model = input.type;
  if (input.has("model_meta")) {
    const meta = await input.json<{ pi_level?: unknown; model?: unknown }>("model_meta");
    if (typeof meta?.pi_level === "number" && meta.pi_level > 0 && meta.pi_level < 1) level = meta.pi_level;
    if (typeof meta?.model === "string" && meta.model) model = meta.model;
  }
  return { pred: { ...raw, observed: clean.observed }, model, level, setAside: clean.setAside };
}
