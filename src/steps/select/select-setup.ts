/**
 * What `model.select` hands to nested CV (src/core/select/nested-cv.ts), built from its inputs
 * and options: the target column, the preprocessing variants (absorbance first, then each
 * variant), the labelled rows, the outer folds, and the candidates; and the samples' identity
 * columns for `predictions`. Each refusal names the option and what to do.
 */
import { requireTargetColumn } from "../shared/target-column.js";
import type { Candidate, ExternalFitter, ModelSpec, VariantInput } from "../../core/select/nested-cv.js";
import { spectraVariant } from "../../core/select/spectra-variant.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { xAbsorbance } from "../../core/spectra/x-absorbance.js";
import { assignFolds, foldsFromValues } from "../../core/stats/folds.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";
import type { SpectraMatrix } from "../shared/spectra-matrix.js";
import type { SelectOptions } from "./select-options.js";
import type { SampleColumns } from "./select-outputs.js";

/** The samples' row count, ids and target values; refuses samples without the target's column. */
export function targetColumns(samples: Table, o: SelectOptions) {
  const n = tableRowCount(samples);
  const col = requireTargetColumn(samples, o.target);
  return { n, ids: textColumn(samples, "sample_id"), value: numberColumn(samples, col) };
}

/**
 * The target per matrix row (y), the labelled rows (finite, non-negative: they take part in
 * the outer CV), the unlabelled ones (non-finite: predicted by the final model) and the count
 * of negative targets (labelled but left out). Refuses fewer labelled rows than nested CV needs.
 */
export function labelledRows(sm: SpectraMatrix, value: Float64Array, o: SelectOptions) {
  const m = sm.sampleRow.length;
  const y = Float64Array.from(sm.sampleRow, (i) => value[i]!);
  const labelled = Array.from({ length: m }, (_, k) => k).filter((k) => Number.isFinite(y[k]!) && y[k]! >= 0);
  const negatives = Array.from(y).filter((v) => v < 0).length;
  if (labelled.length < 2 * (o.inner_folds + 2)) {
    throw new StepInputError(
      `only ${labelled.length} labelled ${o.target} samples with a usable spectrum; nested CV needs at least ${2 * (o.inner_folds + 2)}`,
    );
  }
  const unlabelled = Int32Array.from(Array.from({ length: m }, (_, k) => k).filter((k) => !Number.isFinite(y[k]!)));
  return { y, labelled, unlabelled, negatives };
}

/** The samples' identity columns for `predictions` (source null, depth NaN where the column is absent). */
export function sampleColumns(samples: Table, ids: readonly (string | null)[], n: number): SampleColumns {
  return {
    ids,
    sources: samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null),
    depth: samples.depth_top_cm ? numberColumn(samples, "depth_top_cm") : new Float64Array(n).fill(NaN),
  };
}

/** Every variant of the spectra, as absorbance (reflectance is converted here: log10(1/R), log10(100/R%)). */
export function variantInputs(blocks: readonly SpectraBlock[], sm: SpectraMatrix, o: SelectOptions): VariantInput[] {
  const units = new Set(blocks.map((b) => b.unit));
  if (units.size !== 1) throw new StepInputError(`spectra blocks mix units (${[...units].join(", ")}): run spectra.preprocess first`);
  const unit = blocks[0]!.unit;
  const m = sm.sampleRow.length;
  const q = sm.wavenumbers.length;
  const abs = new Float32Array(m * q);
  let nonpositive = 0;
  for (let k = 0; k < m; k++) {
    const a = xAbsorbance(sm.values.subarray(k * q, (k + 1) * q), { unit });
    nonpositive += a.nonpositive;
    abs.set(a.values, k * q);
  }
  if (nonpositive > 0)
    throw new StepInputError(`${nonpositive} reflectance values ≤ 0 cannot become absorbance: repair them (spectra.preprocess) first`);
  const names = Object.keys(o.variants);
  if (names.length === 0) throw new StepInputError("option variants: list at least one preprocessing variant");
  return names.map((name) => {
    try {
      const r = spectraVariant(abs, sm.wavenumbers, o.variants[name]!);
      if (r.failed > 0) throw new RangeError(`${r.failed} spectra are flat and cannot be normalized`);
      return { name, x: r.x, p: r.p };
    } catch (e) {
      throw new StepInputError(`option variants.${name}: ${(e as Error).message}`);
    }
  });
}

/**
 * Outer fold per matrix row (−1 = not in the outer CV) and the folds' labels: from the samples
 * column `folds_from`, else `folds` equal folds keyed by sample id (src/core/stats/folds.ts),
 * independent of row order.
 */
