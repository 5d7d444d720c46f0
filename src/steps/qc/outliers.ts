/**
 * qc.outliers — flags samples whose spectra or lab values cannot be trusted.
 * Spectra (preprocessed, one grid): scan defects (flat/saturated/spike, from this step and
 * from spectra.preprocess's `preprocess_log` when an input has it), robust PCA Hotelling T²
 * and Q residual beyond their limits. The Q limit is robust on the log scale (`q_limit:
 * robust-log`, median + q_z·MAD of ln Q), per source (`limits_by`) and per soil class: organic
 * soils (lab C ≥ `organic_c_gkg`) get limits from organic soils only. On a library of several
 * instruments one pooled χ²-moment limit flagged whole sources (a tenth of a clay/iron-rich
 * source); one limit per source flagged the organic-soil tail or missed wet mineral samples.
 * Targets: physical range (DEFAULT_PHYSICAL_RANGE: negative, C > 580, OM > 1000, OM < C),
 * duplicate ids, unit mistakes (value ≥ `unit_check.ratio`x off a ridge model of log1p(value)
 * on PCA scores plus source and lab-method offsets, fitted on the clean samples; predictions
 * clamped to the physical range, since beyond it they are extrapolations).
 *
 * What counts as a defect (the synthetic truth list, scored by `defectScores`): a scan that is
 * flat, saturated or spiked; a wet sample (`water`); an id used twice; a physically impossible
 * value (C < 0, OM < C); a value reported in % in a g/kg column. Not defects: organic soils,
 * unusual mineralogy, an instrument's own offsets, lab-method bias (Walkley–Black, LOI) — the
 * flags on those are the false positives. A % mix-up on a sample below ~5 g/kg C leaves a
 * value (< 0.5 g/kg) no spectral model tells from a real low-C subsoil: those are missed, and
 * real soils below ~1 g/kg are the false unit flags. A per-source distribution rule
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
import { qLimitRobustLog } from "../../core/chemometrics/pca-limits.js";
import { matrixPca, pcaProject } from "../../core/chemometrics/matrix-pca.js";
import { matrixRidge, ridgePredict } from "../../core/chemometrics/ridge-regression.js";
import { physicalRangeViolations, VAN_BEMMELEN } from "../../core/chemometrics/physical-range.js";
import { physicalRangeOption, toPhysicalRange } from "../shared/range-option.js";
import { unitSuspects } from "../../core/chemometrics/unit-suspects.js";
import { defectScores } from "../../core/chemometrics/defect-scores.js";
import { xQuantileType7 } from "../../core/stats/quantile.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { pickInput, subsampleIndices } from "../shared/spectra-io.js";

export const outliersOptions = z.strictObject({
  /** PCA components; default by variance_explained (capped by max_components). */
  components: z.number().int().min(1).optional(),
  variance_explained: z.number().gt(0).max(1).default(0.99),
  max_components: z.number().int().min(1).default(10),
  /**
   * T² beyond its limit: `report` (default) counts it in qc_summary as `t2_extreme` only — an extreme
   * but well-modelled spectrum (e.g. an organic soil) is real variation; `flag` also adds `t2` to
   * qc_flags and spectral_outlier (never to exclude_train on its own).
   */
  t2: z.enum(["report", "flag"]).default("report"),
  /** Significance of the T² and Q limits. Default 0.001 (0.1 % of clean spectra flagged by chance). */
  alpha: z.number().gt(0).lt(0.5).default(0.001),
  /**
   * Q limit: `robust-log` (default): exp(median + q_z·MAD of ln Q), per source when
   * `limits_by: source`; `box` / `jackson-mudholkar`: the classical formulas at `alpha` on the
   * robust fit set (pooled only).
   */
  q_limit: z.enum(["robust-log", "box", "jackson-mudholkar"]).default("robust-log"),
  /**
   * Robust z of the `robust-log` Q limit. Default 3.5 (≈ 2·10⁻⁴ of clean spectra under
   * log-normality). With organic soils judged apart (`organic_c_gkg`), clean mineral spectra of
   * the demo library stay below z ≈ 2.9, and z = 4 missed wet samples at z 3.2–3.9.
   */
  q_z: z.number().positive().default(3.5),
  /**
   * `source` (default): the Q limit of each source from its own spectra (every instrument has its
   * own noise and distortions, and one library's sources differ in mineralogy); sources with
   * fewer than 20 spectra use the pooled limit. `pooled`: one limit for all.
   */
  limits_by: z.enum(["source", "pooled"]).default("source"),
  /**
   * Lab C (g/kg; OM/1.724 where C is missing) from which a sample counts as an organic soil and
   * is judged by Q limits fitted on organic soils only (per source with ≥ 20 of them, else pooled
   * over sources; fewer than 20 in all: the pooled limit). 120 g/kg = 12 % organic C, the lower
   * bound of organic soil material (USDA Soil Taxonomy; WRB Histosols need 20 %). null = one class.
   */
  organic_c_gkg: z.number().positive().nullable().default(120),
  trim_fraction: z.number().min(0).lt(0.5).default(0.1),
  range: physicalRangeOption,
  unit_check: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Flag at ≥ ratio× off the spectral model (unitSuspects). Default 4: on the synthetic
       * library (n = 800–8,000, three seeds) 5 missed half the %-for-g/kg mistakes, 4 found
       * 95–99 % of all defects at n ≥ 3,000 with precision 0.926–0.946; the false flags it adds
       * are soils below ~1 g/kg C, which a flag keeps in the data and out of training only.
       */
      ratio: z.number().gt(1).default(4),
      min_samples: z.number().int().min(10).default(30),
      /** PCA components (of the clean spectra) the spectral model of log1p(value) uses. Default 30. */
      components: z.number().int().min(2).default(30),
    })
    .default({ enabled: true, ratio: 4, min_samples: 30, components: 30 }),
  scan: z
    .strictObject({
      saturation_run: z.number().int().min(2).default(5),
      spike_z: z.number().positive().default(100),
      flat_sd_ratio: z.number().positive().default(0.05),
      flat_roughness_ratio: z.number().positive().default(8),
    })
    .default({ saturation_run: 5, spike_z: 100, flat_sd_ratio: 0.05, flat_roughness_ratio: 8 }),
  max_scores: z.number().int().min(1).default(5000),
  seed: z.number().int().default(1),
  spectra_from: z.string().optional(),
  samples_from: z.string().optional(),
});

