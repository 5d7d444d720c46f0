/**
 * The split options every model step takes (cnn.train, baseline.plsr) and the one function
 * that turns them and a `samples` table into train / val / cal / test, so all models of a
 * pipeline — and cnn.predict, from a model's metadata — assign every sample the same way.
 *
 *   scheme: random | group (by source) | location (lat/lon cells of cell_deg degrees)
 *   test, val, cal: fractions of the labelled pool (test default 0.15)
 *   folds + test_fold: k-fold — fold test_fold of `folds` is the test set (instead of `test`);
 *     val and cal are then exact shares of that fold's training part, drawn per fold
 *   stratify: k-fold folds stratified on the step's target (sorted-y runs, see
 *     src/core/stats/folds.ts); folds_from: a samples column holding each sample's fold
 *   split_seed: seeds folds and the val/cal draw only; a model's `seed` seeds its weights, so
 *     changing it keeps every sample where it was
 */
import { z } from "zod";
import { foldsFromValues } from "../../core/stats/folds.js";
import { assignSplits, DEFAULT_SPLIT, splitKeys, type KfoldInputs, type SplitName, type SplitOptions } from "../../core/stats/split.js";
import { tableRowCount, textColumn, type Table } from "../../core/table.js";
import { StepInputError } from "../../engine/step.js";

const fraction = z.number().min(0).lt(1);

export const splitOptionFields = {
  /** random: samples; group: whole sources; location: whole lat/lon cells (spatial blocks). */
  scheme: z.enum(["random", "group", "location"]).default("random"),
  /** Test fraction (default DEFAULT_SPLIT.test, 0.15); not with `folds`. */
  test: fraction.optional(),
  val: fraction.default(DEFAULT_SPLIT.val),
  cal: fraction.default(DEFAULT_SPLIT.cal),
  /** k-fold: number of folds; fold `test_fold` is the test set. */
  folds: z.number().int().min(2).max(100).optional(),
  test_fold: z.number().int().min(0).optional(),
  /** k-fold folds stratified on the target's quantiles (one-sample keys; scheme random). */
  stratify: z.boolean().default(false),
  /** k-fold: take each sample's fold from this samples column (distinct values sorted → folds 0…k−1). */
  folds_from: z.string().min(1).optional(),
  /** Seed of the folds and of the train/val/cal/test draw (default 1); independent of the model's `seed`. */
  split_seed: z.number().int().default(DEFAULT_SPLIT.seed),
  /** Cell size in degrees of scheme location (1° ≈ 111 km north–south). */
  cell_deg: z.number().positive().max(180).default(1),
};

/** Fractions of the rows that have an OM label (multi-task CNN; see cnn.train's om_split). */
export const omSplitOption = z.strictObject({ test: fraction, val: fraction, cal: fraction });
export type OmSplit = z.output<typeof omSplitOption>;

/** What model_meta records and cnn.predict replays. */
export interface StepSplit extends SplitOptions {
  cellDeg: number;
  om_split?: OmSplit;
  /** k-fold stratified on this samples column (the step's target). */
  stratify?: string;
  /** k-fold ids read from this samples column. */
  folds_from?: string;
}

const splitFieldsSchema = z.object(splitOptionFields);
type SplitFields = z.output<typeof splitFieldsSchema>;

/**
 * Resolves the step options into a StepSplit; contradictory options are clear errors.
 * `targetColumn` is the column `stratify` sorts on (the step's target).
 */
