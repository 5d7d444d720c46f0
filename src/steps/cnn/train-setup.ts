/**
 * What `cnn.train` hands to training, built from its inputs and options (tf-free): spectra
 * matched to samples, log1p targets (src/core/cnn/training-data.ts), the split (the same as
 * baseline.plsr's), the n-dependent settings (train-options.ts) and the target standardization.
 */
import { TARGET_COLUMN } from "../shared/target-column.js";
import { layoutOf, tasksOf, type CnnConfig, type TargetStats, type TaskName } from "../../core/cnn/config.js";
import { calibrationRows, cnnTargets, splitRows, targetStandardization } from "../../core/cnn/training-data.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import type { SplitName } from "../../core/stats/split.js";
import { numberColumn, tableRowCount, textColumn, type Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";
import { spectraMatrix, type SpectraMatrix } from "../shared/spectra-matrix.js";
import { splitSamples, stepSplit } from "../shared/split-options.js";
import { configFromOptions, resolveTraining, type CnnTrainOptions, type ResolvedTraining } from "./train-options.js";

/** The samples' identity columns and each task's observed values, per samples row. */
export interface SampleColumns {
  ids: readonly (string | null)[];
  sources: readonly (string | null)[];
  depth: Float64Array;
  values: Float64Array[];
}

/** A run's data: spectra matched to samples, log1p targets, the split and the resolved settings. */
export interface Prepared {
  tasks: TaskName[];
  samples: SampleColumns;
  sm: SpectraMatrix;
  yCal: Float32Array[];
  data: { y: Float32Array[]; train: Int32Array; val: Int32Array };
  calRows: number[][];
  cal: Int32Array;
  split: ReturnType<typeof stepSplit>;
  splitOf: SplitName[];
  resolved: ResolvedTraining;
  config: CnnConfig;
  stats: TargetStats;
}

function sampleColumns(
  samples: Table,
  tasks: readonly TaskName[],
  o: CnnTrainOptions,
): SampleColumns & { exclude: (boolean | null)[] | null } {
  const n = tableRowCount(samples);
  for (const t of tasks) {
    if (!(samples[TARGET_COLUMN[t]] instanceof Float64Array)) {
      throw new StepInputError(`samples has no numeric column "${TARGET_COLUMN[t]}" needed by option target=${o.target}`);
    }
  }
  return {
    ids: textColumn(samples, "sample_id"),
    sources: samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null),
    depth: samples.depth_top_cm instanceof Float64Array ? samples.depth_top_cm : new Float64Array(n).fill(NaN),
    exclude: Array.isArray(samples.exclude_train) ? (samples.exclude_train as (boolean | null)[]) : null,
    values: tasks.map((t) => numberColumn(samples, TARGET_COLUMN[t])),
  };
}

export function prepare(samples: Table, blocks: SpectraBlock[], o: CnnTrainOptions): Prepared {
  const tasks = tasksOf(o.target);
  const { exclude, ...cols } = sampleColumns(samples, tasks, o);
  const sm = spectraMatrix(blocks, cols.ids);
  const p = sm.wavenumbers.length;
  if (o.om_split && o.target !== "multi") {
    throw new StepInputError(`option om_split applies to target multi only (target is ${o.target}): use test/val/cal`);
  }
  const { y, yCal } = cnnTargets({ values: cols.values, exclude, sampleRow: sm.sampleRow }, { calExcluded: o.cal_excluded });
  // n for the defaults: labelled rows outside test and cal (val draws from them; test and cal
  // do not depend on val, so the split without val tells n).
  const splitFor = (val: number) => {
    const sp = stepSplit({ ...o, val }, TARGET_COLUMN[tasks[0]!], o.om_split);
    return { split: sp, splitOf: splitSamples(samples, sp) };
  };
  const noVal = splitFor(0);
  const resolved = resolveTraining(o, splitRows(noVal.splitOf, sm.sampleRow, y, "train").length);
  const { split, splitOf } = resolved.val === 0 ? noVal : splitFor(resolved.val);
  const config = configFromOptions(o, resolved, p);
  try {
    layoutOf(config);
  } catch (e) {
    throw new StepInputError(`option ${(e as Error).message} (spectra have ${p} points)`);
  }
  const train = splitRows(splitOf, sm.sampleRow, y, "train");
  const val = splitRows(splitOf, sm.sampleRow, y, "val");
  const calRows = calibrationRows(splitOf, sm.sampleRow, yCal);
  if (train.length === 0 || y.every((yk) => !train.some((r) => Number.isFinite(yk[r]!)))) {
    throw new StepInputError(
      `zero labelled ${tasks.map((t) => TARGET_COLUMN[t]).join("/")} samples with a spectrum in the train split ` +
        `(${sm.sampleRow.length} samples have spectra): check the samples/spectra inputs, exclude_train and the split fractions`,
    );
  }
  const cal = Int32Array.from(new Set(calRows.flat()));
  const stats = targetStandardization(o.target, y, train);
  return { tasks, samples: cols, sm, yCal, data: { y, train, val }, calRows, cal, split, splitOf, resolved, config, stats };
}
