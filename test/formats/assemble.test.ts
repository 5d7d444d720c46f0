import { describe, expect, it } from "vitest";
import { assembleLibrary, numericColumn, reportWarnings, type AssembleInput, type IngestReport } from "../../src/formats/assemble.js";
import { formatErrorOf } from "./errors.js";

const nan = NaN;
const f64 = (xs: number[]) => Float64Array.from(xs);
/** n rows, 3 bands (4000, 3000, 2000), absorbance; every column overridable. */
function input(n: number, o: Partial<AssembleInput> = {}): AssembleInput {
  const none = () => new Float64Array(n).fill(NaN);
  return {
    file: "lib.csv",
    ids: Array.from({ length: n }, (_, i) => `s${i}`),
    lines: Int32Array.from({ length: n }, (_, i) => 2 * i + 3),
    idColumn: "ID",
    sources: null,
    defaultSource: "lib",
    instrumentOf: (s) => `${s}-ftir`,
    unit: "absorbance",
    wavenumbers: f64([4000, 3000, 2000]),
    spectra: Float32Array.from({ length: 3 * n }, (_, k) => 0.1 * ((k % 9) + 1)),
    lat: none(),
    lon: none(),
    depthTop: none(),
    depthBottom: none(),
    c: f64(Array.from({ length: n }, () => 10)),
    om: f64(Array.from({ length: n }, () => 20)),
    cMethod: new Array(n).fill(null),
    omMethod: new Array(n).fill(null),
    declaredUnits: { c: "gkg", om: "gkg" },
    ...o,
  };
}

describe("numericColumn", () => {
  it("numbers, NaN for empty/NA/null, NaN everywhere without a column", () => {
    expect(Array.from(numericColumn("f", "x", ["1.5", null, "NA", "", " -2e1 "], [1, 2, 3, 4, 5], 5))).toEqual([1.5, nan, nan, nan, -20]);
    expect(Array.from(numericColumn("f", "x", undefined, [1, 2], 2))).toEqual([nan, nan]);
    expect(Array.from(numericColumn("f", "x", ["7"], [1, 2], 2))).toEqual([7, nan]);
  });

  it("a non-number names its text, the file line and the column", () => {
    const e = formatErrorOf(() => numericColumn("lab.csv", "depth", ["1", "2", "ten"], [4, 6, 9], 3));
    expect(e.message).toBe('lab.csv (line 9, column "depth"): "ten" is not a number; fix the cell or leave it empty/NA');
    expect([e.line, e.column]).toEqual([9, '"depth"']);
  });
});

