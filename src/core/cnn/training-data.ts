/**
 * What a CNN is trained and calibrated on: targets on the log1p scale per spectrum row, the
 * rows of each split, the per-task standardization, and split-conformal calibration of σ̂.
 * Samples with `exclude` (QC) or a negative or missing label are predicted but never fitted on;
 * excluded rows with a usable label may still calibrate (`calExcluded`), since test is scored on
 * every labelled row, flagged ones included, and split conformal needs cal and test from the
 * same population.
 */
import { VAN_BEMMELEN } from "../chemometrics/physical-range.js";
import { conformalQuantile, normalizedScores } from "../stats/conformal.js";
import type { SplitName } from "../stats/split.js";
import { tasksOf, type TargetMode, type TargetStats, type TaskName } from "./config.js";

export interface TargetInput {
  /** Per task, per sample: the lab value in g/kg (NaN = missing). */
  values: readonly ArrayLike<number>[];
  /** Per sample: QC excluded from training (null = no such column). */
  exclude: readonly (boolean | null)[] | null;
  /** Per spectrum row: its sample. */
  sampleRow: Int32Array;
}

export interface CnnTargets {
  /** Per task, per spectrum row: log1p(value) to fit on, NaN when missing, negative or excluded. */
  y: Float32Array[];
  /** The same for calibration: excluded rows count when calExcluded. */
  yCal: Float32Array[];
}

export function cnnTargets(input: TargetInput, options: { calExcluded: boolean }): CnnTargets {
  const { values, exclude, sampleRow } = input;
  const log1pWhere = (v: number, use: boolean) => (Number.isFinite(v) && v >= 0 && use ? Math.log1p(v) : NaN);
  return {
    y: values.map((col) => Float32Array.from(sampleRow, (i) => log1pWhere(col[i]!, exclude?.[i] !== true))),
    yCal: values.map((col) => Float32Array.from(sampleRow, (i) => log1pWhere(col[i]!, options.calExcluded || exclude?.[i] !== true))),
  };
}

/** Spectrum rows whose sample is in split `s` and that have a target of some task. */
export function splitRows(splitOf: readonly SplitName[], sampleRow: Int32Array, y: readonly Float32Array[], s: SplitName): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < sampleRow.length; r++) if (splitOf[sampleRow[r]!] === s && y.some((yt) => Number.isFinite(yt[r]!))) out.push(r);
  return Int32Array.from(out);
}

/** Per task: the cal rows with a calibration label. */
export function calibrationRows(splitOf: readonly SplitName[], sampleRow: Int32Array, yCal: readonly Float32Array[]): number[][] {
  return yCal.map((yk) =>
    Array.from({ length: sampleRow.length }, (_, r) => r).filter((r) => splitOf[sampleRow[r]!] === "cal" && Number.isFinite(yk[r]!)),
  );
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
  return { mean, sd: Math.sqrt(v) };
}

/**
 * Mean and SD of each task's log1p target over the train rows (SD ≤ 1e-3 → 1), and for the
 * multi-task model the median OM/C ratio of train rows with both (the ratio head's start;
 * VAN_BEMMELEN without any).
 */
export function targetStandardization(target: TargetMode, y: readonly Float32Array[], train: Int32Array): TargetStats {
  const tasks = tasksOf(target);
  const stats: TargetStats = { mean: { c: NaN, om: NaN }, sd: { c: NaN, om: NaN }, ratio0: VAN_BEMMELEN };
  tasks.forEach((t, k) => {
    const ms = meanSd(
      Array.from(train)
        .map((r) => y[k]![r]!)
        .filter(Number.isFinite),
    );
    stats.mean[t] = ms.mean;
    stats.sd[t] = ms.sd > 1e-3 ? ms.sd : 1;
  });
  if (target === "multi") {
    const ratios: number[] = [];
    for (const r of train) {
      const c = Math.expm1(y[0]![r]!);
      const om = Math.expm1(y[1]![r]!);
      if (c > 0 && om > 0) ratios.push(om / c);
    }
    if (ratios.length) stats.ratio0 = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    if (!Number.isFinite(stats.mean.om)) {
      stats.mean.om = stats.mean.c + Math.log(stats.ratio0);
      stats.sd.om = stats.sd.c;
    }
  }
  for (const t of tasks) {
    if (!Number.isFinite(stats.mean[t])) {
      stats.mean[t] = Math.log1p(20);
      stats.sd[t] = 1;
    }
  }
  return stats;
}

export interface ConformalInput {
  tasks: readonly TaskName[];
  /** Per task, per spectrum row: the model's log1p prediction and σ̂ (NaN = none: σ̂ ≡ 1, absolute residuals). */
  predicted: Record<TaskName, { t: ArrayLike<number>; sdLog: ArrayLike<number> }>;
  yCal: readonly Float32Array[];
  calRows: readonly number[][];
}

/**
 * Split-conformal quantile per task of the normalized scores |y − ŷ|/σ̂ on the cal rows at
 * `level` (Infinity when too few rows for it); a task without cal rows gets none.
 */
export function conformalByTask(
  input: ConformalInput,
  level: number,
): { q: Partial<Record<TaskName, number>>; nCal: Partial<Record<TaskName, number>> } {
  const q: Partial<Record<TaskName, number>> = {};
  const nCal: Partial<Record<TaskName, number>> = {};
  input.tasks.forEach((t, k) => {
    const rows = input.calRows[k]!;
    nCal[t] = rows.length;
    if (rows.length === 0) return;
    const { t: tHat, sdLog } = input.predicted[t];
    const sig = rows.map((r) => (Number.isNaN(sdLog[r]!) ? 1 : sdLog[r]!));
    q[t] = conformalQuantile(
      normalizedScores(
        rows.map((r) => input.yCal[k]![r]!),
        rows.map((r) => tHat[r]!),
        sig,
      ),
      level,
    );
  });
  return { q, nCal };
}