/** Fewest clean spectra from which a class or source gets a Q limit of its own. */
const MIN_LIMIT_ROWS = 20;

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
    const specIn = pickInput(inputs, "spectra", ["harmonize.spectra", "spectra.preprocess"], o.spectra_from, "spectra_from");
    const sampIn = pickInput(inputs, "samples", ["harmonize.targets", "qc.outliers"], o.samples_from, "samples_from");
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
      const r = matrixScanDefects(b.values, {
        rows: b.ids.length,
        cols: p,
        saturationRun: o.scan.saturation_run,
        spikeZ: o.scan.spike_z,
        flatSdRatio: o.scan.flat_sd_ratio,
        flatRoughnessRatio: o.scan.flat_roughness_ratio,
      });
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
        varianceExplained: o.variance_explained,
        maxComponents: o.max_components,
        alpha: o.alpha,
        qLimit: o.q_limit === "jackson-mudholkar" ? "jackson-mudholkar" : "box",
        trimFraction: o.trim_fraction,
        exclude: excludeRows,
      });
    } catch (e) {
      throw new StepInputError(`spectra from "${specIn.step}": ${(e as Error).message} (options components/max_components)`);
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

    // Q limits per spectrum row: robust-log per source (or pooled) and per soil class, or the
    // classical pooled one. Organic soils (lab C ≥ organic_c_gkg) get limits of their own: on
    // the demo library clean mineral spectra reach a per-source robust z of ln Q ≈ 2.8, organic
    // ones ≈ 5 (a rare, spectrally extreme class the PCA models less well), wet samples 3.2–7.2;
    // one limit per source either flagged organic soils or missed wet mineral samples.
    const c = samples.c_gkg ? numberColumn(samples, "c_gkg") : new Float64Array(nS).fill(NaN);
    const om = samples.om_gkg ? numberColumn(samples, "om_gkg") : new Float64Array(nS).fill(NaN);
    const organicRow = new Uint8Array(n);
    if (o.organic_c_gkg !== null) {
      for (let i = 0; i < nS; i++) {
        const cEst = Number.isFinite(c[i]!) ? c[i]! : om[i]! / VAN_BEMMELEN;
        if (rowOf[i]! >= 0 && cEst >= o.organic_c_gkg) organicRow[rowOf[i]!] = 1;
      }
    }
    const qLim = new Float64Array(n).fill(pca.qLimit);
    /** Per class ("" = the class pooled over sources); limitsPooled = all spectra. */
    const qLimitMineral: Record<string, number> = {};
    const qLimitOrganic: Record<string, number> = {};
    let limitsPooled = pca.qLimit;
    if (o.q_limit === "robust-log") {
      const fitPool = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !scan[i]!.length && Number.isFinite(pca.q[i]!));
      const limitOf = (rows: Int32Array) =>
        qLimitRobustLog(
          Array.from(rows, (i) => pca.q[i]!),
          o.q_z,
        );
      limitsPooled = limitOf(fitPool);
      qLim.fill(limitsPooled);
      for (const organic of [0, 1]) {
        const pool = fitPool.filter((i) => organicRow[i] === organic);
        if (pool.length < MIN_LIMIT_ROWS) continue; // too few: the pooled limit stays
        const byClass = organic ? qLimitOrganic : qLimitMineral;
        const classLim = limitOf(pool);
        byClass[""] = classLim;
        for (let i = 0; i < n; i++) if (organicRow[i] === organic) qLim[i] = classLim;
        if (o.limits_by !== "source") continue;
        for (const b of new Set(source)) {
          const rows = pool.filter((i) => source[i] === b);
          if (rows.length < MIN_LIMIT_ROWS) continue;
          const lim = limitOf(rows);
          byClass[b] = lim;
          for (let i = 0; i < n; i++) if (source[i] === b && organicRow[i] === organic) qLim[i] = lim;
        }
      }
    }

    const reasons: string[][] = Array.from({ length: nS }, () => []);
    const t2Extreme = new Uint8Array(nS);
    const range = toPhysicalRange(o.range);
    const viol = physicalRangeViolations(c, om, range);
    for (let i = 0; i < nS; i++) {
      const r = reasons[i]!;
      const id = sid[i] ?? null;
      if (id === null) r.push("missing_id");
      else if ((idCount.get(id) ?? 0) > 1) r.push("duplicate_id");
      const row = rowOf[i]!;
      if (row < 0) r.push("no_spectrum");
      else {
        r.push(...scan[row]!);
        if (pca.q[row]! > qLim[row]!) r.push("q_residual");
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
    if (o.unit_check.enabled) {
      const cleanSpec = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !scan[i]!.length && pca.q[i]! <= qLim[i]!);
      const kReg = Math.min(o.unit_check.components, p, Math.floor(cleanSpec.length / 5));
      if (kReg >= 2) {
        const regModel = matrixPca(values, { rows: n, cols: p, subset: cleanSpec, components: kReg });
        const scores = pcaProject(values, { rows: n, cols: p }, regModel).scores;
        for (const [name, y] of [
          ["c", c],
          ["om", om],
        ] as const) {
          const train = Array.from({ length: nS }, (_, i) => i).filter(
            (i) => rowOf[i]! >= 0 && reasons[i]!.length === 0 && y[i]! >= 0 && Number.isFinite(y[i]!),
          );
          if (train.length < o.unit_check.min_samples) {
            if (train.length)
              ctx.log(
                `unit check for ${name}: ${train.length} clean labelled samples < unit_check.min_samples ${o.unit_check.min_samples}, skipped`,
              );
            continue;
          }
          // log1p scale: soil C is heavy-tailed and a unit mistake is a factor, so the model's
          // errors and the check are both relative
          const ly = Float64Array.from(y, (v) => (v >= 0 ? Math.log1p(v) : NaN));
          // ridge on the clean spectra's PCA scores plus indicators of source (instrument
          // offsets: QC runs before harmonization) and lab method (Walkley–Black recovers ~76 %
          // of C, LOI adds clay water), refitted once without the gross residuals
          const method = samples[`${name}_method`] ? textColumn(samples, `${name}_method`) : new Array<string | null>(nS).fill(null);
          const levels = (col: readonly (string | null)[]) => [...new Set(train.map((i) => col[i] ?? ""))].sort().slice(1);
          const srcLevels = levels(ssrc);
          const methodLevels = levels(method);
          const nd = kReg + srcLevels.length + methodLevels.length;
          const xs = new Float64Array(nS * nd);
          for (let i = 0; i < nS; i++) {
            if (rowOf[i]! < 0) continue;
            xs.set(scores.subarray(rowOf[i]! * kReg, (rowOf[i]! + 1) * kReg), i * nd);
            srcLevels.forEach((l, d) => (xs[i * nd + kReg + d] = (ssrc[i] ?? "") === l ? 1 : 0));
            methodLevels.forEach((l, d) => (xs[i * nd + kReg + srcLevels.length + d] = (method[i] ?? "") === l ? 1 : 0));
          }
          const lyFit = ly.map((v) => (Number.isFinite(v) ? v : 0));
          let subset = train;
          let pred: Float64Array = new Float64Array(nS);
          for (let pass = 0; pass < 2; pass++) {
            const fit = matrixRidge(xs, lyFit, { rows: nS, cols: nd, subset });
            pred = ridgePredict(xs, { rows: nS, cols: nd }, fit);
            const cut =
              4 *
              1.4826 *
              xQuantileType7(
                subset.map((i) => Math.abs(ly[i]! - pred[i]!)),
                0.5,
              );
            subset = train.filter((i) => Math.abs(ly[i]! - pred[i]!) <= Math.max(cut, 1e-9));
          }
          // a prediction beyond the physical range is an extrapolation (organic soils, whose
          // spectra saturate): compare against the range's end, not against the extrapolation
          const hi = name === "c" ? range.cMax : range.omMax;
          const predG = Float64Array.from(pred, (v, i) => (rowOf[i]! >= 0 ? Math.min(hi, Math.max(0, Math.expm1(v))) : NaN));
          const flags = unitSuspects(y, predG, { ratio: o.unit_check.ratio });
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
      t2_limit: Float64Array.from(rowOf, (r) => (r >= 0 ? pca.t2Limit : NaN)),
      q_limit: Float64Array.from(rowOf, (r) => (r >= 0 ? qLim[r]! : NaN)),
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
        ctx.log(
          `source "${s}": C median ${vals[Math.floor(vals.length / 2)]} g/kg — looks like % not g/kg; set harmonize.targets option units`,
        );
      }
    }
    const sumKeys = [...summary.keys()].sort();
    await ctx.outputs.table("qc_summary", {
      source: sumKeys.map((k) => k.split("\u0000")[0]!),
      reason: sumKeys.map((k) => k.split("\u0000")[1]!),
      count: Float64Array.from(sumKeys, (k) => summary.get(k)!),
    });

    const pick = subsampleIndices(n, o.max_scores, o.seed);
    await ctx.outputs.table("pca_scores", {
      sample_id: Array.from(pick, (i) => ids[i]!),
      source: Array.from(pick, (i) => source[i]!),
      pc1: Float64Array.from(pick, (i) => pca.scores[i * k]!),
      pc2: Float64Array.from(pick, (i) => (k > 1 ? pca.scores[i * k + 1]! : NaN)),
      stage: Array.from(pick, () => "qc"),
    });

    const qPooled = limitsPooled;
    const perSource = (lims: Record<string, number>) => Object.fromEntries(Object.entries(lims).filter(([s0]) => s0 !== ""));
    const qBySource = perSource(qLimitMineral);
    await ctx.outputs.json("qc_limits", {
      t2_limit: pca.t2Limit,
      /** All spectra pooled (the limit of any class or source too small for its own). */
      q_limit: qPooled,
      /** Mineral soils (lab C below organic_c_gkg or unknown): pooled and per source. */
      q_limit_mineral: qLimitMineral[""] ?? null,
      q_limit_by_source: qBySource,
      /** Organic soils: pooled and per source; null when fewer than 20 organic spectra. */
      q_limit_organic: qLimitOrganic[""] ?? null,
      q_limit_organic_by_source: perSource(qLimitOrganic),
      organic_c_gkg: o.organic_c_gkg,
      organic_spectra: organicRow.reduce((a, v) => a + v, 0),
      alpha: o.alpha,
      q_z: o.q_limit === "robust-log" ? o.q_z : null,
      components: k,
      q_formula: o.q_limit,
      limits_by: o.q_limit === "robust-log" ? o.limits_by : "pooled",
      fit_rows: pca.fitRows.length,
    });
    const facts: Record<string, number> = {
      qc_components: k,
      qc_explained: pca.model.explained,
      qc_t2_limit: pca.t2Limit,
      qc_q_limit: qPooled,
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
      ctx.log(
        `vs truth: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${Object.entries(s.byDefect)
          .map(([d, e]) => `${d} ${e.found}/${e.total}`)
          .join(", ")})`,
      );
    }
    ctx.record(facts);
    ctx.log(
      `PCA k=${k} (${(100 * pca.model.explained).toFixed(1)} %), T² limit ${pca.t2Limit.toFixed(2)}, Q limit ${qPooled.toPrecision(4)}${
        Object.keys(qBySource).length
          ? ` (per source ${Object.values(qBySource)
              .map((v) => v.toPrecision(3))
              .join("/")})`
          : ""
      }${qLimitOrganic[""] !== undefined ? `, organic soils ${qLimitOrganic[""].toPrecision(3)}` : ""}; ${facts.qc_flagged} of ${nS} flagged`,
    );
  },
});
