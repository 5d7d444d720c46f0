/**
 * What `cnn.predict` needs before it predicts, read from its inputs (tf-free): the checked
 * model_meta, the uncertainty settings the core takes, and the optional samples' row lookup
 * with the split the training run assigned each labelled sample.
 */
import type { TaskName } from "../../core/cnn/config.js";
import type { UncertaintyMeta } from "../../core/cnn/predict.js";
import { textColumn, type Table } from "../../core/table.js";
import { StepInputError, type InputArtifact } from "../../engine/step.js";
import { splitSamples } from "../shared/split-options.js";
import type { CnnModelMeta } from "./predict-options.js";

/** The model input's model_meta; refuses anything cnn.train did not write. */
export async function readModelMeta(modelInput: InputArtifact): Promise<CnnModelMeta> {
  const meta = await modelInput.json<CnnModelMeta>("model_meta");
  if (meta.format !== "somflow-cnn/1") {
    throw new StepInputError(`input "${modelInput.step}" model_meta is not a cnn.train model (format ${meta.format})`);
  }
  return meta;
}

/** The stored conformal quantiles, level and domain model, as the core's UncertaintyMeta. */
export function uncertaintyMeta(meta: CnnModelMeta, tasks: readonly TaskName[]): UncertaintyMeta {
  const q: UncertaintyMeta["q"] = {};
  for (const t of tasks) {
    const v = meta.conformal.quantile[t];
    if (v !== undefined && v !== null) q[t] = v;
  }
  // JSON has no Infinity: an unbounded interval was stored as null → keep it unbounded.
  for (const t of tasks) if (meta.conformal.quantile[t] === null) q[t] = Infinity;
  return { level: meta.pi_level, q, domain: meta.domain };
}

/** The optional samples table, the first row of each sample id, and each row's training split. */
export interface SampleLookup {
  samples: Table | null;
  rowOf: Map<string, number>;
  splitOf: string[] | null;
}

/** Sample ids → rows and the training split, re-derived from the split options in model_meta. */
export function sampleLookup(samples: Table | null, meta: CnnModelMeta): SampleLookup {
  const rowOf = new Map<string, number>();
  let splitOf: string[] | null = null;
  if (samples) {
    const ids = textColumn(samples, "sample_id");
    ids.forEach((id, i) => id !== null && !rowOf.has(id) && rowOf.set(id, i));
    splitOf = splitSamples(samples, { cellDeg: 1, ...meta.split });
  }
  return { samples, rowOf, splitOf };
}