export function stepSplit(o: SplitFields, targetColumn = "c_gkg", omSplit?: OmSplit): StepSplit {
  const seed = o.split_seed;
  if (o.folds === undefined && o.test_fold !== undefined) {
    throw new StepInputError(`option test_fold=${o.test_fold} needs folds (the number of folds)`);
  }
  if (o.folds === undefined && (o.stratify || o.folds_from !== undefined)) {
    throw new StepInputError(`option ${o.stratify ? "stratify" : "folds_from"} needs folds (the number of folds) and test_fold`);
  }
  if (o.folds !== undefined) {
    if (o.stratify && o.folds_from !== undefined) {
      throw new StepInputError("options stratify and folds_from exclude each other: the folds come from the column as given");
    }
    if (o.stratify && o.scheme !== "random") {
      throw new StepInputError(`option stratify applies to scheme random (scheme is ${o.scheme}: whole groups are balanced by size)`);
    }
    if (o.test !== undefined) {
      throw new StepInputError(
        `options test and folds exclude each other: with folds=${o.folds} the test set is fold test_fold (1/${o.folds} of the samples); drop test`,
      );
    }
    if (omSplit) throw new StepInputError("options om_split and folds exclude each other: use one of them");
    const testFold = o.test_fold ?? 0;
    if (testFold >= o.folds)
      throw new StepInputError(`option test_fold=${testFold} must be below folds=${o.folds} (folds are 0…${o.folds - 1})`);
    return {
      scheme: o.scheme,
      seed,
      test: 0,
      val: o.val,
      cal: o.cal,
      kfold: { folds: o.folds, testFold },
      cellDeg: o.cell_deg,
      ...(o.stratify ? { stratify: targetColumn } : {}),
      ...(o.folds_from !== undefined ? { folds_from: o.folds_from } : {}),
    };
  }
  return {
    scheme: o.scheme,
    seed,
    test: o.test ?? DEFAULT_SPLIT.test,
    val: o.val,
    cal: o.cal,
    cellDeg: o.cell_deg,
    ...(omSplit ? { om_split: omSplit } : {}),
  };
}

/**
 * The split of every row of `samples`. With `om_split`, rows with a finite `om_gkg` take the
 * OM fractions (stratified by label availability: each stratum has its own test and cal
 * shares, so cal and test stay exchangeable for both tasks).
 */
export function splitSamples(samples: Table, split: StepSplit): SplitName[] {
  const n = tableRowCount(samples);
  const ids = textColumn(samples, "sample_id");
  const sources = samples.source ? textColumn(samples, "source") : new Array<string | null>(n).fill(null);
  let location: Parameters<typeof splitKeys>[3];
  if (split.scheme === "location") {
    if (!(samples.lat instanceof Float64Array) || !(samples.lon instanceof Float64Array)) {
      throw new StepInputError(
        "option scheme=location needs numeric lat and lon columns in samples: add them, or use scheme random or group",
      );
    }
    location = { lat: samples.lat, lon: samples.lon, cellDeg: split.cellDeg };
  }
  const keys = splitKeys(split.scheme, ids, sources, location);
  const kfoldInputs = split.kfold ? kfoldInputsOf(samples, split, ids) : {};
  const opts = (fr: Partial<OmSplit>): SplitName[] => {
    try {
      return assignSplits(keys, { ...split, ...fr }, kfoldInputs);
    } catch (e) {
      throw new StepInputError(
        `${fr.test === undefined ? "options test/val/cal/folds/test_fold" : "option om_split"}: ${(e as Error).message}`,
      );
    }
  };
  const base = opts({});
  if (!split.om_split) return base;
  const om = samples.om_gkg;
  if (!(om instanceof Float64Array)) return base;
  const omSplit = opts(split.om_split);
  return base.map((sp, i) => (Number.isFinite(om[i]!) ? omSplit[i]! : sp));
}

/** The stratification values or the data's fold ids that a k-fold StepSplit names. */
function kfoldInputsOf(samples: Table, split: StepSplit, ids: readonly (string | null)[]): KfoldInputs {
  if (split.stratify) {
    const y = samples[split.stratify];
    if (!(y instanceof Float64Array)) throw new StepInputError(`option stratify: samples has no numeric column "${split.stratify}"`);
    return { strata: y };
  }
  if (!split.folds_from) return {};
  const name = split.folds_from;
  const col = samples[name];
  if (col === undefined) {
    throw new StepInputError(
      `option folds_from: samples has no column "${name}" (columns: ${Object.keys(samples).join(", ")}); ` +
        "ingest.table keeps extra columns listed in its option keep_columns",
    );
  }
  const values = col instanceof Float64Array ? Array.from(col) : (col as (string | number | null)[]).map((v) => (v === null ? null : v));
  const r = foldsFromValues(values as (string | number | null)[]);
  if ("missingRow" in r) {
    throw new StepInputError(
      `option folds_from: sample "${ids[r.missingRow]}" (row ${r.missingRow + 1} of samples) has no value in column "${name}": give every sample a fold`,
    );
  }
  const folds = split.kfold!.folds;
  if (r.labels.length !== folds) {
    throw new StepInputError(
      `option folds_from: column "${name}" holds ${r.labels.length} distinct folds (${r.labels.slice(0, 12).join(", ")}) but folds=${folds}: set folds to ${r.labels.length}`,
    );
  }
  return { foldIds: r.fold };
}
