/**
 * Quality control of a spectral library: which samples' spectra or lab values cannot be
 * trusted (qc.outliers is its adapter).
 * Spectra (preprocessed, one grid): scan defects (flat/saturated/spike, found here per source
 * block plus those found earlier on the native grid), robust PCA Hotelling T² and Q residual
 * beyond their limits. The Q limit is robust on the log scale (`qLimit: robust-log`, median +
 * qZ·MAD of ln Q), per source and per soil class (qLimitsByClass): organic soils (lab C ≥
 * `organicCGkg`) get limits from organic soils only. On a library of several instruments one
 * pooled χ²-moment limit flagged whole sources (a tenth of a clay/iron-rich source); one limit
 * per source flagged the organic-soil tail or missed wet mineral samples.
 * Lab values: physical range (negative, C > 580, OM > 1000, OM < C), duplicate ids, unit
 * mistakes (unitMistakes: ≥ `ratio`× off a spectral model, fitted on the clean samples).
 *
 * What counts as a defect (the synthetic truth list, scored by `defectScores`): a scan that is
 * flat, saturated or spiked; a wet sample (`water`); an id used twice; a physically impossible
 * value (C < 0, OM < C); a value reported in % in a g/kg column. Not defects: organic soils,
 * unusual mineralogy, an instrument's own offsets, lab-method bias (Walkley–Black, LOI) — the
 * flags on those are the false positives. A % mix-up on a sample below ~5 g/kg C leaves a
 * value (< 0.5 g/kg) no spectral model tells from a real low-C subsoil: those are missed, and
 * real soils below ~1 g/kg are the false unit flags. A source whose whole C column looks like %
 * (percentLookingSources) is reported, not flagged per sample.
 * exclude_train = any flag except `t2` alone (an extreme but well-modelled spectrum, e.g. an
 * organic soil, is real soil variation).
 */
import { robustPcaOutliers, type RobustPcaOutlierResult } from "../chemometrics/robust-pca-outliers.js";
import { physicalRangeViolations, type PhysicalRange } from "../chemometrics/physical-range.js";
import { matrixScanDefects } from "../spectra/scan-defects.js";
import { organicRows, qLimitsByClass, type QLimitsByClass } from "./q-limits-by-class.js";
import { unitMistakes, type UnitMistakes } from "./unit-mistakes.js";
import {
  flagColumns,
  percentLookingSources,
  qcSummary,
  sampleReasons,
  spectrumRowOfSample,
  type FlagColumns,
  type PercentLookingSource,
  type QcSummary,
} from "./sample-flags.js";

export interface OutlierQcInput {
  /** Source blocks stacked row-major on one grid. */
  spectra: {
    values: Float32Array;
    cols: number;
    /** Per row. */
    ids: readonly string[];
    source: readonly string[];
    /** Rows of each block, in stacking order: the scan-defect pool statistics are per block (one instrument). */
    blockRows: readonly number[];
    /** Scan defects found before (spectra.preprocess, native grid), by spectrum id. */
    knownDefects?: ReadonlyMap<string, readonly string[]>;
  };
  samples: {
    sampleId: readonly (string | null)[];
    source: readonly (string | null)[];
    /** Lab C and OM, g/kg (NaN = missing), and their lab methods (null = unknown). */
    c: Float64Array;
    om: Float64Array;
    cMethod: readonly (string | null)[];
    omMethod: readonly (string | null)[];
  };
}

/** The defaults are qc.outliers's; why each was chosen is said here. */
export interface OutlierQcOptions {
  /** robustPcaOutliers: components (default by varianceExplained 0.99, at most maxComponents 10), trim. */
  pca: {
    components?: number;
    varianceExplained: number;
    maxComponents: number;
    /** Significance of the T² limit and the classical Q limits; 0.001: 0.1 % of clean spectra flagged by chance. */
    alpha: number;
    trimFraction: number;
  };
  /** `robust-log`: qLimitsByClass; `box` / `jackson-mudholkar`: the classical limit at `alpha`, pooled. */
  qLimit: "robust-log" | "box" | "jackson-mudholkar";
  /**
   * Robust z of the robust-log limit. 3.5 (≈ 2·10⁻⁴ of clean spectra under log-normality): with
   * organic soils judged apart, clean mineral spectra of the demo library stay below z ≈ 2.9,
   * and z = 4 missed wet samples at z 3.2–3.9.
   */
  qZ: number;
  /** `source`: robust-log limits per source (sources differ in instrument and mineralogy); `pooled`: per class only. */
  limitsBy: "source" | "pooled";
  /**
   * Lab C (g/kg; OM/1.724 where C is missing) from which a sample is an organic soil, judged by
   * limits of organic soils (organicRows); null = one class. 120 g/kg = 12 % organic C, the lower
   * bound of organic soil material (USDA Soil Taxonomy; WRB Histosols need 20 %).
   */
  organicCGkg: number | null;
  /**
   * T² beyond its limit: `report` (t2Extreme only; an extreme but well-modelled spectrum, e.g.
   * an organic soil, is real variation) or `flag` (a `t2` reason, which alone never excludes).
   */
  t2: "report" | "flag";
  range: PhysicalRange;
  /**
   * unitMistakes. ratio 4: on the synthetic library (n = 800–8,000, three seeds) 5 missed half
   * the %-for-g/kg mistakes, 4 found 95–99 % of all defects at n ≥ 3,000 with precision
   * 0.926–0.946; the false flags it adds are soils below ~1 g/kg C, which a flag keeps in the
   * data and out of training only. components 30: PCA components of the clean spectra in the model.
   */
  unitCheck: { enabled: boolean; ratio: number; minSamples: number; components: number };
  /** matrixScanDefects thresholds. */
  scan: { saturationRun: number; spikeZ: number; flatSdRatio: number; flatRoughnessRatio: number };
}