export function outerFolds(
  samples: Table,
  ids: readonly (string | null)[],
  sm: SpectraMatrix,
  labelled: readonly number[],
  o: SelectOptions,
): { outer: Int32Array; labels: string[] } {
  const outer = new Int32Array(sm.sampleRow.length).fill(-1);
  if (o.folds_from === undefined) {
    const f = assignFolds(
      labelled.map((k) => ids[sm.sampleRow[k]!] ?? `row-${k}`),
      { folds: o.folds, seed: o.split_seed },
    );
    labelled.forEach((k, r) => (outer[k] = f[r]!));
    return { outer, labels: Array.from({ length: o.folds }, (_, i) => String(i + 1)) };
  }
  const c = samples[o.folds_from];
  if (!c)
    throw new StepInputError(
      `option folds_from: samples has no column "${o.folds_from}" (columns: ${Object.keys(samples).join(", ")}); carry it from the input file (ingest.table keep_columns)`,
    );
  const raw = labelled.map((k) => (c as ArrayLike<string | number | null>)[sm.sampleRow[k]!] ?? null);
  const got = foldsFromValues(raw);
  if ("missingRow" in got) {
    const i = sm.sampleRow[labelled[got.missingRow]!]!;
    throw new StepInputError(`option folds_from: sample "${ids[i]}" (samples row ${i + 1}) has no value in column "${o.folds_from}"`);
  }
  if (got.labels.length < 2)
    throw new StepInputError(
      `option folds_from: column "${o.folds_from}" holds ${got.labels.length} distinct value(s); nested CV needs at least 2 folds`,
    );
  labelled.forEach((k, r) => (outer[k] = got.fold[r]!));
  return { outer, labels: got.labels };
}

/**
 * Every variant × family × target scale (the CNN fits log1p only), then the stacks. A stack's
 * families must be listed in `models`.
 */
export function candidatesOf(names: readonly string[], o: SelectOptions, fitter: ExternalFitter | null): Candidate[] {
  const out: Candidate[] = [];
  const model = (family: "plsr" | "mbl" | "cnn"): ModelSpec =>
    family === "plsr"
      ? { family, maxComponents: o.max_components }
      : family === "cnn"
        ? { family, fitter: fitter! }
        : {
            family,
            options: {
              k: o.mbl.k,
              nnvTargets: o.mbl.nnv_targets,
              minComponents: o.mbl.min_components,
              maxComponents: o.mbl.max_components,
            },
          };
  const unknown = (o.cnn.variants ?? []).filter((v) => !names.includes(v));
  if (unknown.length) throw new StepInputError(`option cnn.variants: ${unknown.join(", ")} not in option variants (${names.join(", ")})`);
  names.forEach((name, vi) => {
    for (const family of o.models) {
      if (family === "cnn" && o.cnn.variants && !o.cnn.variants.includes(name)) continue;
      for (const t of family === "cnn" ? (["log1p"] as const) : o.targets) {
        out.push({ name: `${name} · ${family} · ${t}`, variant: vi, model: model(family), target: t === "gkg" ? "identity" : "log1p" });
      }
    }
  });
  o.stacks.forEach((families, k) => {
    const missing = families.filter((f) => !o.models.includes(f));
    if (missing.length)
      throw new StepInputError(`option stacks[${k}]: ${missing.join(", ")} not in option models (${o.models.join(", ")}): add it there`);
    out.push({ name: `stack(${families.join("+")})`, stack: families });
  });
  return out;
}

/** The CNN's fitter, and a check that its net fits every variant at the smallest and largest fitting sizes (the tier sets the net). */
export async function cnnFitterFor(
  o: SelectOptions,
  variants: readonly VariantInput[],
  nLabelled: number,
  threads: number,
): Promise<ExternalFitter | null> {
  if (!o.models.includes("cnn")) return null;
  const rt = await import("../../runtime/cnn/fit-predict.js");
  for (const v of variants) {
    if (o.cnn.variants && !o.cnn.variants.includes(v.name)) continue;
    for (const nFit of [Math.floor((nLabelled / 2) * (1 - 1 / o.inner_folds)), nLabelled]) {
      const problem = rt.cnnInputProblem(v.p, nFit, o.target);
      if (problem)
        throw new StepInputError(`option variants.${v.name} with models: cnn: ${problem}; use a finer resolution or leave cnn out`);
    }
  }
  return rt.cnnFitter({
    task: o.target,
    seed: o.cnn.seed,
    ...(o.cnn.members !== undefined ? { members: o.cnn.members } : {}),
    ...(o.cnn.epochs !== undefined ? { epochs: o.cnn.epochs } : {}),
    backend: o.cnn.backend,
    available: threads,
  });
}
