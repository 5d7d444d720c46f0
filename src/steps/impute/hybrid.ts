/**
 * `impute.hybrid`: the hybrid dataset of measured and predicted C and OM
 * (src/core/impute/hybrid.ts for the rules), its coverage tables and, on synthetic data, the
 * score of the imputed values against the truth.
 *
 * Inputs: one with `samples` (option `samples_from` when several inputs have one; without it
 * the single candidate with an `exclude_train` column, i.e. the QC'd version, is used), the
 * model steps named in `models` (their `predictions`), and optionally one with `truth`.
 * A sample's prediction is rejected for QC when its `spectral_outlier` flag is true (or, when
 * the samples have no such column, its `exclude_train` flag).
 *
 * Outputs: `hybrid` (table, long: one row per sample id and target, with the sample's source,
 * depth, lat/lon and lab method), `hybrid_wide` (one row per sample id, C and OM side by side;
 * src/core/impute/layout.ts), `coverage`, `pairs` (src/core/impute/coverage.ts), json
 * `hybrid_meta` (models, counts, interval levels — what the export sidecar needs) and, with
 * truth, metric rows (model "impute-truth", split "missing-truth", both scales, overall / per
 * source / per depth band) scoring `value` on the samples whose measurement was missing.
 */
import { z } from "zod";
import { hybridCoverage, hybridPairs } from "../../core/impute/coverage.js";
import { alignPredictions, buildHybrid, TARGETS, type AlignedPredictions, type Target } from "../../core/impute/hybrid.js";
import type { MetricRow } from "../../contracts/metrics.js";
import { metricRows } from "../../core/stats/metric-rows.js";
import { tableRowCount, type Table } from "../../core/table.js";
import { flagColumn, numberColumn, textColumn } from "./columns.js";
import { defineStep, StepInputError, type StepInputs } from "../../engine/step.js";
import { hybridDescription } from "../../core/impute/sidecar.js";
import { hybridLong, hybridWide } from "../../core/impute/layout.js";
import { pickInput } from "../shared/spectra-io.js";

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

/**
 * The samples to complete: the step named by `samples_from`, the only input with samples, or —
 * when several have them — the only one that went through QC (has `exclude_train`).
 */
async function resolveSamples(inputs: StepInputs, from: string | undefined): Promise<{ step: string; table: Table }> {
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

export const hybridStep = defineStep({
  type: "impute.hybrid",
  version: 2,
  description: "Hybrid dataset of measured and predicted C/OM with intervals, flags and coverage",
  options: hybridOptions,
  outputs: ["hybrid", "hybrid_columns", "hybrid_wide", "hybrid_wide_columns", "coverage", "pairs", "hybrid_meta", "metrics"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const { step: samplesStep, table: samples } = await resolveSamples(inputs, o.samples_from);
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

    const {
      table: core,
      rows: sampleRows,
      counts,
      setAside,
    } = buildHybrid({ sampleId: ids, measured, qcFlags, qcReject, predictions }, { rejectOutOfDomain: o.reject_out_of_domain });
    // row k of each target is sample sampleRows[k] (duplicated ids collapsed to their first sample)
    const k = sampleRows.length;
    const pickNum = (a: Float64Array) => Float64Array.from(sampleRows, (i) => a[i]!);
    const source = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
    const groups = {
      source: Array.from(sampleRows, (i) => source[i] ?? null),
      depthTop: pickNum(numberColumn(samples, "depth_top_cm", n, false)),
      lat: pickNum(numberColumn(samples, "lat", n, false)),
      lon: pickNum(numberColumn(samples, "lon", n, false)),
    };
    const hybrid = hybridLong(core, samples, sampleRows);
    await ctx.outputs.table("hybrid", hybrid);
    await ctx.outputs.table("hybrid_wide", hybridWide(hybrid));
    await ctx.outputs.table("coverage", hybridCoverage(hybrid, groups, { cellDeg: o.cell_deg }));
    await ctx.outputs.table("pairs", hybridPairs(hybrid, groups, { cellDeg: o.cell_deg }));

    const truthInputs = inputs.findAll("truth");
    if (truthInputs.length > 1) {
      throw new StepInputError(`several inputs have truth (${truthInputs.map((a) => a.step).join(", ")}): keep one in needs`);
    }
    let scored = 0;
    if (truthInputs.length === 1) {
      const truth = await truthInputs[0]!.table("truth");
      const tIds = textColumn(truth, "sample_id");
      const rowOf = new Map<string, number>();
      tIds.forEach((id, r) => id !== null && !rowOf.has(id) && rowOf.set(id, r));
      const rows: MetricRow[] = [];
      const origin = hybrid.origin as string[];
      const value = hybrid.value as Float64Array;
      const lo = hybrid.pi_low as Float64Array;
      const hi = hybrid.pi_high as Float64Array;
      TARGETS.forEach((t, ti) => {
        const trueCol = numberColumn(truth, t === "c" ? "c_true_gkg" : "om_true_gkg", tIds.length);
        const idx: number[] = [];
        const truthVal: number[] = [];
        for (let j = 0; j < k; j++) {
          const id = ids[sampleRows[j]!];
          const r = id === null || id === undefined ? undefined : rowOf.get(id);
          if (origin[ti * k + j] !== "predicted" || r === undefined || Number.isNaN(trueCol[r]!)) continue;
          idx.push(j);
          truthVal.push(trueCol[r]!);
        }
        if (idx.length === 0) return;
        scored += idx.length;
        const pick = (a: Float64Array) => Float64Array.from(idx, (j) => a[ti * k + j]!);
        rows.push(
          ...metricRows({
            step: ctx.name,
            model: "impute-truth",
            target: t,
            split: "missing-truth",
            observed: Float64Array.from(truthVal),
            predicted: pick(value),
            low: pick(lo),
            high: pick(hi),
            level: levels[t] ?? o.pi_level,
            source: idx.map((i) => groups.source[i] ?? null),
            depthTop: Float64Array.from(idx, (i) => groups.depthTop[i]!),
          }),
        );
      });
      await ctx.metrics(rows);
    }

    const about = { models: o.models, piLevel: levels, counts, setAside };
    await ctx.outputs.json("hybrid_columns", hybridDescription(about));
    await ctx.outputs.json("hybrid_wide_columns", hybridDescription(about, "wide"));
    await ctx.outputs.json("hybrid_meta", {
      samples_from: samplesStep,
      models: o.models,
      pi_level: levels,
      counts,
      set_aside: setAside,
      n_samples: n,
      n_ids: k,
      reject_out_of_domain: o.reject_out_of_domain,
      cell_deg: o.cell_deg,
      truth_scored: truthInputs.length === 1 ? scored : null,
    });
    ctx.record({
      hybrid_samples: n,
      ...Object.fromEntries(TARGETS.flatMap((t) => Object.entries(counts[t]).map(([k, v]) => [`hybrid_${t}_${k}`, v]))),
    });
    const asideText = (t: Target) => {
      const e = Object.entries(setAside[t]);
      return e.length ? ` (${e.reduce((a, [, v]) => a + v, 0)} measured set aside: ${e.map(([c, v]) => `${v} ${c}`).join(", ")})` : "";
    };
    ctx.log(
      TARGETS.map(
        (t) => `${t}: ${counts[t].measured} measured, ${counts[t].predicted} predicted, ${counts[t].rejected} rejected${asideText(t)}`,
      ).join("; "),
    );
  },
});
