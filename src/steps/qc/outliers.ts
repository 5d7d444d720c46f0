/**
 * qc.outliers — flags samples whose spectra or lab values cannot be trusted.
 * Spectra (preprocessed, one grid): scan defects (flat/saturated/spike, from this step and
 * from spectra.preprocess's `preprocess_log` when an input has it), robust PCA Hotelling T²
 * and Q residual beyond their limits. Targets: physical range (negative, C > 580, OM > 1000,
 * OM < C), duplicate ids, unit mistakes (value ≥ `unitCheck.ratio`x off against a ridge model
 * of log1p(value) on PCA scores fitted on the clean samples). A per-source distribution rule
 * (median C < 1.5 and 90th percentile < 6 → the source looks like % not g/kg) is reported in
 * `qc_summary` and the log, not as sample flags (fix it with harmonize.targets `units`).
 * exclude_train = any flag except `t2` alone (an extreme but well-modelled spectrum, e.g. an
 * organic soil, is real soil variation).
 */
import { z } from "zod";
import { defineStep, StepInputError } from "../../engine/step.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { matrixScanDefects } from "../../core/spectra/scan-defects.js";
import { robustPcaOutliers } from "../../core/chemometrics/robust-pca-outliers.js";
import { matrixPca, pcaProject } from "../../core/chemometrics/matrix-pca.js";
import { matrixRidge, ridgePredict } from "../../core/chemometrics/ridge-regression.js";
import { physicalRangeViolations } from "../../core/chemometrics/physical-range.js";
import { unitSuspects } from "../../core/chemometrics/unit-suspects.js";
import { defectScores } from "../../core/chemometrics/defect-scores.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { pickInput, subsampleIndices } from "../spectra/step-io.js";

export const outliersOptions = z.strictObject({
  /** PCA components; default by varianceExplained (capped by maxComponents). */
  components: z.number().int().min(1).optional(),
  varianceExplained: z.number().gt(0).max(1).default(0.99),
  maxComponents: z.number().int().min(1).default(10),
  /**
   * T² beyond its limit: `report` (default) counts it in qc_summary as `t2_extreme` only — an extreme
   * but well-modelled spectrum (e.g. an organic soil) is real variation; `flag` also adds `t2` to
   * qc_flags and spectral_outlier (never to exclude_train on its own).
   */
  t2: z.enum(["report", "flag"]).default("report"),
  /** Significance of the T² and Q limits. Default 0.001 (0.1 % of clean spectra flagged by chance). */
  alpha: z.number().gt(0).lt(0.5).default(0.001),
  qLimit: z.enum(["box", "jackson-mudholkar"]).default("box"),
  trimFraction: z.number().min(0).lt(0.5).default(0.1),
  range: z
    .strictObject({
      cMin: z.number().default(0),
      cMax: z.number().default(580),
      omMin: z.number().default(0),
      omMax: z.number().default(1000),
      omAtLeastC: z.boolean().default(true),
    })
    .default({ cMin: 0, cMax: 580, omMin: 0, omMax: 1000, omAtLeastC: true }),
  unitCheck: z
    .strictObject({
      enabled: z.boolean().default(true),
      ratio: z.number().gt(1).default(5),
      minSamples: z.number().int().min(10).default(30),
    })
    .default({ enabled: true, ratio: 5, minSamples: 30 }),
  scan: z
    .strictObject({
      saturationRun: z.number().int().min(2).default(5),
      spikeZ: z.number().positive().default(100),
      flatSdRatio: z.number().positive().default(0.05),
      flatRoughnessRatio: z.number().positive().default(8),
    })
    .default({ saturationRun: 5, spikeZ: 100, flatSdRatio: 0.05, flatRoughnessRatio: 8 }),
  maxScores: z.number().int().min(1).default(5000),
  seed: z.number().int().default(1),
  spectraFrom: z.string().optional(),
  samplesFrom: z.string().optional(),
});