export interface OutlierQc {
  pca: RobustPcaOutlierResult;
  /** Per spectrum row: scan defects. */
  scan: string[][];
  /** Per sample: its spectrum row, or −1. */
  rowOf: Int32Array;
  /** Per spectrum row: the Q limit it is judged by. */
  qLimit: Float64Array;
  /** Q limits: over all spectra, and per class ("" = over sources, then per source); empty classes without robust-log. */
  limits: { pooled: number; mineral: Record<string, number>; organic: Record<string, number> };
  organicSpectra: number;
  /** Per sample: every reason it is flagged for, and T² beyond the limit when only reported. */
  reasons: string[][];
  t2Extreme: Uint8Array;
  flags: FlagColumns;
  unit: Pick<UnitMistakes, "counts" | "skipped">;
  percentSources: PercentLookingSource[];
  summary: QcSummary;
}

/** robustPcaOutliers refused the spectra (too few usable rows for the components asked). */
export class SpectralModelError extends Error {}

export function outlierQc(input: OutlierQcInput, options: OutlierQcOptions): OutlierQc {
  const { spectra: sp, samples: s } = input;
  const n = sp.ids.length;
  const scan = blockScanDefects(sp, options.scan);
  let pca: RobustPcaOutlierResult;
  try {
    pca = robustPcaOutliers(sp.values, {
      rows: n,
      cols: sp.cols,
      ...options.pca,
      qLimit: options.qLimit === "jackson-mudholkar" ? "jackson-mudholkar" : "box",
      exclude: scan.flatMap((d, i) => (d.length ? [i] : [])),
    });
  } catch (e) {
    throw new SpectralModelError((e as Error).message);
  }
  const rowOf = spectrumRowOfSample(s.sampleId, sp.ids);
  const organic = organicRows({ c: s.c, om: s.om, rowOf, rows: n }, options.organicCGkg);
  const limits = qLimits(pca, scan, organic, sp.source, options);
  const violations = physicalRangeViolations(s.c, s.om, options.range);
  const { reasons, t2Extreme } = sampleReasons(
    { sampleId: s.sampleId, rowOf, scan, q: pca.q, qLimit: limits.perRow, t2: pca.t2, t2Limit: pca.t2Limit, violations },
    { t2: options.t2 },
  );
  const unit = options.unitCheck.enabled
    ? unitMistakes(
        {
          spectra: sp.values,
          rows: n,
          cols: sp.cols,
          cleanRows: rowsWhere(n, (i) => !scan[i]!.length && pca.q[i]! <= limits.perRow[i]!),
          rowOf,
          reasons,
          source: s.source,
          targets: [
            { name: "c", value: s.c, method: s.cMethod, max: options.range.cMax },
            { name: "om", value: s.om, method: s.omMethod, max: options.range.omMax },
          ],
        },
        options.unitCheck,
      )
    : { suspects: [], counts: {}, skipped: [] };
  unit.suspects.forEach((u, i) => reasons[i]!.push(...u));
  const percentSources = percentLookingSources(s.c, s.source);
  return {
    pca,
    scan,
    rowOf,
    qLimit: limits.perRow,
    limits: { pooled: limits.pooled, mineral: limits.mineral, organic: limits.organic },
    organicSpectra: organic.reduce((a, v) => a + v, 0),
    reasons,
    t2Extreme,
    flags: flagColumns(reasons),
    unit: { counts: unit.counts, skipped: unit.skipped },
    percentSources,
    summary: qcSummary(reasons, t2Extreme, s.source, percentSources),
  };
}

const rowsWhere = (n: number, keep: (i: number) => boolean) => Int32Array.from({ length: n }, (_, i) => i).filter(keep);

/** Per spectrum row: the robust-log limits of its class and source, or the classical pooled one. */
function qLimits(
  pca: RobustPcaOutlierResult,
  scan: readonly (readonly string[])[],
  organic: Uint8Array,
  source: readonly string[],
  options: OutlierQcOptions,
): QLimitsByClass {
  if (options.qLimit !== "robust-log")
    return { perRow: new Float64Array(scan.length).fill(pca.qLimit), pooled: pca.qLimit, mineral: {}, organic: {} };
  const fitRows = rowsWhere(scan.length, (i) => !scan[i]!.length && Number.isFinite(pca.q[i]!));
  return qLimitsByClass({ q: pca.q, fitRows, organic, source }, { z: options.qZ, bySource: options.limitsBy === "source" });
}

/** Per stacked row: this block's scan defects, then any known ones it lacks. */
function blockScanDefects(spectra: OutlierQcInput["spectra"], options: OutlierQcOptions["scan"]): string[][] {
  const { values, cols, ids } = spectra;
  const scan: string[][] = Array.from({ length: ids.length }, () => []);
  let off = 0;
  for (const rows of spectra.blockRows) {
    const r = matrixScanDefects(values.subarray(off * cols, (off + rows) * cols), { rows, cols, ...options });
    r.defects.forEach((d, i) => scan[off + i]!.push(...d));
    off += rows;
  }
  if (spectra.knownDefects) {
    ids.forEach((id, i) => {
      for (const d of spectra.knownDefects!.get(id) ?? []) if (!scan[i]!.includes(d)) scan[i]!.push(d);
    });
  }
  return scan;
}