describe("assembleLibrary", () => {
  it("samples, one block per source in first-seen order, rows in file order", () => {
    const a = input(4, {
      sources: ["B", null, "B", "A"],
      extra: { fold: f64([1, 2, 3, 4]) },
      cMethod: ["dc", null, "dc", "dc"],
    });
    const r = assembleLibrary(a);
    expect(r.samples.sample_id).toEqual(["s0", "s1", "s2", "s3"]);
    expect(r.samples.source).toEqual(["B", "lib", "B", "A"]);
    expect(r.samples.instrument).toEqual(["B-ftir", "lib-ftir", "B-ftir", "A-ftir"]);
    expect(Array.from(r.samples.fold as Float64Array)).toEqual([1, 2, 3, 4]);
    expect(r.samples.c_method).toEqual(["dc", null, "dc", "dc"]);
    expect(Object.keys(r.samples)).toEqual([
      "sample_id",
      "source",
      "instrument",
      "lat",
      "lon",
      "depth_top_cm",
      "depth_bottom_cm",
      "c_gkg",
      "om_gkg",
      "c_method",
      "om_method",
      "fold",
    ]);
    expect(r.blocks.map((b) => [b.source, b.instrument, b.ids])).toEqual([
      ["B", "B-ftir", ["s0", "s2"]],
      ["lib", "lib-ftir", ["s1"]],
      ["A", "A-ftir", ["s3"]],
    ]);
    const v = (k: number) => Number((0.1 * ((k % 9) + 1)).toFixed(6));
    expect(Array.from(r.blocks[0]!.values).map((x) => Number(x.toFixed(6)))).toEqual([0, 1, 2, 6, 7, 8].map(v));
    expect(Array.from(r.blocks[2]!.values).map((x) => Number(x.toFixed(6)))).toEqual([9, 10, 11].map(v));
    expect(r.blocks.every((b) => b.unit === "absorbance" && b.wavenumbers === a.wavenumbers)).toBe(true);
    expect(r.report.sources).toEqual({ B: 2, lib: 1, A: 1 });
    expect(r.report.rows).toBe(4);
    expect(r.report.bands).toBe(3);
    expect(r.report.wavenumber_range).toEqual([2000, 4000]);
    expect(r.report.file).toBe("lib.csv");
    expect(r.report.first_missing).toBeNull();
    expect(r.report.warnings).toBeUndefined();
  });

  it("one source with every row: the matrix is used as is; an ascending axis gives the same range", () => {
    const a = input(2, { wavenumbers: f64([600, 700, 800]) });
    const r = assembleLibrary(a);
    expect(r.blocks).toHaveLength(1);
    expect(r.blocks[0]!.values).toBe(a.spectra);
    expect(r.report.wavenumber_range).toEqual([600, 800]);
  });

  it("missing cells: interpolated and counted; a row with no value stays in samples only", () => {
    const spectra = Float32Array.from([1, nan, 3, /**/ nan, nan, nan, /**/ nan, 5, nan, /**/ 7, 8, 9]);
    const a = input(4, { spectra, sources: ["A", "A", "A", "A"] });
    const r = assembleLibrary(a);
    expect(r.report.missing_values_interpolated).toBe(3);
    expect(r.report.rows_with_missing_values).toBe(2);
    expect(r.report.rows_without_spectrum).toBe(1);
    expect(r.samples.sample_id).toEqual(["s0", "s1", "s2", "s3"]);
    expect(r.blocks[0]!.ids).toEqual(["s0", "s2", "s3"]);
    expect(Array.from(r.blocks[0]!.values)).toEqual([1, 2, 3, 5, 5, 5, 7, 8, 9]);
    expect(r.blocks[0]!.values).not.toBe(spectra);
  });

  it("checks ids with the id column's name and the file lines", () => {
    const e = formatErrorOf(() => assembleLibrary(input(3, { ids: ["a", "b", "a"] })));
    expect(e.message).toBe(
      'lib.csv (line 7, column "ID"): sample id "a" repeats the id on line 3; ids must be unique within a file (average replicates first, or fix the id)',
    );
  });

  it("an implausible unit: Set unit, or the reader's own advice", () => {
    const pct = Float32Array.from([40, 50, 60, 45, 55, 65]);
    expect(formatErrorOf(() => assembleLibrary(input(2, { spectra: pct }))).message).toBe(
      "lib.csv: spectra declared absorbance: median 55, max 65 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %. Set unit: reflectance_percent",
    );
    expect(formatErrorOf(() => assembleLibrary(input(2, { spectra: pct, unitOption: "Check the prefix." }))).message).toBe(
      "lib.csv: spectra declared absorbance: median 55, max 65 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %. Check the prefix.",
    );
  });

  it("reflectance counts and target issues in the report", () => {
    const spectra = Float32Array.from([0.5, 1.2, 0, /**/ 0.4, 0.5, 0.6, /**/ 1.1, 1.3, -0.1]);
    const r = assembleLibrary(
      input(3, {
        unit: "reflectance",
        spectra,
        c: f64([700, 10, nan]),
        om: f64([20, 5, 1200]),
        declaredUnits: { c: "percent", om: "gkg" },
      }),
    );
    expect(r.report.reflectance_spectra_above_full).toBe(2);
    expect(r.report.reflectance_values_above_full).toBe(3);
    expect(r.report.reflectance_values_non_positive).toBe(2);
    expect(r.report.unit).toBe("reflectance");
    expect(r.report.targets).toMatchObject({
      c_impossible: 1,
      c_impossible_ids: ["s0"],
      om_impossible: 1,
      om_impossible_ids: ["s2"],
      om_below_c: 2,
      om_below_c_ids: ["s0", "s1"],
    });
    expect(r.report.targets.unit_warnings).toEqual(["median C is 355.0 g/kg after reading it as percent: is the column already in g/kg?"]);
  });
});

