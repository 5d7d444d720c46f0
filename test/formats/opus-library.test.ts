import { describe, expect, it } from "vitest";
import { numberColumn, textColumn } from "../../src/core/table.js";
import type { OpusSpectrum } from "../../src/formats/opus.js";
import {
  buildOpusLibrary,
  DEFAULT_REPLICATE_MAX_RMSD,
  interpolateTo,
  libraryAxis,
  MIN_COMMON_RANGE_SHARE,
  type OpusLibraryOptions,
} from "../../src/formats/opus-library.js";
import { abBlocks, opusFile, writeOpus } from "./opus-writer.js";
import { formatErrorOf } from "./errors.js";

const f64 = (xs: number[]) => Float64Array.from(xs);
const f32 = (xs: number[]) => Float32Array.from(xs);
const round = (xs: ArrayLike<number>, d = 5) => Array.from(xs, (x) => Number(x.toFixed(d)));
/** An evenly spaced axis from `from` to `to` in `n` points, as OPUS stores it. */
const axis = (from: number, to: number, n: number) => f64(Array.from({ length: n }, (_, i) => from + (i * (to - from)) / (n - 1)));
const spec = (file: string, w: Float64Array): OpusSpectrum => ({
  file,
  wavenumbers: w,
  values: new Float32Array(w.length),
  params: {},
  directory: [],
  block: "15.16.0.0",
});

describe("interpolateTo", () => {
  it("interpolates linearly between the bracketing points of an uneven axis, either direction", () => {
    const x = f64([100, 110, 130, 160, 200, 250, 310, 380]);
    const y = f32([1, 2, 4, 7, 11, 16, 22, 29]); // y = x/10 - 9
    const grid = f64([100, 105, 120, 131, 199, 200, 201, 300, 379, 380]);
    const want = Array.from(grid, (g) => g / 10 - 9);
    expect(round(interpolateTo(x, y, grid), 4)).toEqual(want.map((v) => Number(v.toFixed(4))));
    const xr = f64(Array.from(x).reverse());
    const yr = f32(Array.from(y).reverse());
    expect(round(interpolateTo(xr, yr, grid), 4)).toEqual(want.map((v) => Number(v.toFixed(4))));
  });

  it("a nonlinear y: the value between the two points around g, not others", () => {
    const x = f64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => 1000 + 10 * i));
    const y = f32([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    expect(round(interpolateTo(x, y, f64([1015, 1072.5, 1001, 1089])), 4)).toEqual([2.5, 52.75, 0.1, 79.3]);
    expect(round(interpolateTo(f64(Array.from(x).reverse()), f32(Array.from(y).reverse()), f64([1015, 1072.5])), 4)).toEqual([2.5, 52.75]);
  });

  it("within 1e-6 of the range past an end: the end value; further: a RangeError", () => {
    const x = f64([4000, 3000, 2000, 1000]);
    const y = f32([40, 30, 20, 10]);
    expect(Array.from(interpolateTo(x, y, f64([4000.002, 999.998, 1000, 4000])))).toEqual([40, 10, 10, 40]);
    expect(() => interpolateTo(x, y, f64([2000, 4000.01]))).toThrow(
      new RangeError("4000.01 cm-1 lies outside the spectrum's axis 1000-4000 cm-1 (no extrapolation)"),
    );
    expect(() => interpolateTo(x, y, f64([999.99]))).toThrow(/^999\.99 cm-1 lies outside/);
    // the tolerance is 1e-6 of the axis's span (3000 cm-1): 0.003 cm-1
    expect(() => interpolateTo(x, y, f64([4000.004]))).toThrow(/^4000\.004 cm-1 lies outside/);
    expect(() => interpolateTo(x, y, f64([999.996]))).toThrow(/^999\.996 cm-1 lies outside/);
    expect(() => interpolateTo(f64([1000, 2000]), f32([1, 2]), f64([2000.01]))).toThrow(
      "2000.01 cm-1 lies outside the spectrum's axis 1000-2000 cm-1 (no extrapolation)",
    );
  });
});