function stack(blocks: readonly SpectraBlock[]): { values: Float32Array; p: number; source: string[]; ids: string[] } {
  const p = blocks[0]!.wavenumbers.length;
  for (const b of blocks) {
    const w = b.wavenumbers;
    const w0 = blocks[0]!.wavenumbers;
    if (w.length !== p || w.some((v, j) => Math.abs(v - w0[j]!) > 1e-6)) {
      throw new StepInputError(
        `source "${b.source}" is on a different grid than "${blocks[0]!.source}": qc.outliers needs spectra on one grid (run spectra.preprocess first)`,
      );
    }
  }
  const n = blocks.reduce((s, b) => s + b.ids.length, 0);
  const values = new Float32Array(n * p);
  const source: string[] = [];
  const ids: string[] = [];
  let off = 0;
  for (const b of blocks) {
    values.set(b.values, off * p);
    off += b.ids.length;
    for (const id of b.ids) {
      source.push(b.source);
      ids.push(id);
    }
  }
  return { values, p, source, ids };
}

export const qcOutliers = defineStep({
  type: "qc.outliers",
  version: 1,
  description: "Spectral (robust PCA T²/Q, scan defects) and target (range, units, duplicates) quality control.",
  options: outliersOptions,
  outputs: ["samples", "qc", "qc_summary", "pca_scores", "qc_limits"],
  source: import.meta.url,
  async run(ctx, inputs, o) {
    const specIn = pickInput(inputs, "spectra", ["harmonize.spectra", "spectra.preprocess"], o.spectraFrom, "spectraFrom");
    const sampIn = pickInput(inputs, "samples", ["harmonize.targets", "qc.outliers"], o.samplesFrom, "samplesFrom");
    const blocks = (await specIn.spectra("spectra")).filter((b) => b.ids.length > 0);
    const samples = await sampIn.table("samples");
    if (blocks.length === 0) throw new StepInputError(`input "${specIn.step}" has no spectra`);
    const nS = tableRowCount(samples);
    const sid = textColumn(samples, "sample_id");
    const ssrc = samples.source ? textColumn(samples, "source") : new Array<string | null>(nS).fill(null);
    const { values, p, source, ids } = stack(blocks);
    const n = ids.length;

    // scan defects: this step's, per source block, plus spectra.preprocess's native-grid ones
    const scan: string[][] = Array.from({ length: n }, () => []);
    let off = 0;
    for (const b of blocks) {
      const r = matrixScanDefects(b.values, { rows: b.ids.length, cols: p, ...o.scan });
      r.defects.forEach((d, i) => scan[off + i]!.push(...d));
      off += b.ids.length;
    }
    const logs = inputs.findAll("preprocess_log");
    if (logs.length) {
      const log = await logs[0]!.table("preprocess_log");
      if (log.defects) {
        const lid = textColumn(log, "sample_id");
        const ldef = textColumn(log, "defects");
        const map = new Map<string, string[]>();
        lid.forEach((id, i) => {
          if (id && ldef[i]) map.set(id, [...(map.get(id) ?? []), ...ldef[i]!.split(";")]);
        });
        ids.forEach((id, i) => {
          for (const d of map.get(id) ?? []) if (!scan[i]!.includes(d)) scan[i]!.push(d);
        });
      }
    }
    const excludeRows = scan.flatMap((d, i) => (d.length ? [i] : []));
    let pca;
    try {
      pca = robustPcaOutliers(values, {
        rows: n,
        cols: p,
        components: o.components,
        varianceExplained: o.varianceExplained,
        maxComponents: o.maxComponents,
        alpha: o.alpha,
        qLimit: o.qLimit,
        trimFraction: o.trimFraction,
        exclude: excludeRows,
      });
    } catch (e) {
      throw new StepInputError(`spectra from "${specIn.step}": ${(e as Error).message} (options components/maxComponents)`);
    }
    const k = pca.model.k;

    // sample row ↔ spectrum row by id (k-th occurrence ↔ k-th occurrence)
    const spectraRows = new Map<string, number[]>();
    ids.forEach((id, i) => spectraRows.set(id, [...(spectraRows.get(id) ?? []), i]));
    const used = new Map<string, number>();
    const rowOf = new Int32Array(nS).fill(-1);
    const idCount = new Map<string, number>();
    sid.forEach((id) => id !== null && idCount.set(id, (idCount.get(id) ?? 0) + 1));
    sid.forEach((id, i) => {
      if (id === null) return;
      const list = spectraRows.get(id);
      const u = used.get(id) ?? 0;
      if (list && list.length) {
        rowOf[i] = list[Math.min(u, list.length - 1)]!;
        used.set(id, u + 1);
      }
    });

    const reasons: string[][] = Array.from({ length: nS }, () => []);
    const t2Extreme = new Uint8Array(nS);
    const c = samples.c_gkg ? numberColumn(samples, "c_gkg") : new Float64Array(nS).fill(NaN);
    const om = samples.om_gkg ? numberColumn(samples, "om_gkg") : new Float64Array(nS).fill(NaN);
    const viol = physicalRangeViolations(c, om, o.range);
    for (let i = 0; i < nS; i++) {
      const r = reasons[i]!;
      const id = sid[i] ?? null;
      if (id === null) r.push("missing_id");
      else if ((idCount.get(id) ?? 0) > 1) r.push("duplicate_id");
      const row = rowOf[i]!;
      if (row < 0) r.push("no_spectrum");
      else {
        r.push(...scan[row]!);
        if (pca.q[row]! > pca.qLimit) r.push("q_residual");
        if (pca.t2[row]! > pca.t2Limit) {
          if (o.t2 === "flag") r.push("t2");
          else t2Extreme[i] = 1;
        }
      }
      r.push(...viol[i]!);
    }

    // unit check: linear spectral model of the value (Beer–Lambert: absorbance ~ linear in
    // composition) on PCA scores, fitted robustly on otherwise-clean samples
    const unitCounts: Record<string, number> = {};
    if (o.unitCheck.enabled) {
      const cleanSpec = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !scan[i]!.length && pca.q[i]! <= pca.qLimit);
      const kReg = Math.min(30, p, Math.floor(cleanSpec.length / 5));
      if (kReg >= 2) {
        const regModel = matrixPca(values, { rows: n, cols: p, subset: cleanSpec, components: kReg });
        const scores = pcaProject(values, { rows: n, cols: p }, regModel).scores;
        for (const [name, y] of [["c", c], ["om", om]] as const) {
          const train = Array.from({ length: nS }, (_, i) => i).filter(
            (i) => rowOf[i]! >= 0 && reasons[i]!.length === 0 && y[i]! >= 0 && Number.isFinite(y[i]!),
          );
          if (train.length < o.unitCheck.minSamples) {
            if (train.length) ctx.log(`unit check for ${name}: ${train.length} clean labelled samples < unitCheck.minSamples ${o.unitCheck.minSamples}, skipped`);
            continue;
          }
          const xs = new Float64Array(nS * kReg).fill(NaN);
          for (let i = 0; i < nS; i++) if (rowOf[i]! >= 0) xs.set(scores.subarray(rowOf[i]! * kReg, (rowOf[i]! + 1) * kReg), i * kReg);
          const ly = Float64Array.from(y, (v) => (v >= 0 ? v : NaN));
          let subset = train;
          let pred: Float64Array = new Float64Array(nS);
          for (let pass = 0; pass < 2; pass++) {
            const fit = matrixRidge(xs.map((v) => (Number.isFinite(v) ? v : 0)), ly.map((v) => (Number.isFinite(v) ? v : 0)), { rows: nS, cols: kReg, subset });
            pred = ridgePredict(xs.map((v) => (Number.isFinite(v) ? v : 0)), { rows: nS, cols: kReg }, fit);
            const res = subset.map((i) => Math.abs(ly[i]! - pred[i]!)).sort((a, b) => a - b);
            const cut = 4 * 1.4826 * res[Math.floor(res.length / 2)]!;
            subset = train.filter((i) => Math.abs(ly[i]! - pred[i]!) <= Math.max(cut, 1e-9));
          }
          const predG = Float64Array.from(pred, (v, i) => (rowOf[i]! >= 0 ? v : NaN));
          const flags = unitSuspects(y, predG, { ratio: o.unitCheck.ratio });
          for (let i = 0; i < nS; i++) {
            if (flags[i] && !reasons[i]!.some((r) => r.startsWith(`${name}_`))) {
              reasons[i]!.push(`${name}_unit_suspect`);
              unitCounts[name] = (unitCounts[name] ?? 0) + 1;
            }
          }
        }
      }
    }

    const spectralReasons = new Set(["flat", "saturated", "spike", "q_residual", "t2", "no_spectrum"]);
    const qcFlags = reasons.map((r) => (r.length ? r.join(";") : null));
    const spectralOutlier = reasons.map((r) => r.some((x) => spectralReasons.has(x) && x !== "no_spectrum"));
    const excludeTrain = reasons.map((r) => r.some((x) => x !== "t2"));
    const out: Table = { ...samples, qc_flags: qcFlags, spectral_outlier: spectralOutlier, exclude_train: excludeTrain };
    await ctx.outputs.table("samples", out);

    await ctx.outputs.table("qc", {
      sample_id: sid,
      source: ssrc,
      t2: Float64Array.from(rowOf, (r) => (r >= 0 ? pca.t2[r]! : NaN)),
      q: Float64Array.from(rowOf, (r) => (r >= 0 ? pca.q[r]! : NaN)),
      flags: qcFlags,
    });

    const summary = new Map<string, number>();
    reasons.forEach((r0, i) => {
      const r = t2Extreme[i] ? [...r0, "t2_extreme"] : r0;
      for (const x of r) summary.set(`${ssrc[i] ?? ""}\u0000${x}`, (summary.get(`${ssrc[i] ?? ""}\u0000${x}`) ?? 0) + 1);
    });
    // distribution rule: a source whose C looks like % (not g/kg)
    const bySource = new Map<string, number[]>();
    ssrc.forEach((s, i) => Number.isFinite(c[i]!) && c[i]! >= 0 && bySource.set(s ?? "", [...(bySource.get(s ?? "") ?? []), c[i]!]));
    for (const [s, vals] of bySource) {
      vals.sort((a, b) => a - b);
      if (vals.length >= 10 && vals[Math.floor(vals.length / 2)]! < 1.5 && vals[Math.floor(vals.length * 0.9)]! < 6) {
        summary.set(`${s}\u0000source_c_looks_percent`, vals.length);
        ctx.log(`source "${s}": C median ${vals[Math.floor(vals.length / 2)]} g/kg — looks like % not g/kg; set harmonize.targets option units`);
      }
    }
    const sumKeys = [...summary.keys()].sort();
    await ctx.outputs.table("qc_summary", {
      source: sumKeys.map((k) => k.split("\u0000")[0]!),
      reason: sumKeys.map((k) => k.split("\u0000")[1]!),
      count: Float64Array.from(sumKeys, (k) => summary.get(k)!),
    });

    const pick = subsampleIndices(n, o.maxScores, o.seed);
    await ctx.outputs.table("pca_scores", {
      sample_id: Array.from(pick, (i) => ids[i]!),
      source: Array.from(pick, (i) => source[i]!),
      pc1: Float64Array.from(pick, (i) => pca.scores[i * k]!),
      pc2: Float64Array.from(pick, (i) => (k > 1 ? pca.scores[i * k + 1]! : NaN)),
      stage: Array.from(pick, () => "qc"),
    });

    await ctx.outputs.json("qc_limits", { t2_limit: pca.t2Limit, q_limit: pca.qLimit, alpha: o.alpha, components: k, q_formula: o.qLimit, fit_rows: pca.fitRows.length });
    const facts: Record<string, number> = {
      qc_components: k,
      qc_explained: pca.model.explained,
      qc_t2_limit: pca.t2Limit,
      qc_q_limit: pca.qLimit,
      qc_flagged: qcFlags.filter((f) => f !== null).length,
      qc_excluded: excludeTrain.filter(Boolean).length,
    };
    const truthIn = inputs.findAll("truth");
    if (truthIn.length) {
      const truth = await truthIn[0]!.table("truth", ["sample_id", "defect"]);
      const s = defectScores(
        { sampleId: sid, flagged: qcFlags.map((f) => f !== null) },
        { sampleId: textColumn(truth, "sample_id"), defect: textColumn(truth, "defect") },
      );
      facts.qc_precision = s.precision;
      facts.qc_recall = s.recall;
      ctx.log(`vs truth: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${Object.entries(s.byDefect).map(([d, e]) => `${d} ${e.found}/${e.total}`).join(", ")})`);
    }
    ctx.record(facts);
    ctx.log(`PCA k=${k} (${(100 * pca.model.explained).toFixed(1)} %), T² limit ${pca.t2Limit.toFixed(2)}, Q limit ${pca.qLimit.toPrecision(4)}; ${facts.qc_flagged} of ${nS} flagged`);
  },
});