describe("assembleLibrary: coordinates and depths", () => {
  const hundred = (bad: number[], limit: number) =>
    f64(Array.from({ length: 100 }, (_, i) => (bad.includes(i) ? limit + 0.5 : i % 3 === 0 ? -limit : limit)));
  it("up to 1 % out of range: counted and warned about, naming the first line", () => {
    const r = assembleLibrary(input(100, { lat: hundred([40], 90), lon: hundred([7], 180) }));
    expect(r.report.coordinates_out_of_range).toBe(2);
    expect(r.report.warnings).toEqual([
      "1 lat values outside -90..90 (e.g. line 83): set to missing in your copy or fix them",
      "1 lon values outside -180..180 (e.g. line 17): set to missing in your copy or fix them",
    ]);
    expect(Array.from(r.samples.lat as Float64Array).slice(39, 42)).toEqual([-90, 90.5, 90]);
  });

  it("more than 1 % out of range: an error naming the value, the counts and the first line", () => {
    const lat = hundred([60, 20], 90);
    const e = formatErrorOf(() => assembleLibrary(input(100, { lat })));
    expect(e.message).toBe(
      "lib.csv (line 43, column lat): lat 90.5 is outside -90..90 (2 of 100 values): lat must be WGS84 decimal degrees, not projected coordinates (UTM metres) or the other axis; map the right column or leave it out",
    );
    // NaN cells are not given values: 1 bad of 50 given is 2 %
    const sparse = f64(Array.from({ length: 100 }, (_, i) => (i === 99 ? -181 : i % 2 ? nan : 10)));
    const s = formatErrorOf(() => assembleLibrary(input(100, { lon: sparse })));
    expect(s.message).toMatch(/^lib\.csv \(line 201, column lon\): lon -181 is outside -180\.\.180 \(1 of 51 values\)/);
  });

  it("a top below the bottom is counted and warned about", () => {
    const r = assembleLibrary(input(4, { depthTop: f64([0, 30, 10, nan]), depthBottom: f64([10, 20, 10, 5]) }));
    expect(r.report.depth_top_below_bottom).toBe(1);
    expect(r.report.coordinates_out_of_range).toBe(0);
    expect(r.report.warnings).toEqual(["1 layers have a top depth below their bottom depth: are the depth columns swapped?"]);
  });
});

describe("reportWarnings", () => {
  const base = (o: Partial<IngestReport> = {}, t: Partial<IngestReport["targets"]> = {}): IngestReport => ({
    file: "f",
    rows: 10,
    sources: {},
    bands: 3,
    wavenumber_range: [600, 4000],
    unit: "reflectance",
    missing_values_interpolated: 0,
    rows_with_missing_values: 0,
    first_missing: null,
    rows_without_spectrum: 0,
    reflectance_spectra_above_full: 0,
    reflectance_values_above_full: 0,
    reflectance_values_non_positive: 0,
    targets: {
      c_impossible: 0,
      c_impossible_ids: [],
      om_impossible: 0,
      om_impossible_ids: [],
      om_below_c: 0,
      om_below_c_ids: [],
      unit_warnings: [],
      ...t,
    },
    ...o,
  });
  it("nothing to say for a clean report", () => {
    expect(reportWarnings(base())).toEqual([]);
  });
  it("every kind, in order", () => {
    const r = base(
      {
        missing_values_interpolated: 5,
        rows_with_missing_values: 2,
        rows_without_spectrum: 1,
        reflectance_spectra_above_full: 3,
        reflectance_values_above_full: 7,
        reflectance_values_non_positive: 4,
        warnings: ["coords"],
      },
      {
        c_impossible: 2,
        c_impossible_ids: ["a", "b"],
        om_impossible: 2,
        om_impossible_ids: ["c", "e"],
        om_below_c: 2,
        om_below_c_ids: ["d", "f"],
        unit_warnings: ["unit!"],
      },
    );
    expect(reportWarnings(r)).toEqual([
      "5 missing spectral values in 2 rows were interpolated along the spectrum",
      "1 rows have no spectrum: kept in samples, not in spectra",
      "3 spectra have reflectance above 100 % (7 values): kept, they give negative absorbance",
      "4 reflectance values are <= 0 and cannot become absorbance",
      "2 C values outside 0-580 g/kg (e.g. a, b)",
      "2 OM values outside 0-1000 g/kg (e.g. c, e)",
      "2 samples have OM < C (e.g. d, f)",
      "unit!",
      "coords",
    ]);
  });
  it("warnings that are not a list are ignored", () => {
    expect(reportWarnings(base({ warnings: "x" }))).toEqual([]);
  });
});