describe("libraryAxis", () => {
  it("the axis most files share, the first in order on a tie; untrimmed: the reference itself", () => {
    const a = axis(4000, 600, 18);
    const b = axis(4002, 598, 18);
    const one = libraryAxis([spec("x/a.0", b), spec("x/b.0", a), spec("x/c.0", axis(4000, 600, 18))]);
    expect(one.reference).toBe(a);
    const tie = libraryAxis([spec("a.0", b), spec("b.0", a)]);
    expect(tie.reference).toBe(b);
    expect(tie.grid).not.toBe(b);
    expect(Array.from(tie.grid)).toEqual(Array.from(b).slice(1, 17));
    expect(tie.trimmedBy).toEqual(["b.0"]);
    const same = libraryAxis([spec("a.0", a), spec("b.0", axis(4000, 600, 18))]);
    expect(same.grid).toBe(a);
    expect(same.trimmedBy).toEqual([]);
  });

  it("cut to the range every file covers; only files that cut further are listed, once, without folders", () => {
    const ref = axis(600, 4000, 35); // ascending, 100 cm-1 steps
    const r = libraryAxis([
      spec("d/r1.0", ref),
      spec("d/r2.0", ref),
      spec("d/r3.0", ref),
      spec("d/cut.0", axis(4000, 800, 33)),
      spec("d/same-cut.0", axis(800, 4000, 33)),
      spec("d/top.0", axis(3500, 500, 31)),
      spec("d/top.1", axis(3500, 500, 31)),
    ]);
    expect(r.reference).toBe(ref);
    expect(round(r.grid, 6)).toEqual(Array.from({ length: 28 }, (_, i) => 800 + 100 * i));
    expect(r.trimmedBy).toEqual(["cut.0", "top.0"]);
  });

  it("an axis that does not overlap, or touches only at an end, is refused by name", () => {
    const ref = axis(4000, 2000, 21);
    const e = formatErrorOf(() => libraryAxis([spec("a.0", ref), spec("b.0", ref), spec("far.0", axis(2000, 600, 15))]));
    expect(e.message).toBe(
      "far.0: its axis 600.0-2000.0 cm-1 does not overlap the library's 2000.0-4000.0 cm-1 (shared by 2 file(s)); remove the file or ingest it as a separate library",
    );
    expect(formatErrorOf(() => libraryAxis([spec("a.0", ref), spec("hi.0", axis(6000, 4000, 5))])).message).toMatch(
      /^hi\.0: its axis 4000\.0-6000\.0 cm-1 does not overlap the library's 2000\.0-4000\.0 cm-1 \(shared by 1 file\(s\)\)/,
    );
  });

  it("a common range under a quarter of the reference's is refused; exactly a quarter is kept", () => {
    expect(MIN_COMMON_RANGE_SHARE).toBe(0.25);
    const ref = axis(4000, 0 + 2000, 21); // 2000 cm-1 wide
    const quarter = libraryAxis([spec("a.0", ref), spec("q.0", axis(2500, 2000, 6))]);
    expect(round(quarter.grid, 6)).toEqual([2500, 2400, 2300, 2200, 2100, 2000]);
    const e = formatErrorOf(() => libraryAxis([spec("a.0", ref), spec("n.0", axis(2499, 1000, 6))]));
    expect(e.message).toBe(
      "n.0: its axis 1000.0-2499.0 cm-1 leaves only 499.0 cm-1 of the library's 2000.0-4000.0 cm-1 in common (less than 25 %); remove the file or ingest it as a separate library",
    );
    // two files that each keep enough, but not together
    const e2 = formatErrorOf(() => libraryAxis([spec("a.0", ref), spec("lo.0", axis(2800, 1500, 14)), spec("hi.0", axis(4500, 2600, 20))]));
    expect(e2.message).toMatch(/^hi\.0: its axis 2600\.0-4500\.0 cm-1 leaves only 200\.0 cm-1 of the library's/);
  });
});

describe("buildOpusLibrary", () => {
  const n = 5;
  const file = (name: string, values: number[], o: { fxv?: number; lxv?: number; ins?: string } = {}) => ({
    name,
    bytes: opusFile([{ fxv: o.fxv ?? 1000, lxv: o.lxv ?? 600, values }], o.ins === undefined ? {} : { ins: o.ins }),
  });
  const O: OpusLibraryOptions = { idPattern: /^(.+?)\.\d+$/, source: "lab-opus" };

  it("files in name order, one row per id, replicates averaged; the report", () => {
    const r = buildOpusLibrary(
      [
        file("d/b.1", [3, 3, 3, 3, 3]),
        file("d/a.0", [1, 2, 3, 4, 5]),
        file("d/b.0", [1, 1, 1, 1, 1]),
        file("d/c.0", [0.5, 0.5, 0.5, 0.5, 0.6]),
      ],
      O,
    );
    expect(r.samples.sample_id).toEqual(["a", "b", "c"]);
    expect(textColumn(r.samples, "source")).toEqual(["lab-opus", "lab-opus", "lab-opus"]);
    expect(textColumn(r.samples, "instrument")).toEqual(["SYNTH", "SYNTH", "SYNTH"]);
    const b = r.blocks[0]!;
    expect(Array.from(b.wavenumbers)).toEqual([1000, 900, 800, 700, 600]);
    expect(round(b.values, 5)).toEqual([1, 2, 3, 4, 5, 2, 2, 2, 2, 2, 0.5, 0.5, 0.5, 0.5, 0.6]);
    expect(r.report.files).toBe(4);
    expect(r.report.opus_blocks).toEqual([
      { file: "a.0", sample_id: "a", blocks: ["15.16.0.0"], read: "15.16.0.0" },
      { file: "b.0", sample_id: "b", blocks: ["15.16.0.0"], read: "15.16.0.0" },
      { file: "b.1", sample_id: "b", blocks: ["15.16.0.0"], read: "15.16.0.0" },
      { file: "c.0", sample_id: "c", blocks: ["15.16.0.0"], read: "15.16.0.0" },
    ]);
    expect(r.report.opus_block_option).toBe("AB");
    expect(r.report.replicate_scans_averaged).toBe(2);
    expect(r.report.scans_per_sample).toEqual({ 1: 2, 2: 1 });
    expect(r.report.replicates).toEqual([{ sample_id: "b", scans: 2, max_rmsd: 1 }]);
    expect(r.report.replicate_max_rmsd_threshold).toBe(DEFAULT_REPLICATE_MAX_RMSD);
    expect(r.report.replicates_disagreeing).toBe(1);
    expect(r.report.replicates_disagreeing_ids).toEqual(["b"]);
    expect(r.report.spectra_regridded).toBe(0);
    expect(r.report.axis_trimmed_by_files).toEqual([]);
    expect(r.report.warnings).toEqual([
      "1 samples have replicate scans that disagree (RMS difference from their mean above 0.05 absorbance units; e.g. b 1): check for swapped or empty cups",
    ]);
    expect(r.report.lab_rows_without_spectrum).toBeUndefined();
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([NaN, NaN, NaN]);
    expect(textColumn(r.samples, "c_method")).toEqual([null, null, null]);
  });

  it("replicate spread: the largest RMS difference of one scan from the mean, 4 digits; the threshold is exclusive", () => {
    // three scans of 3 points... here 5: offsets 0, 0, 0.3 -> mean +0.1; scan rmsd 0.1, 0.1, 0.2
    const base = [0.2, 0.4, 0.6, 0.8, 1];
    const sh = (d: number) => base.map((v) => v + d);
    const files = [
      file("s.0", sh(0)),
      file("s.1", sh(0)),
      file("s.2", sh(0.3)),
      file("t.0", sh(0)),
      file("t.1", [0.2, 0.4, 0.6, 0.8, 1.3]),
    ];
    const r = buildOpusLibrary(files, { ...O, replicateMaxRmsd: 0.2 });
    // t: scans differ only at the last point by 0.3: each is 0.15 from the mean there, rmsd sqrt(0.15^2/5)
    const tRmsd = Number(Math.sqrt(0.15 ** 2 / 5).toPrecision(4));
    expect(r.report.replicates).toEqual([
      { sample_id: "s", scans: 3, max_rmsd: 0.2 },
      { sample_id: "t", scans: 2, max_rmsd: tRmsd },
    ]);
    expect(tRmsd).toBe(0.06708);
    expect(r.report.replicate_max_rmsd_threshold).toBe(0.2);
    expect(r.report.replicates_disagreeing).toBe(0);
    expect(r.report.warnings).toEqual([]);
    expect(r.report.scans_per_sample).toEqual({ 2: 1, 3: 1 });
    expect(round(r.blocks[0]!.values.subarray(0, 5), 5)).toEqual(sh(0.1).map((v) => Number(v.toFixed(5))));
    const low = buildOpusLibrary(files, { ...O, replicateMaxRmsd: 0.06 });
    expect(low.report.replicates_disagreeing_ids).toEqual(["s", "t"]);
    expect((low.report.warnings as string[])[0]).toMatch(
      /^2 samples have replicate scans that disagree \(RMS difference from their mean above 0\.06 absorbance units; e\.g\. s 0\.2, t 0\.06708\)/,
    );
  });

  it("a file on another axis is interpolated; one covering less of the axis cuts it, and the cut is reported", () => {
    const r = buildOpusLibrary(
      [
        file("a.0", [1, 2, 3, 4, 5]),
        file("b.0", [5, 4, 3, 2, 1]),
        file("c.0", [1, 2, 3, 4, 5], { fxv: 650, lxv: 1050 }),
        file("d.0", [0.7, 0.7, 0.7, 0.7, 0.7], { fxv: 1000, lxv: 700 }),
      ],
      O,
    );
    // the reference axis 1000..600 is cut to 1000..650 by c.0 (650..1050, interpolated), then to 1000..700 by d.0
    const blk = r.blocks[0]!;
    expect(round(blk.wavenumbers, 6)).toEqual([1000, 900, 800, 700]);
    expect(round(blk.values, 4)).toEqual([1, 2, 3, 4, 5, 4, 3, 2, 4.5, 3.5, 2.5, 1.5, 0.7, 0.7, 0.7, 0.7]);
    expect(r.report.spectra_regridded).toBe(2);
    expect(r.report.axis_trimmed_by_files).toEqual(["c.0", "d.0"]);
    expect(r.report.wavenumber_range).toEqual([700, 1000]);
    expect(r.report.warnings).toEqual([
      "the library's axis was cut to 700.0-1000.0 cm-1, the range every file covers (limited by c.0, d.0)",
    ]);
  });

  it("the reference axis cut at its low end: its files are read as a slice", () => {
    const r = buildOpusLibrary(
      [
        file("a.0", [1, 2, 3, 4, 5], { fxv: 600, lxv: 1000 }),
        file("b.0", [6, 7, 8, 9, 10], { fxv: 600, lxv: 1000 }),
        file("c.0", [1, 1, 1, 1], { fxv: 1000, lxv: 700 }),
      ],
      O,
    );
    expect(round(r.blocks[0]!.wavenumbers, 6)).toEqual([700, 800, 900, 1000]);
    expect(round(r.blocks[0]!.values, 4)).toEqual([2, 3, 4, 5, 7, 8, 9, 10, 1, 1, 1, 1]);
    expect(r.report.spectra_regridded).toBe(1);
  });

  it("a file on the same span with more points, or shifted by more than 1e-4 of a step, is interpolated", () => {
    const lin = (from: number, to: number, k: number) => Array.from(axis(from, to, k), (w) => (w - 600) / 100);
    const fine = buildOpusLibrary([file("a.0", lin(1000, 600, 5)), file("b.0", lin(1000, 600, 5)), file("c.0", lin(1000, 600, 9))], O);
    expect(fine.report.spectra_regridded).toBe(1);
    expect(round(fine.blocks[0]!.values.subarray(10), 4)).toEqual([4, 3, 2, 1, 0]);
    const shifted = buildOpusLibrary(
      [file("a.0", lin(1000, 600, 5)), file("b.0", lin(1000, 600, 5)), file("c.0", lin(1000.05, 600.05, 5), { fxv: 1000.05, lxv: 600.05 })],
      O,
    );
    // c.0 starts 0.05 cm-1 above: the common axis is 1000..700, c.0 interpolated onto it
    expect(round(shifted.blocks[0]!.wavenumbers, 6)).toEqual([1000, 900, 800, 700]);
    expect(shifted.report.spectra_regridded).toBe(1);
    expect(round(shifted.blocks[0]!.values, 4)).toEqual([4, 3, 2, 1, 4, 3, 2, 1, 4, 3, 2, 1]);
    const close = buildOpusLibrary([file("a.0", lin(1000, 600, 5)), file("c.0", lin(1000, 600, 5), { fxv: 1000.005, lxv: 600.005 })], O);
    expect(close.report.spectra_regridded).toBe(0);
  });

  it("ids: capture group 1 or the whole match; a name that does not match, or an empty id, is refused", () => {
    const r = buildOpusLibrary([file("x/ab12.0", [1, 2, 3, 4, 5])], { ...O, idPattern: /^[a-z]+/ });
    expect(r.samples.sample_id).toEqual(["ab"]);
    expect(formatErrorOf(() => buildOpusLibrary([file("x/ab12", [1, 2, 3, 4, 5])], O)).message).toBe(
      "x/ab12: file name does not match id_pattern /^(.+?)\\.\\d+$/; rename the file or change id_pattern",
    );
    expect(formatErrorOf(() => buildOpusLibrary([file(".0", [1, 2, 3, 4, 5])], { ...O, idPattern: /^(.*?)\.\d+$/ })).message).toMatch(
      /^\.0: file name does not match id_pattern/,
    );
    expect(formatErrorOf(() => buildOpusLibrary([], O)).message).toBe(
      "lab-opus: no OPUS files found; check the folder and the file pattern",
    );
  });

  it("values that are not absorbance: the OPUS advice", () => {
    expect(formatErrorOf(() => buildOpusLibrary([file("a.0", [40, 50, 60, 70, 80])], O)).message).toBe(
      "lab-opus: spectra declared absorbance: median 60, max 80 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %. The OPUS block read is not absorbance: check the files (the AB block saved by OPUS, option block)",
    );
  });

  it("an instrument parameter that is not text is not used", () => {
    const f = writeOpus([
      { type: [32, 0, 0, 0], params: { INS: { int: 5 } } },
      ...abBlocks({ fxv: 1000, lxv: 600, values: [1, 2, 3, 4, 5] }),
    ]);
    expect(buildOpusLibrary([{ name: "a.0", bytes: f }], O).blocks[0]!.instrument).toBe("opus");
  });

  it("instrument: the option, else the first file's INS, else opus", () => {
    const one = [file("a.0", [1, 2, 3, 4, 5], { ins: "ALPHA II" }), file("b.0", [1, 2, 3, 4, 5], { ins: "VERTEX" })];
    expect(buildOpusLibrary(one, O).blocks[0]!.instrument).toBe("ALPHA II");
    expect(buildOpusLibrary(one, { ...O, instrument: "mine" }).blocks[0]!.instrument).toBe("mine");
    expect(buildOpusLibrary([file("a.0", [1, 2, 3, 4, 5], { ins: "" })], O).blocks[0]!.instrument).toBe("opus");
  });
});

describe("buildOpusLibrary: the lab table", () => {
  const files = ["s1.0", "s2.0", "s3.0"].map((name) => ({ name, bytes: opusFile([{ fxv: 1000, lxv: 600, values: [1, 2, 3, 4, 5] }]) }));
  const build = (text: string, lab: Partial<NonNullable<OpusLibraryOptions["lab"]>> = {}) =>
    buildOpusLibrary(files, { idPattern: /^(.+?)\.\d+$/, source: "s", lab: { file: "lab.csv", text, idColumn: "id", ...lab } });

  it("joins by id: targets (% or g/kg), methods, coordinates and depths; reports rows on one side only", () => {
    const text = "id,oc,om,lat,lon,top,bottom\ns3,1.5,30,45,7,0,10\nx1,1,1,1,1,1,1\ns1,2,,,-3,10,\nx2,,,,,,\n";
    const r = build(text, {
      targets: { c: { column: "oc", unit: "percent", method: "dc" }, om: { column: "om", unit: "gkg", method: "loi" } },
      columns: { lat: "lat", lon: "lon", depth_top_cm: "top", depth_bottom_cm: "bottom" },
    });
    const num = (k: string) => Array.from(numberColumn(r.samples, k));
    expect(r.samples.sample_id).toEqual(["s1", "s2", "s3"]);
    expect(num("c_gkg")).toEqual([20, NaN, 15]);
    expect(num("om_gkg")).toEqual([NaN, NaN, 30]);
    expect(textColumn(r.samples, "c_method")).toEqual(["dc", null, "dc"]);
    expect(textColumn(r.samples, "om_method")).toEqual([null, null, "loi"]);
    expect(num("lat")).toEqual([NaN, NaN, 45]);
    expect(num("lon")).toEqual([-3, NaN, 7]);
    expect(num("depth_top_cm")).toEqual([10, NaN, 0]);
    expect(num("depth_bottom_cm")).toEqual([NaN, NaN, 10]);
    expect(r.report).toMatchObject({
      lab_rows_without_spectrum: 2,
      lab_rows_without_spectrum_ids: ["x1", "x2"],
      spectra_without_lab_row: 1,
      spectra_without_lab_row_ids: ["s2"],
    });
    expect(r.report.targets.unit_warnings).toEqual([]);
  });

  it("at most ten ids of each kind are listed", () => {
    const text = `id,oc\n${Array.from({ length: 12 }, (_, i) => `x${i},1`).join("\n")}\n`;
    const r = build(text, { targets: { c: { column: "oc", unit: "gkg" } } });
    expect(r.report.lab_rows_without_spectrum).toBe(12);
    expect(r.report.lab_rows_without_spectrum_ids).toEqual(Array.from({ length: 10 }, (_, i) => `x${i}`));
    expect(r.report.spectra_without_lab_row).toBe(3);
    expect(r.report.targets.unit_warnings).toEqual([]);
  });

  it("the declared unit reaches the unit check", () => {
    const r = build("id,oc\ns1,30\ns2,20\ns3,25\n", { targets: { c: { column: "oc", unit: "percent" } } });
    expect(r.report.targets.unit_warnings).toEqual(["median C is 250.0 g/kg after reading it as percent: is the column already in g/kg?"]);
  });

  it("names the lab file, line and column of each problem", () => {
    const msg = (text: string, lab = {}) => formatErrorOf(() => build(text, lab)).message;
    expect(msg("sid,oc\ns1,1\n")).toBe('lab.csv (line 1): no column "id" (option lab_id_column); columns: sid, oc');
    expect(msg("id,oc\ns1,1\n", { targets: { c: { column: "OC", unit: "gkg" } } })).toBe(
      'lab.csv (line 1): no column "OC" (option lab_targets.c.column); columns: id, oc',
    );
    expect(msg("id,lat\ns1,1\n", { columns: { lon: "x" } })).toMatch(/^lab\.csv \(line 1\): no column "x" \(option lab_columns\.lon\)/);
    expect(msg("id,oc,oc\ns1,1,2\n", { targets: { om: { column: "oc", unit: "gkg" } } })).toBe(
      'lab.csv (line 1): column "oc" (option lab_targets.om.column) appears twice, columns 2 and 3; rename one',
    );
    expect(msg("id,oc\ns1,1\n\n,2\n")).toBe(
      'lab.csv (line 4, column "id"): sample id is empty; every lab row needs the id its OPUS files are named by',
    );
    expect(msg("id,oc\ns1,1\ns2,1\n\ns1,2\n")).toBe(
      'lab.csv (line 5, column "id"): sample id "s1" repeats line 2; ids must be unique in the lab table',
    );
    expect(msg("id,oc\ns1,1\ns2,low\n", { targets: { c: { column: "oc", unit: "gkg" } } })).toBe(
      'lab.csv (line 3, column "oc"): "low" is not a number; fix the cell or leave it empty/NA',
    );
  });
});

describe("buildOpusLibrary: axis tolerances and sameGrid", () => {
  const file = (name: string, from: number, to: number, k: number) => ({
    name,
    bytes: opusFile([{ fxv: from, lxv: to, values: Array.from(axis(from, to, k), (w) => (w - 590) / 100) }]),
  });
  const O: OpusLibraryOptions = { idPattern: /^(.+?)\.\d+$/, source: "s" };

  it("the axis is cut with the narrowest file's tolerance (1e-6 of its span), so every file can be put on it", () => {
    // the reference spans 400 cm-1 (tolerance 0.0004), c.0 200 cm-1 (0.0002): starting 0.0003 above 600, c.0 cuts 600
    // (it was kept, then c.0 was refused: "600 cm-1 lies outside the spectrum's axis 600.0003-800.0003 cm-1")
    for (const d of [0.0003, 0.001]) {
      const r = buildOpusLibrary([file("a.0", 600, 1000, 5), file("b.0", 600, 1000, 5), file("c.0", 600 + d, 800 + d, 5)], O);
      expect(round(r.blocks[0]!.wavenumbers, 6)).toEqual([700, 800]);
      expect(r.report.axis_trimmed_by_files).toEqual(["c.0"]);
      expect(round(r.blocks[0]!.values, 4)).toEqual([1.1, 2.1, 1.1, 2.1, 1.1, 2.1]);
    }
    // within c.0's own tolerance: 600 is kept, c.0 holds its first value there
    const near = buildOpusLibrary([file("a.0", 600, 1000, 5), file("b.0", 600, 1000, 5), file("c.0", 600.0001, 800.0001, 5)], O);
    expect(round(near.blocks[0]!.wavenumbers, 6)).toEqual([600, 700, 800]);
    expect(near.report.spectra_regridded).toBe(1);
  });

  it("axes that differ at one end only, or with another length, are interpolated; the trimmed grid itself is not", () => {
    const r = buildOpusLibrary(
      [
        file("a.0", 1000, 600, 9),
        file("b.0", 1000, 600, 9),
        file("c.0", 1000.05, 600, 9),
        file("d.0", 1000, 599.95, 9),
        file("e.0", 1000, 600, 17),
      ],
      O,
    );
    expect(r.report.spectra_regridded).toBe(3);
    expect(round(r.blocks[0]!.values, 4)).toEqual(Array.from({ length: 5 }, () => [4.1, 3.6, 3.1, 2.6, 2.1, 1.6, 1.1, 0.6, 0.1]).flat());
    const onGrid = buildOpusLibrary([file("a.0", 1000, 600, 5), file("b.0", 1000, 600, 5), file("c.0", 1000, 700, 4)], O);
    expect(onGrid.report.spectra_regridded).toBe(0);
    expect(round(onGrid.blocks[0]!.values, 4)).toEqual([4.1, 3.1, 2.1, 1.1, 4.1, 3.1, 2.1, 1.1, 4.1, 3.1, 2.1, 1.1]);
  });

  it("more than ten trimming files or disagreeing samples: ten listed in the report, five in the warnings", () => {
    const files = [
      ...Array.from({ length: 13 }, (_, i) => file(`r${String(i).padStart(2, "0")}.0`, 1000, 600, 5)),
      ...Array.from({ length: 12 }, (_, k) => file(`t${String(k).padStart(2, "0")}.0`, 1000 - 10 * (k + 1), 600, 5)),
    ];
    const r = buildOpusLibrary(files, O);
    const t = Array.from({ length: 12 }, (_, k) => `t${String(k).padStart(2, "0")}.0`);
    expect(r.report.axis_trimmed_by_files).toEqual(t.slice(0, 10));
    expect((r.report.warnings as string[]).at(-1)).toBe(
      `the library's axis was cut to 600.0-800.0 cm-1, the range every file covers (limited by ${t.slice(0, 5).join(", ")})`,
    );
    const reps = Array.from({ length: 12 }, (_, i) => [
      { name: `s${String(i).padStart(2, "0")}.0`, bytes: opusFile([{ fxv: 1000, lxv: 600, values: [1, 1, 1, 1, 1] }]) },
      { name: `s${String(i).padStart(2, "0")}.1`, bytes: opusFile([{ fxv: 1000, lxv: 600, values: [2, 2, 2, 2, 2] }]) },
    ]).flat();
    const d = buildOpusLibrary(reps, O);
    const ids = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    expect(d.report.replicates_disagreeing).toBe(12);
    expect(d.report.replicates_disagreeing_ids).toEqual(ids.slice(0, 10));
    expect((d.report.warnings as string[])[0]).toBe(
      `12 samples have replicate scans that disagree (RMS difference from their mean above 0.05 absorbance units; e.g. ${ids
        .slice(0, 5)
        .map((id) => `${id} 0.5`)
        .join(", ")}): check for swapped or empty cups`,
    );
  });
});

describe("buildOpusLibrary: lab table details", () => {
  const spectrum = () => opusFile([{ fxv: 1000, lxv: 600, values: [1, 2, 3, 4, 5] }]);
  const files = (k: number) => Array.from({ length: k }, (_, i) => ({ name: `f${String(i).padStart(2, "0")}.0`, bytes: spectrum() }));
  const O = { idPattern: /^(.+?)\.\d+$/, source: "s" };

  it("without a lab table every sample column is present and empty", () => {
    const r = buildOpusLibrary(files(2), O);
    expect(textColumn(r.samples, "om_method")).toEqual([null, null]);
    expect(textColumn(r.samples, "c_method")).toEqual([null, null]);
    expect(Array.from(numberColumn(r.samples, "depth_top_cm"))).toEqual([NaN, NaN]);
  });

  it("a lab table without targets, or with OM only: unmapped targets stay empty", () => {
    const lab = { file: "lab.csv", text: "om,id,lat\n40,f00,5\n,f01,6\n", idColumn: "id", columns: { lat: "lat" } };
    const plain = buildOpusLibrary(files(2), { ...O, lab });
    expect(Array.from(numberColumn(plain.samples, "c_gkg"))).toEqual([NaN, NaN]);
    expect(Array.from(numberColumn(plain.samples, "om_gkg"))).toEqual([NaN, NaN]);
    expect(Array.from(numberColumn(plain.samples, "lat"))).toEqual([5, 6]);
    // the first column of the lab table can be a target
    const om = buildOpusLibrary(files(2), { ...O, lab: { ...lab, targets: { om: { column: "om", unit: "percent" } } } });
    expect(Array.from(numberColumn(om.samples, "om_gkg"))).toEqual([400, NaN]);
    expect(Array.from(numberColumn(om.samples, "c_gkg"))).toEqual([NaN, NaN]);
    expect(om.report.targets.unit_warnings).toEqual([
      "median OM is 400.0 g/kg after reading it as percent: is the column already in g/kg?",
    ]);
  });

  it("at most ten spectra without a lab row are listed", () => {
    const r = buildOpusLibrary(files(12), { ...O, lab: { file: "lab.csv", text: "id\nx\n", idColumn: "id" } });
    expect(r.report.spectra_without_lab_row).toBe(12);
    expect(r.report.spectra_without_lab_row_ids).toEqual(Array.from({ length: 10 }, (_, i) => `f${String(i).padStart(2, "0")}`));
  });
});

describe("buildOpusLibrary: coordinates from the lab table", () => {
  const files = ["a.0", "b.0"].map((name) => ({ name, bytes: opusFile([{ fxv: 1000, lxv: 600, values: [1, 2, 3, 4, 5] }]) }));
  const lib = (text: string) =>
    buildOpusLibrary(files, {
      idPattern: /^(.+?)\.\d+$/,
      source: "mylab",
      lab: { file: "lab.csv", text, idColumn: "id", columns: { lat: "lat" } },
    });
  it("an out-of-range latitude names the lab file and its line (not the source and the sample's row)", () => {
    // was: "mylab (line 2, column lat): lat 95 ..."
    expect(formatErrorOf(() => lib("id,lat\nx,1\ny,2\nb,95\na,10\n")).message).toBe(
      "lab.csv (line 4, column lat): lat 95 is outside -90..90 (1 of 2 values): lat must be WGS84 decimal degrees, not projected coordinates (UTM metres) or the other axis; map the right column or leave it out",
    );
  });
  it("a stray one among many: the warning names the lab line", () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ name: `s${String(i).padStart(3, "0")}.0`, bytes: files[0]!.bytes }));
    const rows = many.map((_, i) => `s${String(i).padStart(3, "0")},${i === 50 ? -91 : 45}`);
    const r = buildOpusLibrary(many, {
      idPattern: /^(.+?)\.\d+$/,
      source: "mylab",
      lab: { file: "lab.csv", text: `id,lat\nzz,1\n${rows.join("\n")}\n`, idColumn: "id", columns: { lat: "lat" } },
    });
    expect(r.report.warnings).toEqual(["1 lat values outside -90..90 (e.g. line 53): set to missing in your copy or fix them"]);
  });
});
