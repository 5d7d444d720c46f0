/**
 * What `impute.hybrid` hands to buildHybrid (src/core/impute/hybrid.ts), read from its inputs:
 * the samples to complete, their measured values and QC rejections, and each target's model
 * predictions aligned to the samples with their interval level.
 */
import { alignPredictions, TARGETS, type AlignedPredictions, type Target } from "../../core/impute/hybrid.js";
import { tableRowCount, type Table } from "../../core/table.js";
import { StepInputError, type StepInputs } from "../../engine/step.js";
import { pickInput } from "../shared/spectra-io.js";
import { flagColumn, numberColumn, textColumn } from "./columns.js";
import type { HybridStepOptions } from "./hybrid-options.js";

/**
 * The samples to complete: the step named by `samples_from`, the only input with samples, or —
 * when several have them — the only one that went through QC (has `exclude_train`).
 */
export async function resolveSamples(inputs: StepInputs, from: string | undefined): Promise<{ step: string; table: Table }> {
  const cands = inputs.findAll("samples");
  if (from !== undefined || cands.length <= 1) {
    const a = pickInput(inputs, "samples", [], from, "samples_from");
    return { step: a.step, table: await a.table("samples") };
  }
  const tables = await Promise.all(cands.map(async (a) => ({ step: a.step, table: await a.table("samples") })));
  const qcd = tables.filter((t) => t.table.exclude_train !== undefined);
  if (qcd.length === 1) return qcd[0]!;
  throw new StepInputError(
    `several inputs have samples (${cands.map((a) => a.step).join(", ")}): set option samples_from to the one to use`,
  );
}

/**
 * Ids, measured values, QC flags, and the QC rejection per sample: its `spectral_outlier` flag,
 * or its `exclude_train` flag when the samples have no such column.
 */
export function sampleInputs(samples: Table) {
  const n = tableRowCount(samples);
  const ids = textColumn(samples, "sample_id");
  const measured = { c: numberColumn(samples, "c_gkg", n), om: numberColumn(samples, "om_gkg", n) };
  const qcFlags = samples.qc_flags ? textColumn(samples, "qc_flags") : new Array<string | null>(n).fill(null);
  const outlier = flagColumn(samples, "spectral_outlier");
  const exclude = flagColumn(samples, "exclude_train");
  const qcReject = ids.map((_, i) =>
    outlier
      ? outlier[i] === true
        ? "spectrum failed QC (spectral_outlier)"
        : null
      : exclude?.[i] === true
        ? "excluded by QC (exclude_train)"
        : null,
  );
  return { n, ids, measured, qcFlags, qcReject };
}

/** Each target's predictions from the step named in `models`, aligned to `ids`, and its level (model_meta.pi_level, else option pi_level). */
export async function modelPredictions(inputs: StepInputs, ids: readonly (string | null)[], o: HybridStepOptions) {
  const predictions: Partial<Record<Target, AlignedPredictions>> = {};
  const levels: Partial<Record<Target, number>> = {};
  for (const t of TARGETS) {
    const name = o.models[t];
    if (name === undefined) continue;
    const input = inputs.all.find((a) => a.step === name);
    if (!input) {
      throw new StepInputError(`option models.${t}: step "${name}" is not among needs (${inputs.all.map((a) => a.step).join(", ")})`);
    }
    if (!input.has("predictions")) throw new StepInputError(`option models.${t}: step "${name}" has no predictions table`);
    const table = await input.table("predictions");
    if (!(table.target as (string | null)[]).includes(t)) {
      throw new StepInputError(`option models.${t}: step "${name}" did not predict target ${t}`);
    }
    predictions[t] = alignPredictions(ids, table, t, name);
    levels[t] = o.pi_level;
    if (input.has("model_meta")) {
      const meta = await input.json<{ pi_level?: unknown }>("model_meta");
      if (typeof meta?.pi_level === "number") levels[t] = meta.pi_level;
    }
  }
  return { predictions, levels };
}
