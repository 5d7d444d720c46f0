/**
 * stepSplit / splitSamples: the exact messages (the option named), om_split applied to the rows
 * with an OM label only (compared with assignSplits called directly), and the schemes' needs.
 */
import { describe, expect, it } from "vitest";
import { assignSplits, splitKeys } from "../../../src/core/stats/split.js";
import type { Table } from "../../../src/core/table.js";
import { splitSamples, stepSplit } from "../../../src/steps/shared/split-options.js";

const fields = { scheme: "random" as const, val: 0.1, cal: 0.15, cell_deg: 1, stratify: false, split_seed: 7 };
const n = 40;
const ids = Array.from({ length: n }, (_, i) => `s${i}`);

describe("stepSplit", () => {
  it("names the contradictory option exactly", () => {
    expect(() => stepSplit({ ...fields, folds_from: "fold" })).toThrow("option folds_from needs folds (the number of folds) and test_fold");
    expect(() => stepSplit({ ...fields, stratify: true })).toThrow("option stratify needs folds (the number of folds) and test_fold");
    expect(() => stepSplit({ ...fields, folds: 4, test_fold: 4 })).toThrow("option test_fold=4 must be below folds=4 (folds are 0…3)");
  });

  it("records om_split without folds, and folds_from with them", () => {
    const om = { test: 0.3, val: 0.1, cal: 0.2 };
    expect(stepSplit(fields, "c_gkg", om)).toEqual({
      scheme: "random",
      seed: 7,
      test: 0.15,
      val: 0.1,
      cal: 0.15,
      cellDeg: 1,
      om_split: om,
    });
    expect(stepSplit({ ...fields, folds: 4, test_fold: 2, folds_from: "fold" })).toEqual({
      scheme: "random",
      seed: 7,
      test: 0,
      val: 0.1,
      cal: 0.15,
      kfold: { folds: 4, testFold: 2 },
      cellDeg: 1,
      folds_from: "fold",
    });
  });
});

describe("splitSamples", () => {
  it("om_split: rows with an OM label take the OM fractions, the others the base ones", () => {
    const om = Float64Array.from(ids, (_, i) => (i % 2 ? 10 + i : NaN));
    const samples: Table = { sample_id: ids, om_gkg: om };
    const omSplit = { test: 0.5, val: 0, cal: 0.3 };
    const split = stepSplit(fields, "c_gkg", omSplit);
    const base = assignSplits(ids, split);
    const withOm = assignSplits(ids, { ...split, ...omSplit });
    expect(splitSamples(samples, split)).toEqual(ids.map((_, i) => (i % 2 ? withOm[i] : base[i])));
    expect(withOm).not.toEqual(base);
    // no om_gkg column: the base split for every row
    expect(splitSamples({ sample_id: ids }, split)).toEqual(base);
  });

  it("a bad fraction names the option group it came from", () => {
    const samples: Table = { sample_id: ids, om_gkg: new Float64Array(n).fill(5) };
    expect(() => splitSamples(samples, { ...stepSplit(fields), val: 0.5, cal: 0.5 })).toThrow(
      "options test/val/cal/folds/test_fold: split fractions test=0.15 val=0.5 cal=0.5 must sum below 1",
    );
    expect(() => splitSamples(samples, stepSplit(fields, "c_gkg", { test: 0.5, val: 0.3, cal: 0.3 }))).toThrow(
      "option om_split: split fractions test=0.5 val=0.3 cal=0.3 must sum below 1",
    );
  });

  it("scheme random needs no coordinates; location needs both lat and lon", () => {
    expect(splitSamples({ sample_id: ids }, stepSplit(fields))).toEqual(assignSplits(ids, stepSplit(fields)));
    const lat = Float64Array.from(ids, (_, i) => i);
    expect(() => splitSamples({ sample_id: ids, lat }, stepSplit({ ...fields, scheme: "location" }))).toThrow(
      "option scheme=location needs numeric lat and lon columns in samples",
    );
    const lon = Float64Array.from(ids, () => 3);
    const loc = stepSplit({ ...fields, scheme: "location", cell_deg: 10 });
    const keys = splitKeys(
      "location",
      ids,
      ids.map(() => null),
      { lat, lon, cellDeg: 10 },
    );
    expect(splitSamples({ sample_id: ids, lat, lon }, loc)).toEqual(assignSplits(keys, loc));
  });

  it("stratify needs a numeric target column; folds_from reads text folds and lists at most 12 labels", () => {
    expect(() => splitSamples({ sample_id: ids }, stepSplit({ ...fields, folds: 4, stratify: true }, "om_gkg"))).toThrow(
      'option stratify: samples has no numeric column "om_gkg"',
    );
    const k4 = stepSplit({ ...fields, folds: 4, test_fold: 3, folds_from: "fold" });
    const text = { sample_id: ids, fold: ids.map((_, i) => ["w", "x", "y", "z"][i % 4]!) };
    expect(splitSamples(text, k4).map((s) => s === "test")).toEqual(ids.map((_, i) => i % 4 === 3));
    expect(() => splitSamples({ sample_id: ids, folds: new Float64Array(n) }, k4)).toThrow(
      'option folds_from: samples has no column "fold" (columns: sample_id, folds); ingest.table keeps extra columns listed in its option keep_columns',
    );
    const many = { sample_id: ids, fold: Float64Array.from(ids, (_, i) => 1 + (i % 13)) };
    expect(() => splitSamples(many, k4)).toThrow(
      'option folds_from: column "fold" holds 13 distinct folds (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) but folds=4: set folds to 13',
    );
  });
});
